/**
 * `npm run bench [-- --quick] [-- --only=one-to-one,channel-fanout,connections,catch-up,cold-start,group-join,file-transfer,xmpp]`:
 * runs each workload against a server in its own process(es) on a fresh data folder, drives it
 * through the public protocol, compares the durable 1:1 workload with ejabberd and Prosody, and writes
 * every figure as one JSON file under bench/results/, then prints the figures and each next to its target.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { PROTOCOL_VERSION } from '@samizdat/protocol';
import { round } from './stats.ts';
import { runCatchUp, type CatchUpParams, type CatchUpResult } from './catch-up.ts';
import { runChannelFanout, type ChannelFanoutParams, type ChannelFanoutResult } from './channel-fanout.ts';
import { runColdStart, type ColdStartParams, type ColdStartResult } from './cold-start.ts';
import { runConnections, type ConnectionsParams, type ConnectionsResult } from './connections.ts';
import { runGroupJoin, type GroupJoinParams, type GroupJoinResult } from './group-join.ts';
import { runOneToOne, type OneToOneParams, type OneToOneRun, type OneToOneSuiteParams } from './one-to-one.ts';
import { startServerProcess } from './server-control.ts';
import { runFileTransfer, type FileTransferParams, type FileTransferResult } from './file-transfer.ts';
import { runXmppPeers, XMPP_PEERS, type XmppPeersResult } from './xmpp-main.ts';
import type { XmppOneToOneParams } from './xmpp-one-to-one.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const WORKLOADS = ['one-to-one', 'channel-fanout', 'connections', 'catch-up', 'cold-start', 'group-join', 'file-transfer', 'xmpp'] as const;
type Workload = (typeof WORKLOADS)[number];

const quick = process.argv.includes('--quick');
const onlyArgument = process.argv.find((arg) => arg.startsWith('--only='));
const selected: Workload[] = onlyArgument === undefined ? [...WORKLOADS] : onlyArgument.slice('--only='.length).split(',').map(parseWorkload);

function parseWorkload(name: string): Workload {
  if ((WORKLOADS as readonly string[]).includes(name)) return name as Workload;
  throw new Error(`Cannot run workload "${name}": known ones are ${WORKLOADS.join(', ')}`);
}

/** The server's default in production: one worker per core. */
const perCore = cpus().length;
/** Server worker counts of the 1:1 workload: what the second core adds, and (full) one per core. */
const oneToOneServerWorkers = [...new Set(quick ? [1, 2] : [1, 2, perCore])];
const loopback = (count: number) => Array.from({ length: count }, (_, index) => `127.0.0.${index + 2}`);
/**
 * The XMPP comparison's windowed workload, run on Samizdat too (same run, same parameters), so the
 * ratios compare like with like. Smaller than the 1:1 saturation run: ejabberd with its archive
 * manages 150–1,000 msg/s here, and the whole quick run must stay under 2 minutes.
 */
const xmppWorkload: OneToOneParams = quick ? { pairs: 10, messagesPerSender: 100, window: 20 } : { pairs: 50, messagesPerSender: 200, window: 40 };
/** A peer that has not finished by then fails (and is recorded so) rather than overrun the quick run's 2 minutes. */
const xmppParams: XmppOneToOneParams = { ...xmppWorkload, timeoutMs: quick ? 30_000 : 300_000 };

const params = {
  fileTransfer: { sizeBytes: (quick ? 128 : 1024) * 2 ** 20, partBytes: 512 * 1024, parallel: 4 } satisfies FileTransferParams,
  oneToOne: {
    ...(quick ? { pairs: 20, messagesPerSender: 300, window: 20 } : { pairs: 50, messagesPerSender: 2000, window: 40 }),
    generators: 2,
    localAddresses: loopback(2),
    offeredRate: 10_000,
    rateDurationMs: quick ? 2000 : 10_000,
    alsoWindowed: (selected.includes('xmpp') ? { xmpp: xmppWorkload } : {}) as Record<string, OneToOneParams>,
  } satisfies OneToOneSuiteParams,
  channelFanout: {
    subscriberCounts: quick ? [1000] : [1000, 10_000],
    posts: 5,
    workers: 4,
    localAddresses: loopback(4),
    concurrency: 400,
    deliveryTimeoutMs: 30_000,
  } satisfies ChannelFanoutParams,
  // 100,000 connections: 7 server workers (~14,300 sockets each, under the ~19,000 a process may
  // hold), 6 load generators (~16,700 each), each over 4 addresses (~4,200 ports each of ~28,000).
  connections: (quick
    ? { connections: 10_000, serverWorkers: perCore, generators: 2, localAddresses: loopback(4), concurrency: 200, posts: 3, deliveryTimeoutMs: 30_000 }
    : { connections: 100_000, serverWorkers: 7, generators: 6, localAddresses: loopback(24), concurrency: 200, posts: 3, deliveryTimeoutMs: 60_000 }) satisfies ConnectionsParams,
  catchUp: { updates: 10_000, senders: 8, window: 50, timeoutMs: 60_000, samples: quick ? 1 : 3 } satisfies CatchUpParams,
  coldStart: { workers: [...new Set([1, perCore])], samples: quick ? 1 : 3, populatedAccounts: quick ? 10_000 : 100_000 } satisfies ColdStartParams,
  groupJoin: { groupSizes: [1000, 200_000], joinersPerGroup: quick ? 3 : 9, historyMessages: 60, historyLimit: 50 } satisfies GroupJoinParams,
  xmpp: xmppParams,
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
/** Wall-clock seconds each workload took, set-up included. */
const workloadSeconds: Partial<Record<Workload, number>> = {};

async function attempt<T>(workload: Workload, run: () => Promise<T>): Promise<T | undefined> {
  if (!selected.includes(workload)) return undefined;
  log(`${workload} …`);
  const started = performance.now();
  try {
    return await run();
  } catch (error) {
    failures[workload] = error instanceof Error ? error.message : String(error);
    console.error(`${workload} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return undefined;
  } finally {
    workloadSeconds[workload] = round((performance.now() - started) / 1000, 1);
  }
}

const benchStarted = performance.now();
const oneToOne: OneToOneRun[] | undefined = await attempt('one-to-one', async () => {
  const runs: OneToOneRun[] = [];
  for (const workers of oneToOneServerWorkers) {
    runs.push(
      await withDataDir(async (dataDir) => {
        const server = await startServerProcess(dataDir, { workers });
        try {
          return await runOneToOne(server, params.oneToOne, log);
        } finally {
          await server.stop();
        }
      }),
    );
  }
  return runs;
});
const channelFanout: ChannelFanoutResult | undefined = await attempt('channel-fanout', () => withDataDir((dataDir) => runChannelFanout(dataDir, params.channelFanout, log)));
const connections: ConnectionsResult | undefined = await attempt('connections', () => withDataDir((dataDir) => runConnections(dataDir, params.connections, log)));
const catchUp: CatchUpResult | undefined = await attempt('catch-up', () =>
  withDataDir(async (dataDir) => {
    const server = await startServerProcess(dataDir, { workers: perCore });
    try {
      const result = await runCatchUp(server, params.catchUp);
      log(`  catch-up: ${result.updates} updates in ${result.catchUpMs} ms, the median of ${result.samplesMs.length} samples: ${result.samplesMs.join(', ')} ms (${result.updatesPerSecond}/s; made in ${result.makeSeconds} s)`);
      return result;
    } finally {
      await server.stop();
    }
  }),
);
const coldStart: ColdStartResult | undefined = await attempt('cold-start', () => runColdStart(params.coldStart, log));
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
const xmpp: XmppPeersResult | undefined = await attempt('xmpp', async () => {
  // The peers come from Debian's packages, installed by the project's own script the first time (idempotent).
  execFileSync('bash', [join(ROOT, 'scripts/install-bench-deps.sh')], { stdio: 'inherit' });
  const result = await runXmppPeers(params.xmpp, XMPP_PEERS, log);
  for (const [peer, reason] of Object.entries(result.failures)) failures[`xmpp ${peer}`] = reason;
  return result;
});

/** Samizdat's figures on the XMPP comparison's workload, from this run, next to each peer's. */
function xmppComparison() {
  if (xmpp === undefined) return undefined;
  const samizdat = (oneToOne ?? []).flatMap((run) => (run.windowed.xmpp === undefined ? [] : [{ serverWorkers: run.serverWorkers, ...run.windowed.xmpp }]));
  const reference = samizdat.find((run) => run.serverWorkers === perCore) ?? samizdat.at(-1);
  return {
    workload: params.xmpp,
    samizdat,
    peers: xmpp.runs.map(({ peer, result }) => ({
      peer,
      version: result.version,
      messagesPerSecond: result.messagesPerSecond,
      latencyMs: result.latencyMs,
      cpuSeconds: result.cpuSeconds,
      serverMemoryMiB: result.serverMemoryMiB,
      // Samizdat (one worker per core) / peer: above 1 means Samizdat is faster (or, for p99, slower).
      ratio:
        reference === undefined
          ? null
          : {
              samizdatServerWorkers: reference.serverWorkers,
              messagesPerSecond: round(reference.messagesPerSecond / result.messagesPerSecond, 2),
              p50: round(reference.latencyMs.p50 / result.latencyMs.p50, 2),
              p99: round(reference.latencyMs.p99 / result.latencyMs.p99, 2),
            },
    })),
  };
}
const comparison = xmppComparison();
const totalSeconds = round((performance.now() - benchStarted) / 1000, 1);

/** Each figure next to its target (from the issue), and whether it is met. */
type Target = { figure: string; value: number | null; unit: string; target: string; met: boolean | null; note?: string };
const targets: Target[] = [];
{
  const cluster = oneToOne?.find((run) => run.serverWorkers === perCore) ?? oneToOne?.at(-1);
  if (cluster) {
    targets.push({ figure: `durable 1:1 at saturation (×${cluster.serverWorkers} workers)`, value: cluster.saturation.messagesPerSecond, unit: 'msg/s', target: '≥ 25,000', met: cluster.saturation.messagesPerSecond >= 25_000 });
    const rate = cluster.fixedRate;
    targets.push({
      figure: `durable 1:1 p99 at ${rate.offeredPerSecond.toLocaleString('en')} msg/s offered (×${cluster.serverWorkers})`,
      value: rate.latencyMs.p99,
      unit: 'ms',
      target: '≤ 25',
      met: rate.latencyMs.p99 <= 25 && rate.achievedPerSecond >= 0.95 * rate.offeredPerSecond,
      note: `achieved ${rate.achievedPerSecond} msg/s`,
    });
  }
  if (connections) {
    const full = connections.online >= 100_000;
    targets.push({ figure: `idle connections held (×${connections.serverWorkers} workers)`, value: connections.online, unit: 'connections', target: '≥ 100,000', met: full ? true : quick ? null : false, ...(quick ? { note: 'quick mode holds 10,000' } : {}) });
    targets.push({ figure: 'server memory per idle connection', value: connections.bytesPerConnection, unit: 'bytes', target: '≤ 8,192', met: connections.bytesPerConnection <= 8192 });
    targets.push({
      figure: `fan-out to ${connections.online.toLocaleString('en')} online, last delivery`,
      value: connections.fanout.median.lastDeliveryMs,
      unit: 'ms',
      target: '≤ 1,500 at 100,000',
      met: full ? connections.fanout.median.lastDeliveryMs <= 1500 : null,
      ...(full ? {} : { note: 'target is for 100,000 (full mode)' }),
    });
  }
  if (catchUp) targets.push({ figure: `catch-up of ${catchUp.updates.toLocaleString('en')} updates`, value: catchUp.catchUpMs, unit: 'ms', target: '≤ 300', met: catchUp.catchUpMs <= 300 });
  for (const one of coldStart?.cases ?? []) {
    targets.push({ figure: `cold start to first request, ${one.folder} folder (×${one.workers})`, value: one.firstRequestMs, unit: 'ms', target: '≤ 1,000', met: one.firstRequestMs <= 1000 });
  }
}

const result = {
  benchmark: 'samizdat',
  date,
  mode: quick ? 'quick' : 'full',
  workloads: selected,
  totalSeconds,
  workloadSeconds,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage1m5m15m: { atStart: loadAverageAtStart, atEnd: loadavg().map((value) => Math.round(value * 100) / 100) },
  },
  versions: versions(),
  storage: 'sqlite WAL synchronous=FULL, group commit',
  notes: [
    "Server, load generators and parent share the machine's cores; delivery times include the load generators' own scheduling. Other work on the machine moves every figure: see loadAverage1m5m15m.",
    'Durable 1:1: forked load generators (one-to-one-worker.ts) on 127.0.0.2–3, raw protocol (wire-client.ts) rather than the SDK: at these rates the SDK\'s per-message work (outbox, persisted state, update sequencing) would cost more CPU than the server\'s, on 2 cores shared with it. Both ends of each pair are in one process, so send→deliver latency is read on one clock. A message counts once acked to its sender AND delivered to its recipient.',
    'Durable 1:1 fixed rate: open loop, timer-driven (1 ms ticks send what is due), spread evenly over the senders; achieved = completed / (first send → last completion).',
    'Idle connections: accounts, sessions (token_hash = SHA-256 hex of the token) and channel memberships are written into the stopped server\'s SQLite file; each session\'s address is the load generator\'s and its last activity a little ahead, so a hello writes nothing. Bytes per connection = (server RSS, all processes, with N online − before) / N, each after a full collection.',
    'Fan-out to the idle set: the clock starts when the owner hands the post to its socket and stops at each subscriber\'s receive (performance.timeOrigin + performance.now(), comparable across processes).',
    'Catch-up: the SDK (MemoryStore kept across the two clients) resumes from its stored pts with updates.getDifference slices; the clock runs from connect() until the app has every message. Each sample is another user away for its own updates; the figure is the median sample (samplesMs has them all).',
    'Cold start: spawn of the server process until GET /healthz answers 200 (polled every 2 ms on a port chosen beforehand); startMs is until every worker listens.',
    'Fan-out (channel-fanout): accounts are signed up and joined with nobody online and the server data on tmpfs, then the server restarts on disk and the subscribers come online by token.',
    'Group join: members are written into the stopped server\'s SQLite file, each group to its size less the joiners; only the joiner is online while it joins.',
    'Server memory is read from /proc/<pid>/status of every server process after a full garbage collection (the server and its workers run with --expose-gc; SIGUSR2 asks for it); a peak is the sum of each process\'s own peak.',
    'XMPP peers: the same windowed 1:1 workload (params.xmpp) on ejabberd with mod_mam, ejabberd without, Prosody (xmpp-*.ts; @xmpp/client in the parent process, acks by XEP-0198); ratios are Samizdat (one worker per core) / peer from this run.',
  ],
  params: Object.fromEntries(
    Object.entries({
      oneToOne: oneToOne && { ...params.oneToOne, serverWorkers: oneToOneServerWorkers },
      channelFanout: channelFanout && params.channelFanout,
      connections: connections && params.connections,
      catchUp: catchUp && { ...params.catchUp, serverWorkers: perCore },
      coldStart: coldStart && params.coldStart,
      groupJoin: groupJoin && params.groupJoin,
      fileTransfer: fileTransfer && params.fileTransfer,
      xmpp: xmpp && params.xmpp,
    }).filter(([, value]) => value !== undefined),
  ),
  targets,
  ...(oneToOne && { oneToOne }),
  ...(channelFanout && { channelFanout }),
  ...(connections && { connections }),
  ...(catchUp && { catchUp }),
  ...(coldStart && { coldStart }),
  ...(groupJoin && { groupJoin }),
  ...(fileTransfer && { fileTransfer }),
  ...(xmpp && { xmpp, xmppComparison: comparison }),
  ...(Object.keys(failures).length > 0 && { failures }),
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const file = join(ROOT, 'bench/results', `${date.replace(/[:.]/g, '-')}-bench.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  for (const row of rows) console.log(row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '));
}

console.log('');
const rows: string[][] = [['workload', 'figure', 'value']];
for (const run of oneToOne ?? []) {
  const { saturation, fixedRate } = run;
  rows.push([`durable 1:1 ×${run.serverWorkers}`, `saturation, ${params.oneToOne.pairs} pairs, window ${params.oneToOne.window}`, `${saturation.messagesPerSecond} msg/s, p50 ${saturation.latencyMs.p50} ms, p99 ${saturation.latencyMs.p99} ms (CPU s: server ${saturation.cpuSeconds.server}, generators ${saturation.cpuSeconds.loadGenerators} of ${saturation.seconds} s)`]);
  rows.push(['', `${fixedRate.offeredPerSecond} msg/s offered for ${fixedRate.offeredSeconds} s`, `${fixedRate.achievedPerSecond} achieved, p50 ${fixedRate.latencyMs.p50} ms, p99 ${fixedRate.latencyMs.p99} ms, max ${fixedRate.latencyMs.max} ms (CPU s: server ${fixedRate.cpuSeconds.server}, generators ${fixedRate.cpuSeconds.loadGenerators})`]);
}
if (oneToOne && oneToOne.length > 1) {
  const [first, ...rest] = oneToOne;
  for (const run of rest) rows.push(['', `×${run.serverWorkers} / ×${first!.serverWorkers} workers`, `saturation ${round(run.saturation.messagesPerSecond / first!.saturation.messagesPerSecond, 2)}×, achieved at fixed rate ${round(run.fixedRate.achievedPerSecond / first!.fixedRate.achievedPerSecond, 2)}×`]);
}
for (const run of channelFanout?.runs ?? []) {
  rows.push([`channel ${run.subscribers}`, `last delivery (median of ${run.posts.length})`, `${run.median.lastDeliveryMs} ms (each: ${run.posts.map((post) => post.lastDeliveryMs).join(', ')})`]);
  rows.push(['', 'delivery p50 / p99, post ack', `${run.median.p50DeliveryMs} / ${run.median.p99DeliveryMs} ms, ack ${run.median.ackMs} ms`]);
  rows.push(['', 'online / missing', `${run.online} / ${run.posts.reduce((sum, post) => sum + post.missing, 0)} (sign-up+join ${run.signUpSeconds} s, online by token ${run.connectSeconds} s)`]);
}
if (connections) {
  rows.push([`idle ${connections.connections}`, `online (×${connections.serverWorkers} workers)`, `${connections.online} in ${connections.connectSeconds} s${connections.connectFailures.count ? `, ${connections.connectFailures.count} failed` : ''}`]);
  rows.push(['', 'server RSS', `${connections.serverMemoryMiB.before} → ${connections.serverMemoryMiB.online} MiB: ${connections.bytesPerConnection} bytes per connection`]);
  rows.push(['', `fan-out to all (median of ${connections.fanout.posts.length})`, `last ${connections.fanout.median.lastDeliveryMs} ms, p50 ${connections.fanout.median.p50DeliveryMs}, p99 ${connections.fanout.median.p99DeliveryMs}, ack ${connections.fanout.median.ackMs} ms; missing ${connections.fanout.posts.reduce((sum, post) => sum + post.missing, 0)}`]);
}
if (catchUp) rows.push([`catch-up ${catchUp.updates}`, `SDK resumes from pts, slices of ${catchUp.sliceSize}`, `${catchUp.catchUpMs} ms, median of ${catchUp.samplesMs.length} (${catchUp.updatesPerSecond} updates/s; welcome ${catchUp.welcomeMs} ms)`]);
for (const one of coldStart?.cases ?? []) rows.push([`cold start ×${one.workers}`, `${one.folder} folder${one.folder === 'populated' ? ` (${coldStart!.populatedAccounts} accounts)` : ''}`, `first request ${one.firstRequestMs} ms, all listening ${one.startMs} ms`]);
for (const run of groupJoin?.runs ?? []) {
  rows.push([`group ${run.members}`, `join (median of ${run.samples.length})`, `${run.joinMs.median} ms (min ${run.joinMs.min}, max ${run.joinMs.max}); history ${run.historyMs.median} ms, post ack ${run.postAckMs.median} ms`]);
}
if (fileTransfer) {
  rows.push([`file ${fileTransfer.sizeMiB} MiB`, 'upload / download', `${fileTransfer.upload.mibPerSecond} / ${fileTransfer.download.mibPerSecond} MiB/s`]);
}
if (comparison) {
  for (const run of comparison.samizdat) rows.push([`1:1 samizdat ×${run.serverWorkers}`, `${comparison.workload.pairs} pairs × ${comparison.workload.messagesPerSender}, window ${comparison.workload.window}`, `${run.messagesPerSecond} msg/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms`]);
  for (const peer of comparison.peers) {
    rows.push([`1:1 ${peer.peer} ${peer.version}`, 'same workload', `${peer.messagesPerSecond} msg/s, p50 ${peer.latencyMs.p50} ms, p99 ${peer.latencyMs.p99} ms${peer.ratio ? `; samizdat/${peer.peer}: ${peer.ratio.messagesPerSecond}× msg/s, p99 ${peer.ratio.p99}×` : ''}`]);
  }
}
for (const [workload, reason] of Object.entries(failures)) rows.push([workload, 'FAILED', reason.split('\n')[0]!]);
printTable(rows);

if (targets.length > 0) {
  console.log('');
  printTable([
    ['target', 'value', 'target', 'met'],
    ...targets.map((t) => [t.figure, `${t.value === null ? '–' : t.value.toLocaleString('en')} ${t.unit}${t.note ? ` (${t.note})` : ''}`, t.target, t.met === null ? 'n/a' : t.met ? 'yes' : 'NO']),
  ]);
}
console.log(`\n${quick ? 'quick' : 'full'} run: ${totalSeconds} s (${Object.entries(workloadSeconds).map(([name, seconds]) => `${name} ${seconds}`).join(', ')}); written to ${file}`);
if (Object.keys(failures).length > 0) process.exitCode = 1;
