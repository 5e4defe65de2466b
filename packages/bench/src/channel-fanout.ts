/**
 * Channel fan-out: N subscribers online in one public channel, spread over several load-generator
 * processes and loopback source addresses; the admin posts and the clock runs until the last
 * subscriber has the post's `chatUpdate`.
 *
 * Setup and measurement are two phases. Accounts are signed up and joined over the protocol while
 * nobody is online (each join is pushed to every member online, so joining beside 10,000 online
 * subscribers would cost the square of N), and, when /dev/shm exists, with the server's data there:
 * the sign-up path commits each step on its own with a full sync, which on disk puts 10,000
 * accounts at minutes. The server is then stopped, its data moved to disk, and started again;
 * every measured figure comes from the server on disk.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerReply, WorkerRequest } from './fanout-worker.ts';
import { mib, startServerProcess, type ServerProcess } from './server-control.ts';
import { percentile, round } from './stats.ts';
import { signUpTestNumber, testPhone, WireClient } from './wire-client.ts';

export interface ChannelFanoutParams {
  /** One run per entry, each with its own channel and its own subscribers. */
  subscriberCounts: number[];
  /** Measured posts per run (after one warm-up post that is not counted). */
  posts: number;
  /** Load-generator processes. */
  workers: number;
  /** Loopback source addresses; worker i connects from `localAddresses[i % length]`. */
  localAddresses: string[];
  /** Sign-ups (and later reconnections) in flight at once, across all workers. */
  concurrency: number;
  /** How long a post may take to reach everyone before the run counts the missing. */
  deliveryTimeoutMs: number;
}

export interface FanoutPost {
  /** From the admin sending the post until the server acked it. */
  ackMs: number;
  /** From the admin sending the post until the last subscriber received it. */
  lastDeliveryMs: number;
  /** Per-subscriber delivery latency. */
  deliveryMs: { p50: number; p99: number };
  delivered: number;
  missing: number;
}

type Failures = { count: number; first: string | null };

export interface FanoutRun {
  subscribers: number;
  /** Accounts signed up and joined, then online again by token. */
  accounts: number;
  online: number;
  setupFailures: Failures;
  /** Sign-up + join of every subscriber (phase one), wall clock. */
  signUpSeconds: number;
  /** Every subscriber's hello with its token against the server on disk (phase two), wall clock. */
  connectSeconds: number;
  /**
   * Server resident memory after a full collection, in a server started for this run: before the
   * subscribers came online and with all of them online and idle; and its peak during the run.
   */
  serverMemoryMiB: { before: number; online: number; perSubscriberKiB: number; peak: number };
  posts: FanoutPost[];
  /** Medians over the measured posts. */
  median: { ackMs: number; lastDeliveryMs: number; p50DeliveryMs: number; p99DeliveryMs: number };
  /** Subscriber connections that closed during the run. */
  dropped: number;
}

export interface ChannelFanoutResult {
  /** Where phase one kept the server's data. */
  setupStorage: 'tmpfs' | 'disk';
  /** The server's start on the moved data before each run, in ms. */
  restartMs: number[];
  runs: FanoutRun[];
}

/** One forked load generator (`fanout-worker.ts`); it answers requests one by one, in order. */
export class Worker {
  readonly #child: ChildProcess;
  readonly #waiting: ((reply: WorkerReply) => void)[] = [];
  #failure: Error | null = null;

  constructor() {
    this.#child = fork(fileURLToPath(new URL('./fanout-worker.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (reply: WorkerReply) => this.#waiting.shift()?.(reply));
    this.#child.on('exit', (code, signal) => {
      this.#failure ??= new Error(`Load generator ${this.#child.pid} exited (${signal ?? code})`);
      for (const waiter of this.#waiting.splice(0)) waiter({ kind: 'failed', error: this.#failure.message });
    });
  }

  async ask<K extends WorkerReply['kind']>(request: WorkerRequest, expected: K): Promise<Extract<WorkerReply, { kind: K }>> {
    if (this.#failure) throw this.#failure;
    const reply = await new Promise<WorkerReply>((done) => {
      this.#waiting.push(done);
      this.#child.send(request);
    });
    if (reply.kind === 'failed') throw new Error(`Load generator failed: ${reply.error}`);
    if (reply.kind !== expected) throw new Error(`Load generator answered ${reply.kind}, expected ${expected}`);
    return reply as Extract<WorkerReply, { kind: K }>;
  }

  /** Lets the worker exit after closing its connections; kills it if it cannot say so. */
  async exit(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((done) => this.#child.once('exit', () => done()));
    try {
      await this.ask({ kind: 'disconnect' }, 'disconnected');
      await this.ask({ kind: 'exit' }, 'exiting');
    } catch {
      this.#child.kill();
    }
    await exited;
  }

  kill(): void {
    this.#child.kill();
  }
}

const now = () => performance.timeOrigin + performance.now();

/** One measured post: its ack, and when each online subscriber received it (ms after the send, sorted). */
export interface CollectedPost {
  ackMs: number;
  latencies: number[];
  missing: number;
  dropped: number;
}

/** Posts once in a channel and gathers from every load generator when each of its subscribers had the post. */
export async function postAndCollect(poster: WireClient, chatId: number, workers: readonly Worker[], randomId: string, text: string, timeoutMs: number): Promise<CollectedPost> {
  const sentAt = now();
  const ack = poster.call('messages.send', { peer: { type: 'chat', chatId }, text, randomId }).then(() => now() - sentAt);
  const replies = await Promise.all(workers.map((worker) => worker.ask({ kind: 'collect', randomId, timeoutMs }, 'collected')));
  return {
    ackMs: await ack,
    latencies: replies.flatMap((reply) => reply.receivedAt.map((at) => at - sentAt)).sort((a, b) => a - b),
    missing: replies.reduce((sum, reply) => sum + reply.missing, 0),
    dropped: replies.reduce((sum, reply) => sum + reply.dropped, 0),
  };
}

function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}

function sumFailures(replies: { failures: number; firstFailure: string | null }[]): Failures {
  return { count: replies.reduce((sum, reply) => sum + reply.failures, 0), first: replies.find((reply) => reply.firstFailure !== null)?.firstFailure ?? null };
}

/**
 * Runs the fan-out for each subscriber count, with the measured server's data in `dataDir` (empty,
 * on disk). Starts and stops its own servers.
 */
export async function runChannelFanout(dataDir: string, params: ChannelFanoutParams, log: (line: string) => void = () => {}): Promise<ChannelFanoutResult> {
  const isTmpfsSetup = existsSync('/dev/shm');
  const setupDir = mkdtempSync(join(isTmpfsSetup ? '/dev/shm' : tmpdir(), 'samizdat-bench-setup-'));
  const workers = Array.from({ length: params.workers }, () => new Worker());
  const addressOf = (index: number) => params.localAddresses[index % params.localAddresses.length]!;
  const perWorker = Math.max(1, Math.ceil(params.concurrency / params.workers));
  let server: ServerProcess | null = null;
  try {
    // Phase one: accounts and memberships, nobody online.
    server = await startServerProcess(setupDir);
    const admin = await WireClient.open(server.url);
    await admin.hello();
    const { token: adminToken } = await signUpTestNumber(admin, testPhone(0), 'Fan-out admin');
    let nextPhone = 1;
    const prepared: { count: number; chatId: number; accounts: number; failures: Failures; seconds: number }[] = [];
    for (const [runId, count] of params.subscriberCounts.entries()) {
      const { chat } = await admin.call('chats.createChannel', { title: `Fan-out ${count}`, about: 'benchmark channel', username: `fanout_${runId}_${count}` });
      const phones = Array.from({ length: count }, () => testPhone(nextPhone++));
      log(`  fan-out ${count}: signing up and joining ${count} subscribers over ${params.workers} processes (data on ${isTmpfsSetup ? 'tmpfs' : 'disk'})`);
      const started = performance.now();
      const replies = await Promise.all(
        workers.map((worker, index) =>
          worker.ask(
            { kind: 'prepare', runId, url: server!.url, localAddress: addressOf(index), phones: phones.filter((_, phoneIndex) => phoneIndex % params.workers === index), chatId: chat.id, concurrency: perWorker },
            'prepared',
          ),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      const accounts = replies.reduce((sum, reply) => sum + reply.accounts, 0);
      const failures = sumFailures(replies);
      log(`  fan-out ${count}: ${accounts} accounts in ${round(seconds, 1)} s${failures.count ? `, ${failures.count} failed (${failures.first})` : ''}`);
      prepared.push({ count, chatId: chat.id, accounts, failures, seconds });
    }
    await admin.close();
    await server.stop();

    // Phase two, on disk: each run's subscribers come online by token, the admin posts. The server
    // starts afresh for each run, so that its memory figures are that run's own.
    cpSync(setupDir, dataDir, { recursive: true });
    const runs: FanoutRun[] = [];
    const restartMs: number[] = [];
    for (const [runId, run] of prepared.entries()) {
      server = await startServerProcess(dataDir);
      restartMs.push(round(server.startMs));
      const poster = await WireClient.open(server.url);
      await poster.hello(adminToken);
      await server.collectGarbage();
      const before = server.memory().rssKiB;
      const started = performance.now();
      const connected = await Promise.all(workers.map((worker, index) => worker.ask({ kind: 'connect', runId, url: server!.url, localAddress: addressOf(index), concurrency: perWorker }, 'connected')));
      const connectSeconds = (performance.now() - started) / 1000;
      const online = connected.reduce((sum, reply) => sum + reply.online, 0);
      const connectFailures = sumFailures(connected);
      log(`  fan-out ${run.count}: ${online} online by token in ${round(connectSeconds, 1)} s${connectFailures.count ? `, ${connectFailures.count} failed (${connectFailures.first})` : ''}`);
      if (online === 0) throw new Error(`Cannot measure fan-out to ${run.count}: no subscriber came online (${connectFailures.first ?? run.failures.first})`);
      await server.collectGarbage();
      const onlineRss = server.memory().rssKiB;

      const post = async (label: string): Promise<FanoutPost & { dropped: number }> => {
        const { ackMs, latencies, missing, dropped } = await postAndCollect(poster, run.chatId, workers, `fanout-${run.count}-${label}-${Date.now()}`, `benchmark post ${label}`, params.deliveryTimeoutMs);
        return {
          ackMs: round(ackMs),
          lastDeliveryMs: round(latencies.at(-1) ?? Number.NaN),
          deliveryMs: { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)) },
          delivered: latencies.length,
          missing,
          dropped,
        };
      };
      // The first post warms the code paths (and waits out the server following the channel for each
      // connection, which it does just after hello); it is not counted.
      const warmUp = await post('warm-up');
      log(`  fan-out ${run.count}: warm-up post reached ${warmUp.delivered}/${online} in ${warmUp.lastDeliveryMs} ms`);
      const posts: FanoutPost[] = [];
      let dropped = warmUp.dropped;
      for (let index = 0; index < params.posts; index++) {
        await new Promise((done) => setTimeout(done, 300));
        const { dropped: droppedNow, ...measured } = await post(String(index + 1));
        dropped = droppedNow;
        posts.push(measured);
        log(`  fan-out ${run.count}: post ${index + 1}: ack ${measured.ackMs} ms, last of ${measured.delivered} after ${measured.lastDeliveryMs} ms (p50 ${measured.deliveryMs.p50}, p99 ${measured.deliveryMs.p99})${measured.missing ? `, ${measured.missing} missing` : ''}`);
      }
      const peak = server.memory().peakRssKiB;
      await Promise.all(workers.map((worker) => worker.ask({ kind: 'disconnect' }, 'disconnected')));
      await poster.close();
      await server.stop();
      runs.push({
        subscribers: run.count,
        accounts: run.accounts,
        online,
        setupFailures: { count: run.failures.count + connectFailures.count, first: run.failures.first ?? connectFailures.first },
        signUpSeconds: round(run.seconds, 1),
        connectSeconds: round(connectSeconds, 1),
        serverMemoryMiB: { before: mib(before), online: mib(onlineRss), perSubscriberKiB: round((onlineRss - before) / online, 1), peak: mib(peak) },
        posts,
        median: {
          ackMs: round(median(posts.map((p) => p.ackMs))),
          lastDeliveryMs: round(median(posts.map((p) => p.lastDeliveryMs))),
          p50DeliveryMs: round(median(posts.map((p) => p.deliveryMs.p50))),
          p99DeliveryMs: round(median(posts.map((p) => p.deliveryMs.p99))),
        },
        dropped,
      });
    }
    await Promise.all(workers.map((worker) => worker.exit()));
    return { setupStorage: isTmpfsSetup ? 'tmpfs' : 'disk', restartMs, runs };
  } catch (error) {
    // A worker may be mid-request, so its replies would no longer match: end it rather than ask.
    for (const worker of workers) worker.kill();
    throw error;
  } finally {
    await server?.stop();
    rmSync(setupDir, { recursive: true, force: true });
  }
}
