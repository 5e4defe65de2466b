import { RpcError } from '@samizdat/protocol';
import { Command } from 'commander';
import { commandContext } from '../command-context.ts';
import { formatUser, sanitize } from '../format.ts';
import { output } from '../output.ts';
import { resolveUser, USER_HELP } from '../peer.ts';
import { withSession } from '../session.ts';

/** `samizdat commands @BOT`: the command menu a bot set with setMyCommands. */
export function commandsCommand(): Command {
  return new Command('commands')
    .description("Show a bot's command menu (what its setMyCommands set)")
    .argument('<bot>', `the bot, ${USER_HELP.replace(/^user: /, '')}`)
    .addHelpText(
      'after',
      '\nLines: /start — Start the bot\n' +
        "(the bot's description, if it has one, is printed on stderr first).\n" +
        '\nWith --json: {"commands":[{"command":"start","description":"Start the bot"}],"description":"…"}.',
    )
    .action(async (botInput: string, _options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client, user: self }) => {
        const bot = await resolveUser(client, botInput, self);
        if (bot.isBot !== true) throw new RpcError('BOT_INVALID', `Cannot show commands of ${formatUser(bot)}: not a bot`);
        const info = await client.call('bots.getInfo', { botId: bot.id });
        if (context.isJson) {
          output.json(info);
          return;
        }
        if (info.description !== '') output.note(sanitize(info.description));
        if (info.commands.length === 0) output.note(`${formatUser(bot)} has no commands`);
        for (const entry of info.commands) output.line(`/${entry.command} — ${sanitize(entry.description).replace(/\s+/g, ' ')}`);
      });
    });
}
