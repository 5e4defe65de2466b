/**
 * Entry point of `samizdat server` alone, which `npm start` runs from the build
 * (`scripts/build-server.mjs`: `node --conditions=compiled packages/cli/dist/server-main.js server …`).
 * The full CLI (`main.ts`) loads every client command, and with them the SDK, the protocol's
 * schemas and the end-to-end crypto: some 0.2 s before a cluster's primary could fork its workers,
 * for code the server command never runs. This entry parses the same command line with only the
 * server command; anything else (help, version, a mistake, another command) goes to the full CLI,
 * which answers it exactly as `samizdat` does.
 */
import { Command, CommanderError, Option } from 'commander';
import { parseSeconds } from './arguments.ts';
import { serverCommand } from './commands/server-command.ts';

/** `samizdat` with the global options of `createProgram` and only the server command, silent on its own errors. */
function createServerProgram(): Command {
  const program = new Command('samizdat')
    .helpOption('-h, --help')
    .version('0.0.0', '-V, --version')
    .addOption(new Option('--profile <dir>').env('SAMIZDAT_PROFILE'))
    .option('--json')
    .option('--timeout <seconds>', '', parseSeconds)
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  const server = serverCommand();
  server.copyInheritedSettings(program);
  return program.addCommand(server);
}

/** Runs `argv` (without `node` and the script) as `runCli` does, and returns the exit code. */
async function runServerCli(argv: readonly string[]): Promise<number> {
  const program = createServerProgram();
  // Commander runs the action from within the parse: a CommanderError can only come before it.
  let isParsed = false;
  program.hook('preAction', () => {
    isParsed = true;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    if (isParsed) return 0;
  } catch (error) {
    if (isParsed || !(error instanceof CommanderError)) {
      const { reportError } = await import('./cli-error.ts');
      const report = reportError(error);
      if (report.line !== '') process.stderr.write(`${report.line}\n`);
      return report.exitCode;
    }
  }
  // Not a well-formed `server` command line: the full CLI says what it says to it.
  const { runCli } = await import('./program.ts');
  return runCli(argv);
}

process.exitCode = await runServerCli(process.argv.slice(2));
// As in main.ts: a stray handle in its closing handshake does not keep the process waiting.
setTimeout(() => process.exit(), 1000).unref();
