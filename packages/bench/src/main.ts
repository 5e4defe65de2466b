/**
 * `npm run bench [-- --quick]`: starts a server in its own process on a fresh data folder, drives it
 * through the public protocol with the SDK, and writes every figure as JSON under bench/results/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runOneToOne, type OneToOneParams } from './one-to-one.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const quick = process.argv.includes('--quick');

async function startServerProcess(dataDir: string) {
  // BENCH_CPU_PROF=DIR writes a CPU profile of the server to DIR, to see what bounds a figure.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', fileURLToPath(new URL('./server-process.ts', import.meta.url)), JSON.stringify({ dataDir })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((done) => createInterface({ input: child.stdout! }).once('line', done));
  const { port } = JSON.parse(line) as { port: number };
  return { url: `ws://127.0.0.1:${port}/ws`, stop: () => new Promise<void>((done) => (child.on('exit', () => done()), child.kill('SIGTERM'))) };
}

const params: OneToOneParams = quick
  ? { pairs: 20, messagesPerSender: 500, window: 20 }
  : { pairs: 50, messagesPerSender: 2000, window: 40 };
const dataDir = mkdtempSync(join(tmpdir(), 'samizdat-bench-'));
const server = await startServerProcess(dataDir);
try {
  const oneToOne = await runOneToOne(server.url, params);
  const result = {
    benchmark: 'one-to-one-durable',
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    storage: 'sqlite WAL synchronous=FULL, group commit',
    params,
    oneToOne,
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, 'bench/results', `${result.date.replace(/[:.]/g, '-')}-one-to-one.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`durable 1:1  ${oneToOne.messagesPerSecond} msg/s acked+delivered  p50 ${oneToOne.latencyMs.p50} ms  p99 ${oneToOne.latencyMs.p99} ms  (${oneToOne.messages} messages, ${params.pairs} pairs, window ${params.window})`);
  console.log(`written to ${file}`);
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
