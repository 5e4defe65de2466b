/**
 * Durable 1:1 delivery, all online: N senders to N recipients, driven from forked load-generator
 * processes (`one-to-one-worker.ts`) on loopback addresses 127.0.0.2…, each holding whole pairs so
 * that send→deliver latency is read on one clock. A message counts once the server has acked it to
 * its sender AND its recipient has it.
 *
 * Two modes against the same server and accounts: saturation (each sender keeps a fixed window of
 * unacked sends) and a fixed offered rate (timer-driven, spread evenly over the senders, open loop).
 */
import { fileURLToPath } from 'node:url';
import { ForkedWorker } from './forked.ts';
import type { OneToOneWorkerReply, OneToOneWorkerRequest, RunReport } from './one-to-one-worker.ts';
import type { ServerProcess } from './server-control.ts';
import { percentile, round } from './stats.ts';
import { testPhone } from './wire-client.ts';

/** The windowed workload (shared with the XMPP side, `xmpp-one-to-one.ts`). */
export interface OneToOneParams {
  /** Sender→recipient pairs, each sender and recipient its own connection. */
  pairs: number;
  messagesPerSender: number;
  /** Sends each sender keeps unacknowledged at once. */
  window: number;
}

/** The figures of one windowed run (shared with the XMPP side). */
export interface OneToOneResult {
  messages: number;
  seconds: number;
  /** Messages acknowledged to their sender AND delivered to their recipient, per second. */
  messagesPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
}

export interface OneToOneSuiteParams extends OneToOneParams {
  /** Load-generator processes; pairs are dealt out to them in turn. */
  generators: number;
  /** Generator i connects from `localAddresses[i % length]`. */
  localAddresses: string[];
  /** Fixed-rate mode: messages per second offered by all senders together. */
  offeredRate: number;
  /** Fixed-rate mode: how long the rate is offered. */
  rateDurationMs: number;
  /** Extra windowed runs with other parameters (the XMPP comparison's workload), by name. */
  alsoWindowed?: Record<string, OneToOneParams>;
}

type CpuSeconds = { server: number; loadGenerators: number };

export interface SaturationResult extends OneToOneResult {
  ackMs: { p50: number; p99: number };
  incomplete: number;
  failures: number;
  firstFailure: string | null;
  /** CPU seconds used during the run, by the server (all its processes) and by the load generators. */
  cpuSeconds: CpuSeconds;
}

export interface FixedRateResult {
  offeredPerSecond: number;
  offeredSeconds: number;
  sent: number;
  completed: number;
  incomplete: number;
  failures: number;
  /** Completed messages over the time from the first send to the last completion. */
  achievedPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  ackMs: { p50: number; p99: number };
  cpuSeconds: CpuSeconds;
}

export interface OneToOneRun {
  serverWorkers: number;
  saturation: SaturationResult;
  fixedRate: FixedRateResult;
  /** Extra windowed runs (see `alsoWindowed`). */
  windowed: Record<string, SaturationResult>;
  setupSeconds: number;
}

type Worker = ForkedWorker<OneToOneWorkerRequest, OneToOneWorkerReply>;
const now = () => performance.timeOrigin + performance.now();

/** Merges the sorted arrays of every worker into one sorted array. */
function mergeSorted(arrays: number[][]): number[] {
  return arrays.flat().sort((a, b) => a - b);
}

function summarise(reports: RunReport[]) {
  const latencies = mergeSorted(reports.map((report) => report.latenciesMs));
  const acks = mergeSorted(reports.map((report) => report.ackMs));
  const startedAt = Math.min(...reports.map((report) => report.startedAt));
  const endedAt = Math.max(...reports.map((report) => report.lastCompletedAt));
  const completed = reports.reduce((sum, report) => sum + report.completed, 0);
  return {
    latencies,
    seconds: (endedAt - startedAt) / 1000,
    completed,
    sent: reports.reduce((sum, report) => sum + report.sent, 0),
    incomplete: reports.reduce((sum, report) => sum + report.incomplete, 0),
    failures: reports.reduce((sum, report) => sum + report.failures, 0),
    firstFailure: reports.find((report) => report.firstFailure !== null)?.firstFailure ?? null,
    latencyMs: { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)), max: round(latencies.at(-1) ?? Number.NaN) },
    ackMs: { p50: round(percentile(acks, 0.5)), p99: round(percentile(acks, 0.99)) },
    loadGeneratorCpu: round(reports.reduce((sum, report) => sum + report.cpuSeconds, 0), 2),
  };
}

async function windowed(workers: Worker[], server: ServerProcess, params: OneToOneParams): Promise<SaturationResult> {
  // Pairs were dealt out in turn, so the first `pairs` of them are the first few of each worker.
  const perWorkerPairs = workers.map((_, index) => Math.floor(params.pairs / workers.length) + (index < params.pairs % workers.length ? 1 : 0));
  const serverCpuBefore = server.cpuSeconds();
  const startAt = now() + 100;
  const reports = await Promise.all(
    workers.map((worker, index) =>
      perWorkerPairs[index]! === 0
        ? Promise.resolve(null)
        : worker.ask({ kind: 'saturate', pairs: perWorkerPairs[index]!, messagesPerSender: params.messagesPerSender, window: params.window, startAt, timeoutMs: 60_000 }, 'ran'),
    ),
  );
  const serverCpu = server.cpuSeconds() - serverCpuBefore;
  const summary = summarise(reports.filter((report) => report !== null));
  return {
    messages: summary.completed,
    seconds: round(summary.seconds, 3),
    messagesPerSecond: Math.round(summary.completed / summary.seconds),
    latencyMs: summary.latencyMs,
    ackMs: summary.ackMs,
    incomplete: summary.incomplete,
    failures: summary.failures,
    firstFailure: summary.firstFailure,
    cpuSeconds: { server: round(serverCpu, 2), loadGenerators: summary.loadGeneratorCpu },
  };
}

/**
 * Runs both modes against `server` (fresh data: the accounts are signed up here), then the extra
 * windowed runs. Forks and ends its own load generators.
 */
export async function runOneToOne(server: ServerProcess, params: OneToOneSuiteParams, log: (line: string) => void = () => {}): Promise<OneToOneRun> {
  const pairCount = Math.max(params.pairs, ...Object.values(params.alsoWindowed ?? {}).map((extra) => extra.pairs));
  const modulePath = fileURLToPath(new URL('./one-to-one-worker.ts', import.meta.url));
  const workers: Worker[] = Array.from({ length: params.generators }, () => new ForkedWorker(modulePath));
  try {
    const setupStarted = performance.now();
    const assigned = workers.map(() => [] as { sender: string; recipient: string }[]);
    for (let index = 0; index < pairCount; index++) assigned[index % workers.length]!.push({ sender: testPhone(index), recipient: testPhone(50_000 + index) });
    await Promise.all(
      workers.map((worker, index) =>
        worker.ask({ kind: 'prepare', url: server.url, localAddress: params.localAddresses[index % params.localAddresses.length]!, pairs: assigned[index]! }, 'prepared'),
      ),
    );
    const setupSeconds = (performance.now() - setupStarted) / 1000;

    // Warm-up (not counted): JIT, statement caches, the first commits.
    await windowed(workers, server, { pairs: pairCount, messagesPerSender: 50, window: params.window });

    const saturation = await windowed(workers, server, params);
    log(`  one-to-one ×${server.workers}: saturation ${saturation.messagesPerSecond} msg/s, p50 ${saturation.latencyMs.p50} ms, p99 ${saturation.latencyMs.p99} ms (CPU s: server ${saturation.cpuSeconds.server}, generators ${saturation.cpuSeconds.loadGenerators} of ${saturation.seconds} s)`);
    await new Promise((done) => setTimeout(done, 300));

    const serverCpuBefore = server.cpuSeconds();
    const startAt = now() + 100;
    const rateReports = await Promise.all(
      workers.map((worker) =>
        worker.ask({ kind: 'rate', messagesPerSecond: params.offeredRate / workers.length, durationMs: params.rateDurationMs, startAt, drainTimeoutMs: 30_000 }, 'ran'),
      ),
    );
    const serverCpu = server.cpuSeconds() - serverCpuBefore;
    const rate = summarise(rateReports);
    const fixedRate: FixedRateResult = {
      offeredPerSecond: params.offeredRate,
      offeredSeconds: params.rateDurationMs / 1000,
      sent: rate.sent,
      completed: rate.completed,
      incomplete: rate.incomplete,
      failures: rate.failures,
      achievedPerSecond: Math.round(rate.completed / rate.seconds),
      latencyMs: rate.latencyMs,
      ackMs: rate.ackMs,
      cpuSeconds: { server: round(serverCpu, 2), loadGenerators: rate.loadGeneratorCpu },
    };
    log(`  one-to-one ×${server.workers}: ${params.offeredRate} msg/s offered, ${fixedRate.achievedPerSecond} achieved, p50 ${fixedRate.latencyMs.p50} ms, p99 ${fixedRate.latencyMs.p99} ms, max ${fixedRate.latencyMs.max} ms`);

    const extra: Record<string, SaturationResult> = {};
    for (const [name, run] of Object.entries(params.alsoWindowed ?? {})) {
      await new Promise((done) => setTimeout(done, 300));
      extra[name] = await windowed(workers, server, run);
    }
    await Promise.all(workers.map((worker) => worker.ask({ kind: 'disconnect' }, 'disconnected')));
    return { serverWorkers: server.workers, saturation, fixedRate, windowed: extra, setupSeconds: round(setupSeconds, 2) };
  } finally {
    await Promise.all(workers.map((worker) => worker.exit()));
  }
}
