import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { parsePort } from '../arguments.ts';
import { output } from '../output.ts';
import { waitForStopSignal, withForcedExit } from '../signals.ts';

/** `samizdat server`: runs a server in this process until SIGINT or SIGTERM. */
export function serverCommand(): Command {
  return new Command('server')
    .description('Run a Samizdat server in this process until SIGINT or SIGTERM')
    .option('--port <port>', 'TCP port to listen on; 0 picks a free one', parsePort, 8080)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data <dir>', 'folder for the database and the master key file', './data')
    .option('--test-numbers', 'accept the test numbers +99966XYYYY with code XXXXX (never in production)')
    .option('--code-webhook <url>', 'POST sign-in codes as JSON to this URL instead of writing them to the log')
    .option('--max-file-size <bytes>', 'largest file accepted, in bytes (default 2 GiB)', parseByteCount)
    .option('--web-root <dir>', 'serve the web client from this folder (default: packages/web/dist when built)')
    .option('--ip-retention-days <days>', 'days the IP addresses of sessions are kept, then purged (default 30)', parseRetentionDays)
    .option('--workers <n>', 'worker processes sharing the port and the data folder; 1 runs in this process (default: one per core)', parseWorkerCount, availableParallelism())
    .addHelpText(
      'after',
      '\nThe master key comes from SAMIZDAT_MASTER_KEY (32 bytes, hex or base64) when set,\n' +
        'otherwise from <data>/master.key, created on first start. Logs go to stderr.\n' +
        'With several workers, the primary process relays updates between them (no external bus).',
    )
    .action(async (options: ServerCommandOptions, command: Command) => {
      // Only `--json` of the global options: not `commandContext`, whose profile would load the SDK
      // into a process that runs no client (see `server-main.ts`).
      await runServer(options, command.optsWithGlobals<{ json?: boolean }>().json === true);
    });
}

interface ServerCommandOptions {
  port: number;
  host: string;
  data: string;
  testNumbers?: boolean;
  codeWebhook?: string;
  maxFileSize?: number;
  ipRetentionDays?: number;
  webRoot?: string;
  workers: number;
}

/** The web client's build in this repository (`npm run build -w packages/web`), if it was built. */
export function defaultWebRoot(): string | undefined {
  // From the sources this is packages/cli/src/commands/server-command.ts; from the build
  // (scripts/build-server.mjs) it is bundled into packages/cli/dist/main.js, a folder less deep.
  const fromHere = import.meta.url.endsWith('.ts') ? '../../../web/dist' : '../../web/dist';
  const dist = fileURLToPath(new URL(fromHere, import.meta.url));
  return existsSync(join(dist, 'index.html')) ? dist : undefined;
}

async function runServer(options: ServerCommandOptions, isJson: boolean): Promise<void> {
  // The one import from the CLI into the server package, and a dynamic one: only `samizdat server`
  // loads the server (and its native SQLite binding); every client command stays on the SDK.
  const webRoot = options.webRoot ?? defaultWebRoot();
  const serverOptions = {
    port: options.port,
    host: options.host,
    dataDir: options.data,
    testNumbers: options.testNumbers === true,
    ...(options.codeWebhook === undefined ? {} : { codeWebhookUrl: options.codeWebhook }),
    ...(options.maxFileSize === undefined ? {} : { maxFileBytes: options.maxFileSize }),
    ...(options.ipRetentionDays === undefined ? {} : { ipRetentionSeconds: options.ipRetentionDays * 24 * 3600 }),
    ...(webRoot === undefined ? {} : { webRoot }),
  };
  // Several workers: this process only supervises them, so it loads the cluster module and not the server.
  const server =
    options.workers === 1
      ? await (await import('@samizdat/server')).startServer(serverOptions)
      : await (await import('@samizdat/server/cluster')).startCluster({ ...serverOptions, workers: options.workers });
  if (isJson) output.json({ httpUrl: server.httpUrl, wsUrl: server.wsUrl, port: server.port, webRoot: webRoot ?? null, workers: options.workers });
  else {
    output.line(`Samizdat server listening on ${server.httpUrl} (WebSocket ${server.wsUrl}) with ${options.workers === 1 ? 'one process' : `${options.workers} worker processes`}; Ctrl-C stops it`);
    output.line(webRoot === undefined ? 'Web client not built (npm run build -w packages/web): / shows a landing page' : `Web client at ${server.httpUrl}/ (from ${webRoot})`);
  }

  const signal = await waitForStopSignal();
  output.note(`Received ${signal}; closing`);
  await withForcedExit(() => server.close());
}

/** How many worker processes: 1 to 64. */
export function parseWorkerCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new InvalidArgumentError(`"${value}" is not a worker count from 1 to 64`);
  return count;
}

/** A positive whole number of bytes, as `--max-file-size` takes it. */
export function parseByteCount(value: string): number {
  const bytes = Number(value);
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new InvalidArgumentError(`"${value}" is not a positive whole number of bytes`);
  return bytes;
}

/** Days of IP retention, as `--ip-retention-days` takes it: a whole number from 1 to 3650. */
export function parseRetentionDays(value: string): number {
  const days = Number(value);
  if (!Number.isSafeInteger(days) || days < 1 || days > 3650) throw new InvalidArgumentError(`"${value}" is not a whole number of days from 1 to 3650`);
  return days;
}
