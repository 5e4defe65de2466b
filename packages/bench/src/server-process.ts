/**
 * The server under test, in its own process so that it and the load generators each have cores.
 * Options come as JSON in argv[2] (`{ dataDir, port, workers }`). With `workers` 1 it is one server
 * process (`startServer`); with more, this process is the primary of `startCluster` and the workers
 * are its children. Prints one line `{"benchServer":"listening","port":…,"pids":[…]}` on stdout once
 * every process listens (`pids`: this process first, then the workers).
 *
 * `server-control.ts` runs it with `--conditions=compiled`, so `@samizdat/server` is the compiled
 * build (`scripts/build-server.mjs`) that `npm start` runs too; this file itself goes through tsx.
 */
import cluster from 'node:cluster';
import { fileURLToPath, pathToFileURL } from 'node:url';

const options = JSON.parse(process.argv[2] ?? '{}') as { dataDir: string; port?: number; workers?: number };
const workers = Math.max(1, options.workers ?? 1);
const unlimited = { limit: 1_000_000, windowMs: 1000 };
const common = {
  port: options.port ?? 0,
  host: '127.0.0.1',
  dataDir: options.dataDir,
  testNumbers: true,
  // The benchmark measures the delivery path, not the per-connection flood limits.
  connectionLimits: { frames: { capacity: 1_000_000, perSecond: 1_000_000 }, maxInFlight: 100_000 },
  authLimits: { codesPerIp: unlimited, signInsPerIp: unlimited, codesPerPhone: unlimited },
};
const gc = () => (globalThis as { gc?: () => void }).gc?.();

if (workers === 1) {
  const { createLogger, startServer } = await import('@samizdat/server');
  const server = await startServer({ ...common, logger: createLogger({ minLevel: 'warn' }) });
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
  // The benchmark reads memory after a full collection, so the figure is what the connections hold
  // rather than garbage (the process runs with --expose-gc).
  process.on('SIGUSR2', gc);
  // Last: once the parent reads the port it may signal at once.
  process.stdout.write(`${JSON.stringify({ benchServer: 'listening', port: server.port, pids: [process.pid] })}\n`);
} else {
  // The workers inherit this process's flags (--expose-gc, --conditions=compiled, --cpu-prof …) and
  // load a hook that collects garbage on SIGUSR2 (whose default action would end them). startCluster
  // starts from the execArgv set here and, running from the server's build, leaves out `--import tsx`
  // (so the hook is JavaScript).
  const hook = pathToFileURL(fileURLToPath(new URL('./server-worker-hook.mjs', import.meta.url))).href;
  cluster.setupPrimary({ execArgv: [...process.execArgv, '--import', hook] });
  // The primary only supervises: it loads the cluster module, not the server (as `samizdat server --workers` does).
  const { startCluster } = await import('@samizdat/server/cluster');
  const { createLogger } = await import('@samizdat/server/logger');
  const running = await startCluster({ ...common, workers, logger: createLogger({ minLevel: 'warn' }) });
  let closing = false;
  process.on('SIGTERM', () => {
    if (closing) return;
    closing = true;
    void running.close().then(() => process.exit(0));
  });
  process.on('SIGUSR2', () => {
    gc();
    for (const pid of running.workerPids()) {
      try {
        process.kill(pid, 'SIGUSR2');
      } catch {
        // A worker that is gone has nothing to collect; the primary restarts it.
      }
    }
  });
  process.stdout.write(`${JSON.stringify({ benchServer: 'listening', port: running.port, pids: [process.pid, ...running.workerPids()] })}\n`);
}
