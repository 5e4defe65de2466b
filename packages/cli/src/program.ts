import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { CliError, reportError, type ErrorReport } from './cli-error.ts';
import { parseSeconds } from './arguments.ts';
import { DEFAULT_TIMEOUT_SECONDS } from './command-context.ts';
import { adminCommand } from './commands/admin-command.ts';
import { appealCommand } from './commands/appeal-command.ts';
import { botCommand } from './commands/bot-command.ts';
import { channelCommand } from './commands/channel-command.ts';
import { chatsCommand } from './commands/chats-command.ts';
import { commandsCommand } from './commands/commands-command.ts';
import { deleteCommand } from './commands/delete-command.ts';
import { downloadCommand } from './commands/download-command.ts';
import { editCommand } from './commands/edit-command.ts';
import { forwardCommand } from './commands/forward-command.ts';
import { groupCommand } from './commands/group-command.ts';
import { historyCommand } from './commands/history-command.ts';
import { legalCommand } from './commands/legal-command.ts';
import { listenCommand } from './commands/listen-command.ts';
import { loginCommand } from './commands/login-command.ts';
import { logoutCommand } from './commands/logout-command.ts';
import { modCommand } from './commands/mod-command.ts';
import { pinChatCommand } from './commands/pin-chat-command.ts';
import { pinCommand } from './commands/pin-command.ts';
import { pressCommand } from './commands/press-command.ts';
import { reactCommand } from './commands/react-command.ts';
import { replyCommand } from './commands/reply-command.ts';
import { reportCommand } from './commands/report-command.ts';
import { restrictionsCommand } from './commands/restrictions-command.ts';
import { searchCommand } from './commands/search-command.ts';
import { secretCommand } from './commands/secret-command.ts';
import { sendCommand } from './commands/send-command.ts';
import { sendFileCommand } from './commands/send-file-command.ts';
import { serverCommand } from './commands/server-command.ts';
import { sessionsCommand } from './commands/sessions-command.ts';
import { terminateSessionCommand } from './commands/terminate-session-command.ts';
import { transparencyCommand } from './commands/transparency-command.ts';
import { usernameCommand } from './commands/username-command.ts';
import { whoamiCommand } from './commands/whoami-command.ts';

/** The CLI's version, from its package.json. */
export function cliVersion(): string {
  const { version } = createRequire(import.meta.url)('../package.json') as { version?: unknown };
  return typeof version === 'string' ? version : '0.0.0';
}

/** The `samizdat` command with every subcommand. Commander's own exits and error output are turned off. */
export function createProgram(): Command {
  const program = new Command('samizdat')
    .description(
      'Samizdat messenger on the command line: run a server, sign in, chat, run groups and channels, chat in secret, make bots and press their buttons, ' +
        'report and moderate, answer lawful requests, verify the transparency log',
    )
    .version(cliVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for the command')
    .addOption(new Option('--profile <dir>', 'folder holding the session (default: ~/.samizdat)').env('SAMIZDAT_PROFILE'))
    .option('--json', 'print results as JSON (one value per line)')
    .option(
      '--timeout <seconds>',
      `how long to wait for the server to connect or answer (default: ${DEFAULT_TIMEOUT_SECONDS})`,
      parseSeconds,
    )
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showSuggestionAfterError(true)
    .exitOverride()
    // Errors are printed by `runCli` as `CODE: sentence`, like every other failure.
    .configureOutput({ outputError: () => {} })
    .addHelpText(
      'after',
      '\nGlobal options go before or after the command. PEER is @username (of a user, group or channel),\n' +
        '+phone, a chat id or me; CHAT is the id or @username of a group or channel.\n' +
        'Errors print "CODE: sentence" on stderr; exit code 1 for a refused request, 2 for a bug,\n' +
        '3 when the server cannot be reached, 4 when a transparency log does not verify.',
    );
  const commands = [
    serverCommand(),
    loginCommand(),
    logoutCommand(),
    whoamiCommand(),
    sessionsCommand(),
    terminateSessionCommand(),
    usernameCommand(),
    chatsCommand(),
    sendCommand(),
    sendFileCommand(),
    downloadCommand(),
    historyCommand(),
    listenCommand(),
    replyCommand(),
    forwardCommand(),
    editCommand(),
    deleteCommand(),
    reactCommand(),
    pressCommand(),
    pinCommand(),
    pinChatCommand(),
    searchCommand(),
    groupCommand(),
    channelCommand(),
    secretCommand(),
    botCommand(),
    commandsCommand(),
    reportCommand(),
    appealCommand(),
    restrictionsCommand(),
    modCommand(),
    legalCommand(),
    transparencyCommand(),
    adminCommand(),
  ];
  for (const command of commands) {
    inheritSettings(command, program);
    program.addCommand(command);
  }
  return program;
}

/** Every command below `samizdat`, subcommands of subcommands (`group create`) included, as `group create`. */
export function commandPaths(command: Command, prefix: readonly string[] = []): string[][] {
  return command.commands.flatMap((sub) => {
    const path = [...prefix, sub.name()];
    return [path, ...commandPaths(sub, path)];
  });
}

/**
 * `addCommand` (unlike `command()`) does not pass settings down: copies exit and output handling
 * from `parent` to `command` and, recursively, to its own subcommands.
 */
function inheritSettings(command: Command, parent: Command, parentPath = 'samizdat'): void {
  command.copyInheritedSettings(parent);
  const path = `${parentPath} ${command.name()}`;
  // Remember which command failed to parse, so that the error can point at its --help.
  command.exitOverride((error) => {
    throw new CommandLineError(error, path);
  });
  for (const sub of command.commands) inheritSettings(sub, command, path);
}

/** Runs the CLI on `argv` (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    const report = commanderReport(error) ?? reportError(error);
    if (report.line !== '') process.stderr.write(`${report.line}\n`);
    return report.exitCode;
  }
}

/** A commander exit (help, version, a parse error) and the command line it happened on. */
class CommandLineError extends Error {
  readonly error: CommanderError;
  readonly commandPath: string;

  constructor(error: CommanderError, commandPath: string) {
    super(error.message);
    this.name = 'CommandLineError';
    this.error = error;
    this.commandPath = commandPath;
  }
}

/** Help and version end commander with an exit code and nothing to say; parse errors become USAGE_INVALID. */
function commanderReport(thrown: unknown): ErrorReport | null {
  const [error, commandPath] =
    thrown instanceof CommandLineError ? [thrown.error, thrown.commandPath] : thrown instanceof CommanderError ? [thrown, 'samizdat'] : [null, ''];
  if (error === null) return null;
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
    return { line: '', exitCode: error.exitCode };
  }
  // Commander's messages are `error: …`, sometimes with a suggestion on a second line.
  const sentence = error.message
    .replace(/^error: /, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ')
    .replace(/\.$/, '');
  const usage = new CliError('USAGE_INVALID', `Cannot run ${commandPath}: ${sentence}; see ${commandPath} --help`);
  return { line: `${usage.code}: ${usage.message}`, exitCode: usage.exitCode };
}
