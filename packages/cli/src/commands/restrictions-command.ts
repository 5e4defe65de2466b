import { Command } from 'commander';
import { commandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { formatRestrictionLines } from '../safety-format.ts';
import { withSession } from '../session.ts';

/** `samizdat restrictions`: the limits on the account (a spam limit) and the appeal against them. */
export function restrictionsCommand(): Command {
  return new Command('restrictions')
    .description('Show the limits on your account (a spam limit) and how your appeal stands')
    .addHelpText(
      'after',
      '\nAn account reported for spam by several users it wrote to first may, for a while, message in\n' +
        'private chats only its mutual contacts. Appeal once with samizdat appeal spam TEXT.\n' +
        '\nWith --json: {"spamLimitedUntil","appeal"} (Unix time or null; the Appeal or null).',
    )
    .action(async (_options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client }) => {
        const restrictions = await client.call('account.getRestrictions', {});
        if (context.isJson) output.json(restrictions);
        else for (const line of formatRestrictionLines(restrictions)) output.line(line);
      });
    });
}
