import { Command } from 'commander';
import { commandContext } from '../command-context.ts';
import { formatSessionLine } from '../format.ts';
import { output } from '../output.ts';
import { withSession } from '../session.ts';

/** `samizdat sessions`: lists the devices signed in to the account. */
export function sessionsCommand(): Command {
  return new Command('sessions')
    .description('List the sessions (signed-in devices) of the account; * marks this one')
    .action(async (_options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client }) => {
        const { sessions } = await client.call('account.getSessions', {});
        if (context.isJson) {
          output.json(sessions);
          return;
        }
        for (const session of sessions) output.line(formatSessionLine(session));
      });
    });
}
