import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ROLES, type Role } from '@samizdat/protocol';
import { Argument, Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { commandContext } from '../command-context.ts';
import { describeFsError } from '../file-handle-source.ts';
import { output } from '../output.ts';
import { HashListError, parseAdminUser, parseHashList, type AdminUserSelector } from '../safety-arguments.ts';

/** The database file inside a server's data folder, as `samizdat server --data` lays it out. */
export const DATABASE_FILE = 'samizdat.db';

const DATA_HELP = 'the server\'s data folder, as samizdat server --data was given';

/**
 * `samizdat admin …`: what the operator does on the server's data folder itself, not through the
 * protocol (no account can make itself a moderator). Works while the server runs, or while it is
 * stopped; needs no login, only access to the folder.
 */
export function adminCommand(): Command {
  return new Command('admin')
    .description("Operator tools on the server's data folder: grant roles, load known-illegal file hashes (no login)")
    .addHelpText(
      'after',
      '\nThese open <data>/samizdat.db directly, so they run on the server\'s machine, as a user who can\n' +
        'write the folder; the server may be running. Revoking a role is not available yet.',
    )
    .addCommand(grantCommand())
    .addCommand(loadHashesCommand());
}

function grantCommand(): Command {
  return new Command('grant')
    .description('Grant an account the moderator or legal role')
    .addArgument(new Argument('<role>', 'moderator (works the report queue) or legal (lawful requests)').choices(ROLES))
    .argument('<user>', 'the account: @username, +phone or user id', parseAdminUser)
    .option('--data <dir>', DATA_HELP, './data')
    .addHelpText(
      'after',
      '\nA role takes effect on the account\'s next request; granting a role it has changes nothing.\n' +
        '\nWith --json: {"ok":true,"role","userId"}.',
    )
    .action(async (role: Role, user: AdminUserSelector, options: { data: string }, command: Command) => {
      const context = commandContext(command);
      const databasePath = databaseIn(options.data);
      const { grantRole } = await loadOperatorTools();
      let userId: number;
      try {
        ({ userId } = await grantRole(databasePath, role, user));
      } catch (error) {
        // operator-tools throws plain Errors; "Cannot find the user: …" is the one a person causes.
        if (error instanceof Error && /^Cannot find the user/.test(error.message)) throw new CliError('USER_NOT_FOUND', error.message);
        throw error;
      }
      if (context.isJson) output.json({ ok: true, role, userId });
      else output.line(`Granted ${role} to user ${userId}`);
    });
}

function loadHashesCommand(): Command {
  return new Command('load-hashes')
    .description('Add SHA-256 hashes of known illegal files: a matching file posted in a public chat is refused and reported')
    .argument('<file>', 'a text file: one SHA-256 in hex a line; # starts a comment; sha256sum output works too')
    .option('--data <dir>', DATA_HELP, './data')
    .addHelpText(
      'after',
      '\nThe whole file is checked first: a line that is not a hash (64 hex digits, then optionally a file\n' +
        'name) fails with HASH_FILE_INVALID naming it, and nothing is loaded. Only public groups and\n' +
        'channels are checked against the list; private chats, private groups and secret chats never are.\n' +
        '\nWith --json: {"ok":true,"total","added"} (hashes in the file, and how many were new).',
    )
    .action(async (file: string, options: { data: string }, command: Command) => {
      const context = commandContext(command);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new CliError('FILE_UNREADABLE', `Cannot read ${file}: ${describeFsError(error)}`);
      }
      let hashes: string[];
      try {
        hashes = parseHashList(text);
      } catch (error) {
        if (error instanceof HashListError) throw new CliError('HASH_FILE_INVALID', `Cannot load ${file}: ${error.message}; nothing was loaded`);
        throw error;
      }
      if (hashes.length === 0) throw new CliError('HASH_FILE_INVALID', `Cannot load ${file}: it holds no hash`);
      const databasePath = databaseIn(options.data);
      const { loadBlockedFileHashes } = await loadOperatorTools();
      const added = await loadBlockedFileHashes(databasePath, hashes);
      if (context.isJson) output.json({ ok: true, total: hashes.length, added });
      else output.line(`Loaded ${hashes.length} ${hashes.length === 1 ? 'hash' : 'hashes'}, ${added} new`);
    });
}

/** `<data>/samizdat.db`, which must exist: opening a mistyped folder would make an empty database. */
function databaseIn(dataDir: string): string {
  const path = join(resolve(dataDir), DATABASE_FILE);
  if (!existsSync(path)) {
    throw new CliError('DATA_NOT_FOUND', `Cannot open ${path}: no server database there; give the folder samizdat server --data uses, after it started once`);
  }
  return path;
}

/**
 * The server's operator tools, loaded only when an admin command runs (like `samizdat server`):
 * the other commands never load the server and its native SQLite binding.
 */
async function loadOperatorTools() {
  const { grantRole, loadBlockedFileHashes } = await import('@samizdat/server');
  return { grantRole, loadBlockedFileHashes };
}
