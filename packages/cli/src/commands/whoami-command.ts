import { Command } from 'commander';
import { commandContext } from '../command-context.ts';
import { formatUser } from '../format.ts';
import { output } from '../output.ts';
import { withSession } from '../session.ts';

/** `samizdat whoami`: shows the signed-in user of the profile. */
export function whoamiCommand(): Command {
  return new Command('whoami').description('Show the user this profile is logged in as').action(async (_options: unknown, command: Command) => {
    const context = commandContext(command);
    await withSession(context, async ({ user, sessionId, server }) => {
      if (context.isJson) {
        output.json({ server, sessionId, user });
        return;
      }
      output.line(formatUser(user));
      output.line(`user id:  ${user.id}`);
      if (user.phone !== null) output.line(`phone:    ${user.phone}`);
      if (sessionId !== null) output.line(`session:  ${sessionId}`);
      output.line(`server:   ${server}`);
      output.line(`profile:  ${context.profile.dir}`);
    });
  });
}
