/**
 * Entry point of the `samizdat` command: `node --import tsx packages/cli/src/main.ts <command>`,
 * or `bin/samizdat.js` once the package is linked.
 */
import { runCli } from './program.ts';

// `samizdat history @bob | head -1`: a reader that stops early is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await runCli(process.argv.slice(2));
// Everything the command opened is closed by now; should a stray handle still hold the event loop
// (a socket in its closing handshake), do not keep a script waiting on it.
setTimeout(() => process.exit(), 1000).unref();
