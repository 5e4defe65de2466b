/**
 * `npm run bench [-- --quick] [-- --only=one-to-one,channel-fanout,group-join]`: runs each workload
 * against a server in its own process on a fresh data folder, drives it through the public protocol,
 * and writes every figure as one JSON file under bench/results/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { PROTOCOL_VERSION } from '@samizdat/protocol';
import { runChannelFanout, type ChannelFanoutParams, type ChannelFanoutResult } from './channel-fanout.ts';
import { runGroupJoin, type GroupJoinParams, type GroupJoinResult } from './group-join.ts';
import { runOneToOne, type OneToOneParams, type OneToOneResult } from './one-to-one.ts';
import { startServerProcess } from './server-control.ts';
import { runFileTransfer, type FileTransferParams, type FileTransferResult } from './file-transfer.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const WORKLOADS = ['one-to-one', 'channel-fanout', 'group-join', 'file-transfer'] as const;
type Workload = (typeof WORKLOADS)[number];

const quick = process.argv.includes('--quick');
const onlyArgument = process.argv.find((arg) => arg.startsWith('--only='));
const selected: Workload[] = onlyArgument === undefined ? [...WORKLOADS] : onlyArgument.slice('--only='.length).split(',').map(parseWorkload);

function parseWorkload(name: string): Workload {
  if ((WORKLOADS as readonly string[]).includes(name)) return name as Workload;
  throw new Error(`Cannot run workload "${name}": known ones are ${WORKLOADS.join(', ')}`);
}

const params = {
  fileTransfer: { sizeBytes: (quick ? 256 : 1024) * 2 ** 20, partBytes: 512 * 1024, parallel: 4 } satisfies FileTransferParams,
  oneToOne: (quick ? { pairs: 20, messagesPerSender: 500, window: 20 } : { pairs: 50, messagesPerSender: 2000, window: 40 }) satisfies OneToOneParams,
  channelFanout: {
    subscriberCounts: quick ? [1000] : [1000, 10_000],
    posts: 5,
    workers: 4,
    localAddresses: ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'],
    concurrency: 400,
    deliveryTimeoutMs: 30_000,
  } satisfies ChannelFanoutParams,
  groupJoin: { groupSizes: [1000, 200_000], joinersPerGroup: quick ? 5 : 9, historyMessages: 60, historyLimit: 50 } satisfies GroupJoinParams,
};

const log = (line: string) => console.log(line);

/** Runs `body` with a fresh data folder, removed afterwards. */
async function withDataDir<T>(body: (dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samizdat-bench-'));
  try {
    return await body(dataDir);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function versions() {
  const packageVersion = (name: string) => (JSON.parse(readFileSync(join(ROOT, 'packages', name, 'package.json'), 'utf8')) as { version: string }).version;
  const dependencyVersion = (name: string) => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const memory = new Sqlite(':memory:');
  const sqlite = (memory.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  memory.close();
  return {
    node: process.version,
    server: packageVersion('server'),
    protocol: PROTOCOL_VERSION,
    commit: git('rev-parse', 'HEAD'),
    hasUncommittedChanges: (git('status', '--porcelain') ?? '') !== '',
    sqlite,
    betterSqlite3: dependencyVersion('better-sqlite3'),
    ws: dependencyVersion('ws'),
  };
}

const date = new Date().toISOString();
// Other work on the machine moves every figure; the load average says how much there was.
const loadAverageAtStart = loadavg().map((value) => Math.round(value * 100) / 100);
/** Workloads that failed, with why: the others still run and are written. */
const failures: Record<string, string> = {};

async function attempt<T>(workload: Workload, run: () => Promise<T>): Promise<T | undefined> {
  if (!selected.includes(workload)) return undefined;
  log(`${workload} …`);
  try {
    return await run();
  } catch (error) {
    failures[workload] = error instanceof Error ? error.message : String(error);
    console.error(`${workload} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return undefined;
  }
}

const oneToOne: OneToOneResult | undefined = await attempt('one-to-one', () =>
  withDataDir(async (dataDir) => {
    const server = await startServerProcess(dataDir);
    try {
      return await runOneToOne(server.url, params.oneToOne);
    } finally {
      await server.stop();
    }
  }),
);
const channelFanout: ChannelFanoutResult | undefined = await attempt('channel-fanout', () => withDataDir((dataDir) => runChannelFanout(dataDir, params.channelFanout, log)));
const groupJoin: GroupJoinResult | undefined = await attempt('group-join', () => withDataDir((dataDir) => runGroupJoin(dataDir, params.groupJoin, log)));
const fileTransfer: FileTransferResult | undefined = await attempt('file-transfer', () =>
  withDataDir(async (dataDir) => {
    const server = await startServerProcess(dataDir);
    try {
      return await runFileTransfer(server, params.fileTransfer);
    } finally {
      await server.stop();
    }
  }),
);

const result = {
  benchmark: 'samizdat',
  date,
  mode: quick ? 'quick' : 'full',
  workloads: selected,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage1m5m15m: { atStart: loadAverageAtStart, atEnd: loadavg().map((value) => Math.round(value * 100) / 100) },
  },
  versions: versions(),
  storage: 'sqlite WAL synchronous=FULL, group commit',
  notes: [
    'Server, load generators and parent share the machine; delivery times include the load generators\' own scheduling.',
    'Fan-out: accounts are signed up and joined with nobody online and the server data on tmpfs, then the server restarts on disk and the subscribers come online by token; everything measured runs on disk.',
    'Fan-out: the clock starts when the admin hands the post to its socket and stops at each subscriber\'s receive (performance.timeOrigin + performance.now(), comparable across processes on one machine).',
    'Group join: members are written into the stopped server\'s SQLite file, each group to its size less the joiners (a group at 200,000 takes nobody more); only the joiner is online while it joins.',
    'Server memory is read from /proc/<pid>/status after a full garbage collection (the server runs with --expose-gc).',
  ],
  params: {
    ...(oneToOne && { oneToOne: params.oneToOne }),
    ...(channelFanout && { channelFanout: params.channelFanout }),
    ...(groupJoin && { groupJoin: params.groupJoin }),
    ...(fileTransfer && { fileTransfer: params.fileTransfer }),
  },
  ...(oneToOne && { oneToOne }),
  ...(channelFanout && { channelFanout }),
  ...(groupJoin && { groupJoin }),
  ...(fileTransfer && { fileTransfer }),
  ...(Object.keys(failures).length > 0 && { failures }),
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const file = join(ROOT, 'bench/results', `${date.replace(/[:.]/g, '-')}-bench.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

console.log('');
const rows: string[][] = [['workload', 'figure', 'value']];
if (oneToOne) {
  rows.push(['durable 1:1', `${params.oneToOne.pairs} pairs, window ${params.oneToOne.window}`, `${oneToOne.messagesPerSecond} msg/s, p50 ${oneToOne.latencyMs.p50} ms, p99 ${oneToOne.latencyMs.p99} ms`]);
}
for (const run of channelFanout?.runs ?? []) {
  rows.push([`channel ${run.subscribers}`, `last delivery (median of ${run.posts.length})`, `${run.median.lastDeliveryMs} ms (each: ${run.posts.map((post) => post.lastDeliveryMs).join(', ')})`]);
  rows.push(['', 'delivery p50 / p99', `${run.median.p50DeliveryMs} / ${run.median.p99DeliveryMs} ms`]);
  rows.push(['', 'post ack', `${run.median.ackMs} ms`]);
  rows.push(['', 'online / missing', `${run.online} / ${run.posts.reduce((sum, post) => sum + post.missing, 0)} (sign-up+join ${run.signUpSeconds} s, online by token ${run.connectSeconds} s)`]);
  rows.push(['', 'server RSS', `${run.serverMemoryMiB.online} MiB online (${run.serverMemoryMiB.perSubscriberKiB} KiB/subscriber), peak ${run.serverMemoryMiB.peak} MiB`]);
}
for (const run of groupJoin?.runs ?? []) {
  rows.push([`group ${run.members}`, `join (median of ${run.samples.length})`, `${run.joinMs.median} ms (min ${run.joinMs.min}, max ${run.joinMs.max})`]);
  rows.push(['', 'history of 50', `${run.historyMs.median} ms`]);
  rows.push(['', 'first post ack', `${run.postAckMs.median} ms`]);
}
if (groupJoin) {
  rows.push(['', 'seed / restart', `${groupJoin.seed.memberships} memberships in ${groupJoin.seed.seconds} s / restart ${groupJoin.restartMs} ms, RSS ${groupJoin.serverMemoryMiB.afterRestart} MiB`]);
}
if (fileTransfer) {
  rows.push([`file ${fileTransfer.sizeMiB} MiB`, 'upload (parts + join)', `${fileTransfer.upload.mibPerSecond} MiB/s: ${fileTransfer.upload.seconds} s (${fileTransfer.upload.partsSeconds} + ${fileTransfer.upload.completeSeconds})`]);
  rows.push(['', 'download', `${fileTransfer.download.mibPerSecond} MiB/s: ${fileTransfer.download.seconds} s`]);
  rows.push(['', 'server RSS', `${fileTransfer.serverMemoryMiB.before} MiB before, peak ${fileTransfer.serverMemoryMiB.peakDuring} MiB (+${fileTransfer.serverMemoryMiB.growth})`]);
}
for (const [workload, reason] of Object.entries(failures)) rows.push([workload, 'FAILED', reason]);
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows) console.log(row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '));
console.log(`\nwritten to ${file}`);
if (Object.keys(failures).length > 0) process.exitCode = 1;
