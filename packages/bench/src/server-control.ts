/**
 * Starts and stops the server under test in its own process (see `server-process.ts`): one process,
 * or a cluster of workers, and reads its memory from /proc, summed over every process. The server
 * is its compiled build (`scripts/build-server.mjs`, built once per run), as `npm start` runs it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ServerProcessOptions {
  /** 1: one process (`startServer`); more: `startCluster` with this many workers. @default 1 */
  workers?: number;
  /**
   * Start it exactly as `npm start` does (`node --conditions=compiled packages/cli/dist/server-main.js
   * server`, no TypeScript loader anywhere) instead of through `server-process.ts`: for the cold
   * start. Its limits are then the server's defaults, `pids` holds only the spawned process, and
   * `collectGarbage` does nothing useful. @default false
   */
  isNpmStart?: boolean;
}

/** A server process that is listening. */
export interface ServerProcess {
  /** `ws://127.0.0.1:<port>/ws` */
  readonly url: string;
  /** `http://127.0.0.1:<port>` */
  readonly httpUrl: string;
  /** The process the benchmark spawned (the cluster's primary when `workers` > 1). */
  readonly pid: number;
  /** That process first, then the cluster's workers, as they were when it started listening. */
  readonly pids: readonly number[];
  readonly workers: number;
  /** Milliseconds from spawn until it listened (every worker, schema migration and start-up included). */
  readonly startMs: number;
  /** Milliseconds from spawn until the first `GET /healthz` answered 200 (cold start to a first served request). */
  readonly firstRequestMs: number;
  /**
   * Resident memory from /proc/<pid>/status, in KiB, summed over every process of the server: now,
   * and the sum of each process's own peak (an upper bound of the peak of the sum).
   */
  memory(): { rssKiB: number; peakRssKiB: number; perProcessRssKiB: number[] };
  /** Asks every process for a full garbage collection (SIGUSR2) and gives them time to run, before a memory reading. */
  collectGarbage(): Promise<void>;
  /** CPU time used so far (user + system), in seconds, summed over every process. */
  cpuSeconds(): number;
  /** SIGTERM, then waits for the process (and its workers) to close the store and exit. */
  stop(): Promise<void>;
}

/** A free TCP port on loopback (asked of the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One `GET /healthz`: true when it answered 200. */
function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => (req.destroy(), resolve(false)));
    req.end();
  });
}

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
let isBuilt = false;

/**
 * Builds the server and the CLI's entry (`node scripts/build-server.mjs`), once per run: every
 * figure is of the compiled server, which `npm start` runs. A build run in a child process, as
 * `npm run build:server` runs it.
 */
export function buildServerOnce(): void {
  if (isBuilt) return;
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build-server.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error(`Cannot build the server: scripts/build-server.mjs exited with ${build.status ?? build.signal}`);
  isBuilt = true;
}

/** Starts a server on a free port with its data in `dataDir` (created when missing, kept when present). */
export async function startServerProcess(dataDir: string, options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const workers = Math.max(1, options.workers ?? 1);
  buildServerOnce();
  // The port is chosen here, so that the first request can be tried from the moment of the spawn.
  const port = await freePort();
  // BENCH_CPU_PROF=DIR writes a CPU profile of the server (each of its processes) to DIR, to see what bounds a figure.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const args = options.isNpmStart
    ? // `npm start`'s command, less its `npm run build…` steps (which come before the spawn), on a port and folder of ours.
      [join(ROOT, 'packages/cli/dist/server-main.js'), '--json', 'server', '--port', String(port), '--data', dataDir, '--test-numbers', '--workers', String(workers)]
    : ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./server-process.ts', import.meta.url)), JSON.stringify({ dataDir, port, workers })];
  const started = performance.now();
  const child = spawn(process.execPath, [...profile, '--conditions=compiled', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  // The workers' start-up lines are info; warnings and errors go on to the benchmark's stderr.
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (!/^\S+ (INFO|DEBUG) /.test(line)) process.stderr.write(`${line}\n`);
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  // Cold start: the first request served, polled every 2 ms from the spawn.
  const firstRequest = (async () => {
    while (!hasExited) {
      if (await healthy(port)) return performance.now() - started;
      await new Promise((done) => setTimeout(done, 2));
    }
    return Number.NaN;
  })();
  const lines = createInterface({ input: child.stdout! });
  const listening = new Promise<{ port: number; pids: number[] }>((done) =>
    lines.on('line', (line) => {
      // `samizdat --json server` says `{"httpUrl":…,"port":…}` once every worker listens.
      if (options.isNpmStart && line.startsWith('{"httpUrl"')) return done({ port: (JSON.parse(line) as { port: number }).port, pids: [child.pid!] });
      if (!line.startsWith('{"benchServer"')) return void process.stdout.write(`${line}\n`);
      done(JSON.parse(line) as { port: number; pids: number[] });
    }),
  );
  const announced = await Promise.race([
    listening,
    exited.then((code) => Promise.reject(new Error(`Cannot start the server: its process exited with code ${code} before listening`))),
  ]);
  const startMs = performance.now() - started;
  const firstRequestMs = await firstRequest;
  const pids = announced.pids;
  return {
    url: `ws://127.0.0.1:${announced.port}/ws`,
    httpUrl: `http://127.0.0.1:${announced.port}`,
    pid: child.pid!,
    pids,
    workers,
    startMs,
    firstRequestMs,
    memory() {
      const readings = pids.map(readMemory);
      return {
        rssKiB: readings.reduce((sum, reading) => sum + reading.rssKiB, 0),
        peakRssKiB: readings.reduce((sum, reading) => sum + reading.peakRssKiB, 0),
        perProcessRssKiB: readings.map((reading) => reading.rssKiB),
      };
    },
    async collectGarbage() {
      child.kill('SIGUSR2');
      // A full collection of a heap holding 100,000 connections takes longer than one of a few.
      await new Promise((done) => setTimeout(done, 700));
    },
    cpuSeconds: () => pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function readMemory(pid: number): { rssKiB: number; peakRssKiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssKiB: kib('VmRSS'), peakRssKiB: kib('VmHWM') };
}

/** User + system CPU seconds of a process, from /proc/<pid>/stat (clock ticks of 1/100 s). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** KiB to MiB, to one decimal. */
export function mib(kib: number): number {
  return Math.round((kib / 1024) * 10) / 10;
}
