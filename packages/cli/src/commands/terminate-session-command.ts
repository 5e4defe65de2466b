import { Command } from 'commander';
import { parseId } from '../arguments.ts';
import { commandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { withSession } from '../session.ts';

/** `samizdat terminate-session ID`: signs one of the account's devices out. */
export function terminateSessionCommand(): Command {
  return new Command('terminate-session')
    .description('End a session of the account (see samizdat sessions); ending this one logs this profile out')
    .argument('<id>', 'session id, as samizdat sessions shows it', parseId)
    .action(async (sessionId: number, _options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client }) => {
        await client.call('account.terminateSession', { sessionId });
        if (context.isJson) output.json({ ok: true, sessionId });
        else output.line(`Ended session ${sessionId}`);
      });
    });
}
