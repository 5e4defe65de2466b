import { RpcError, normalizeUsername } from '@samizdat/protocol';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { commandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { withSession } from '../session.ts';

/** `samizdat username [NAME] [--clear]`: sets, removes or shows the account's public username. */
export function usernameCommand(): Command {
  return new Command('username')
    .description('Set the public username others find you by (@name); without NAME, show it')
    .argument('[name]', '5–32 characters of a–z, 0–9 and _, starting with a letter; a leading @ is ignored')
    .option('--clear', 'remove the username')
    .action(async (name: string | undefined, options: { clear?: boolean }, command: Command) => {
      const context = commandContext(command);
      if (name !== undefined && options.clear === true) {
        throw new CliError('USAGE_INVALID', 'Cannot set username: pass either NAME or --clear, not both');
      }
      let username: string | null | undefined;
      if (options.clear === true) {
        username = null;
      } else if (name !== undefined) {
        username = normalizeUsername(name);
        if (username === null) {
          throw new RpcError('USERNAME_INVALID', `Cannot set username "${name}": use 5–32 characters of a–z, 0–9 and _, starting with a letter`);
        }
      }
      await withSession(context, async ({ client, user: self }) => {
        const user = username === undefined ? self : (await client.call('account.setUsername', { username })).user;
        if (context.isJson) output.json(user);
        else if (user.username === null) output.line(username === null ? 'Username removed' : 'No username set');
        else output.line(username === undefined ? `@${user.username}` : `Username set to @${user.username}`);
      });
    });
}
