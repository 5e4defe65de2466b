/**
 * Starts and stops the server under test in its own process (see `server-process.ts`), and reads
 * its memory from /proc.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A server process that is listening. */
export interface ServerProcess {
  /** `ws://127.0.0.1:<port>/ws` */
  readonly url: string;
  readonly pid: number;
  /** Milliseconds from spawn until it listened (schema migration and start-up included). */
  readonly startMs: number;
  /** Resident memory now and at its peak, from /proc/<pid>/status, in KiB. */
  memory(): { rssKiB: number; peakRssKiB: number };
  /** Asks the server for a full garbage collection (SIGUSR2) and gives it time to run, before a memory reading. */
  collectGarbage(): Promise<void>;
  /** SIGTERM, then waits for the process to close its store and exit. */
  stop(): Promise<void>;
}

/** Starts a server on a free port with its data in `dataDir` (created when missing, kept when present). */
export async function startServerProcess(dataDir: string): Promise<ServerProcess> {
  // BENCH_CPU_PROF=DIR writes a CPU profile of the server to DIR, to see what bounds a figure.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const started = performance.now();
  const child = spawn(process.execPath, [...profile, '--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./server-process.ts', import.meta.url)), JSON.stringify({ dataDir })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const line = await Promise.race([
    new Promise<string>((done) => createInterface({ input: child.stdout! }).once('line', done)),
    exited.then((code) => Promise.reject(new Error(`Cannot start the server: its process exited with code ${code} before listening`))),
  ]);
  const startMs = performance.now() - started;
  const { port } = JSON.parse(line) as { port: number };
  const pid = child.pid!;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    pid,
    startMs,
    memory: () => readMemory(pid),
    async collectGarbage() {
      child.kill('SIGUSR2');
      await new Promise((done) => setTimeout(done, 500));
    },
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

/** KiB to MiB, to one decimal. */
export function mib(kib: number): number {
  return Math.round((kib / 1024) * 10) / 10;
}
