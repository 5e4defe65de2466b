import { normalizeUsername, RpcError, type User } from '@samizdat/protocol';
import { Command } from 'commander';
import type { SamizdatClient } from '@samizdat/client';
import { commandContext } from '../command-context.ts';
import { formatUserLine } from '../format.ts';
import { output } from '../output.ts';
import { withSession } from '../session.ts';

/** The help text of a BOT argument of one's own bots. */
const OWN_BOT_HELP = 'one of your bots: @username or its user id';

/** `samizdat bot …`: make bots, list them, replace their tokens. */
export function botCommand(): Command {
  return new Command('bot')
    .description('Create bots for the Bot API, list yours, and replace their tokens')
    .addCommand(createCommand())
    .addCommand(listCommand())
    .addCommand(revokeCommand());
}

function createCommand(): Command {
  return new Command('create')
    .description('Create a bot owned by you; prints its token, which its program passes to the Bot API')
    .argument('<username>', 'the bot\'s username: 5–32 characters of a–z, 0–9 and _, ending in "bot" (e.g. @weather_bot); a leading @ is ignored')
    .option('--name <name>', 'the bot\'s display name (default: the username without its "bot" ending)')
    .addHelpText(
      'after',
      '\nThe token is shown once (samizdat bot revoke makes a new one). The bot\'s program calls the\n' +
        'Telegram-compatible Bot API at <server>/bot<token>/<method>, e.g. getUpdates and sendMessage.\n' +
        '\nWith --json: {"token":"…"}.',
    )
    .action(async (usernameInput: string, options: { name?: string }, command: Command) => {
      const context = commandContext(command);
      const username = normalizeUsername(usernameInput);
      if (username === null || !username.endsWith('bot')) {
        throw new RpcError(
          'BOT_USERNAME_INVALID',
          `Cannot create bot "${usernameInput}": a bot username is 5–32 characters of a–z, 0–9 and _, starting with a letter and ending in "bot"`,
        );
      }
      const displayName = options.name ?? defaultBotName(usernameInput);
      await withSession(context, async ({ client, server }) => {
        const { user, token } = await client.call('bots.create', { username, displayName });
        if (context.isJson) {
          output.json({ token });
          return;
        }
        output.line(token);
        output.note(`Created bot @${user.username ?? username} (user ${user.id}). Keep the token secret; its Bot API root is:`);
        output.note(`  ${botApiRoot(server, token)}   (e.g. ${botApiRoot(server, token)}getMe)`);
      });
    });
}

function listCommand(): Command {
  return new Command('list')
    .description('List the bots you own')
    .addHelpText('after', '\nLines: [user 12] Weather (bot) (@weather_bot)\n\nWith --json: an array of User objects.')
    .action(async (_options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client }) => {
        const { bots } = await client.call('bots.getMine', {});
        if (context.isJson) output.json(bots);
        else if (bots.length === 0) output.note('You have no bots; make one with samizdat bot create USERNAME');
        else for (const bot of bots) output.line(formatUserLine(bot));
      });
    });
}

function revokeCommand(): Command {
  return new Command('revoke')
    .description("Replace a bot's token: the old one stops working at once; prints the new one")
    .argument('<bot>', OWN_BOT_HELP)
    .addHelpText('after', '\nWith --json: {"token":"…"}.')
    .action(async (botInput: string, _options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client }) => {
        const bot = await findOwnBot(client, botInput);
        const { token } = await client.call('bots.revokeToken', { botId: bot.id });
        if (context.isJson) output.json({ token });
        else output.line(token);
      });
    });
}

/** `Echo_Bot` → `Echo_`→ `Echo`; a username that is all "bot" keeps its name. */
export function defaultBotName(usernameInput: string): string {
  const username = usernameInput.trim().replace(/^@/, '');
  const stripped = username.replace(/bot$/i, '').replace(/_+$/, '');
  return stripped === '' ? username : stripped;
}

/** Where a bot's program calls the Bot API: `http://host:port/bot<token>/`. */
export function botApiRoot(server: string, token: string): string {
  return `${server.replace(/\/+$/, '')}/bot${token}/`;
}

/** One of the caller's bots by `@username` or user id; BOT_INVALID when none of theirs is that. */
async function findOwnBot(client: SamizdatClient, input: string): Promise<User> {
  const trimmed = input.trim();
  const id = /^\d+$/.test(trimmed) ? Number(trimmed) : null;
  const username = id === null ? normalizeUsername(trimmed) : null;
  if (id === null && username === null) {
    throw new RpcError('BOT_INVALID', `Cannot find bot "${input}": expected ${OWN_BOT_HELP}`);
  }
  const { bots } = await client.call('bots.getMine', {});
  const bot = bots.find((candidate) => (id === null ? candidate.username === username : candidate.id === id));
  if (bot === undefined) throw new RpcError('BOT_INVALID', `Cannot find bot "${input}": none of your bots is that; see samizdat bot list`);
  return bot;
}
