import cluster, { type Worker } from 'node:cluster';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { envMasterKey, fileMasterKey } from '../keys/master-key.ts';
import { loadOperatorKey } from '../keys/operator-key.ts';
import type { AuthLimits } from '../accounts/auth-service.ts';
import type { ConnectionLimits } from '../gateway/connection-limits.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { LocalRateLimits } from '../shared/rate-limits.ts';
import { workerSetup } from './worker-entry.ts';
import { isClusterMessage, type LeaderCommand, type PrimaryToWorker, type WorkerToPrimary } from './cluster-messages.ts';

/** What a worker can be told: the plain-data options of `startServer` (no clocks, loggers or callbacks). */
export interface WorkerServerOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  testNumbers?: boolean;
  codeWebhookUrl?: string;
  maxFileBytes?: number;
  ipRetentionSeconds?: number;
  webRoot?: string;
  publicUrl?: string;
  botCallbackTimeoutMs?: number;
  authLimits?: Partial<AuthLimits>;
  connectionLimits?: Partial<ConnectionLimits>;
  /** Tests only: the workers read the time from this file (`FileClock`) instead of the system clock. */
  clockFile?: string;
}

/** The environment variable that carries a worker's options and index. */
export const WORKER_ENV = 'SAMIZDAT_WORKER';

export interface RunningCluster {
  readonly port: number;
  readonly host: string;
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly workers: number;
  readonly databasePath: string;
  /** Reclaims expired uploads now, in the leader worker (which also does so every hour). */
  sweepUploads(): Promise<number>;
  /** Forgets IP addresses past the retention window now, in the leader worker; how many records went. */
  purgeIpRecords(): Promise<number>;
  /** The process ids of the workers now running. */
  workerPids(): number[];
  close(): Promise<void>;
}

/**
 * Runs a server as `workers` processes on one data folder, sharing the listening port (Node's
 * cluster hands connections out in turn). The primary makes the keys before any worker starts,
 * hands out turns at the database's write lock, relays bus events between workers (chat and bot
 * topics to all, others only to the workers that subscribed), counts who is online and the rate
 * limits per account, address and bot across them, writes their log lines to `logger`, and
 * restarts a worker that dies. `clock` is the primary's own, for those rate limits.
 */
export async function startCluster(options: WorkerServerOptions & { workers: number; logger?: Logger; clock?: Clock }): Promise<RunningCluster> {
  if (!cluster.isPrimary) throw new Error('Cannot start a cluster from a worker');
  const logger = options.logger ?? createLogger();
  const dataDir = resolve(options.dataDir ?? './data');
  await prepareDataDir(dataDir);
  const serverOptions: WorkerServerOptions = { ...options, dataDir };
  delete (serverOptions as { logger?: unknown }).logger;
  delete (serverOptions as { workers?: unknown }).workers;
  delete (serverOptions as { clock?: unknown }).clock;

  cluster.setupPrimary(workerSetup());
  // Kept small per entry: 100,000 connections mean 200,000 topics and 100,000 users here.
  const subscribers = new Map<string, Worker | Set<Worker>>();
  /** Connections per online user over all workers, and per worker (to subtract a worker that dies). */
  const online = new Map<number, number>();
  const onlineByWorker = new Map<Worker, Map<number, number>>();
  const byIndex = new Map<number, Worker>();
  let closing = false;
  // Port 0 is chosen here, once: the primary shares one listening socket per address and port asked
  // for, so two clusters of one process both asking for 0 would share a socket and each other's clients.
  const port = options.port === 0 ? await freePort(options.host ?? '127.0.0.1') : (options.port ?? 8080);
  let boundPort = port;
  const listening = new Map<number, () => void>();
  // Commands for the leader worker wait until it serves (one sent earlier would reach no listener,
  // as after a restart), and fail if it exits before answering them.
  let nextCommand = 1;
  const commands = new Map<number, { command: LeaderCommand; sentTo: Worker | null; done: (value: number) => void; fail: (error: Error) => void }>();
  const serving = new WeakSet<Worker>();
  const sendCommands = (leader: Worker) => {
    for (const [requestId, waiting] of commands) {
      if (waiting.sentTo !== null) continue;
      waiting.sentTo = leader;
      leader.send({ samizdat: 'command', requestId, command: waiting.command } satisfies PrimaryToWorker);
    }
  };
  const failCommands = (sentTo: Worker | null, why: string) => {
    for (const [requestId, waiting] of commands) {
      if (waiting.sentTo !== sentTo) continue;
      commands.delete(requestId);
      waiting.fail(new Error(`Cannot ${waiting.command}: ${why}`));
    }
  };
  const runOnLeader = (command: LeaderCommand) =>
    new Promise<number>((done, fail) => {
      if (closing) return fail(new Error(`Cannot ${command}: the cluster is closing`));
      commands.set(nextCommand++, { command, sentTo: null, done, fail });
      const leader = byIndex.get(0);
      if (leader !== undefined && serving.has(leader)) sendCommands(leader);
    });

  const forward = (from: Worker, message: Extract<WorkerToPrimary, { samizdat: 'bus' }>) => {
    if (isBroadcastTopic(message.topic)) {
      const relayed: PrimaryToWorker = { samizdat: 'bus', topic: message.topic, event: message.event };
      for (const worker of byIndex.values()) if (worker !== from && worker.isConnected()) worker.send(relayed);
      return;
    }
    const targets = subscribers.get(message.topic);
    if (targets === undefined || targets === from) return;
    const relayed: PrimaryToWorker = { samizdat: 'bus', topic: message.topic, event: message.event };
    if (!(targets instanceof Set)) {
      if (targets.isConnected()) targets.send(relayed);
      return;
    }
    for (const worker of targets) if (worker !== from && worker.isConnected()) worker.send(relayed);
  };

  const answer = (worker: Worker, requestId: number, value: boolean | number) => {
    if (worker.isConnected()) worker.send({ samizdat: 'answer', requestId, value } satisfies PrimaryToWorker);
  };
  const rateLimits = new LocalRateLimits(options.clock ?? systemClock);

  const countPresence = (worker: Worker, message: Extract<WorkerToPrimary, { samizdat: 'presence' }>) => {
    const mine = onlineByWorker.get(worker) ?? new Map<number, number>();
    onlineByWorker.set(worker, mine);
    const total = online.get(message.userId) ?? 0;
    let value: boolean;
    if (message.op === 'connected') {
      mine.set(message.userId, (mine.get(message.userId) ?? 0) + 1);
      online.set(message.userId, total + 1);
      value = total === 0;
    } else if (message.op === 'disconnected') {
      const held = mine.get(message.userId) ?? 0;
      if (held <= 1) mine.delete(message.userId);
      else mine.set(message.userId, held - 1);
      const left = held > 0 ? total - 1 : total;
      if (left <= 0) online.delete(message.userId);
      else online.set(message.userId, left);
      value = left <= 0;
    } else value = total > 0;
    answer(worker, message.requestId, value);
  };

  // The write lock's turns: who holds it, and who waits, first come first served.
  let lockHolder: Worker | null = null;
  const lockQueue: Worker[] = [];
  const grantNext = () => {
    while (lockHolder === null && lockQueue.length > 0) {
      const next = lockQueue.shift()!;
      if (!next.isConnected()) continue;
      lockHolder = next;
      next.send({ samizdat: 'locked' } satisfies PrimaryToWorker);
    }
  };

  const forget = (worker: Worker) => {
    for (let i = lockQueue.length - 1; i >= 0; i -= 1) if (lockQueue[i] === worker) lockQueue.splice(i, 1);
    if (lockHolder === worker) {
      // A worker that died holding the lock: SQLite rolled its transaction back with its connection.
      lockHolder = null;
      grantNext();
    }
    for (const [topic, targets] of subscribers) {
      if (targets === worker) subscribers.delete(topic);
      else if (targets instanceof Set) targets.delete(worker);
    }
    for (const [userId, count] of onlineByWorker.get(worker) ?? []) {
      const left = (online.get(userId) ?? 0) - count;
      if (left <= 0) online.delete(userId);
      else online.set(userId, left);
    }
    onlineByWorker.delete(worker);
  };

  const fork = (index: number): Worker => {
    // Every worker asks for the same port: the primary keeps one listening socket per address and
    // port asked for, and shares it among the workers that ask alike.
    const worker = cluster.fork({ [WORKER_ENV]: JSON.stringify({ index, options: { ...serverOptions, port } }) });
    byIndex.set(index, worker);
    worker.on('message', (message: unknown) => {
      if (!isClusterMessage(message)) return;
      const typed = message as WorkerToPrimary;
      switch (typed.samizdat) {
        case 'bus':
          forward(worker, typed);
          break;
        case 'subscribe': {
          const targets = subscribers.get(typed.topic);
          if (targets === undefined) subscribers.set(typed.topic, worker);
          else if (targets instanceof Set) targets.add(worker);
          else if (targets !== worker) subscribers.set(typed.topic, new Set([targets, worker]));
          break;
        }
        case 'unsubscribe': {
          const targets = subscribers.get(typed.topic);
          if (targets === worker) subscribers.delete(typed.topic);
          else if (targets instanceof Set) {
            targets.delete(worker);
            if (targets.size === 1) subscribers.set(typed.topic, targets.values().next().value!);
          }
          break;
        }
        case 'presence':
          countPresence(worker, typed);
          break;
        case 'limitWindow':
          answer(worker, typed.requestId, rateLimits.takeFromWindowNow(typed.name, typed.rule, typed.key));
          break;
        case 'limitTokens':
          answer(worker, typed.requestId, rateLimits.takeTokensNow(typed.takes));
          break;
        case 'sync':
          worker.send({ samizdat: 'synced', requestId: typed.requestId } satisfies PrimaryToWorker);
          break;
        case 'lock':
          lockQueue.push(worker);
          grantNext();
          break;
        case 'unlock':
          if (lockHolder === worker) lockHolder = null;
          grantNext();
          break;
        case 'log':
          logger.log(typed.level, typed.event, typed.fields);
          break;
        case 'commandDone': {
          const waiting = commands.get(typed.requestId);
          commands.delete(typed.requestId);
          if (typed.error === undefined) waiting?.done(typed.value);
          else waiting?.fail(new Error(typed.error));
          break;
        }
        case 'listening':
          boundPort = typed.port;
          serving.add(worker);
          if (index === 0) sendCommands(worker);
          listening.get(index)?.();
          break;
      }
    });
    worker.on('exit', (code, signal) => {
      forget(worker);
      failCommands(worker, 'the leader worker exited while running it');
      if (closing || byIndex.get(index) !== worker) return;
      logger.log('error', 'cluster.worker_died', { index, code, signal: signal ?? null });
      fork(index);
    });
    return worker;
  };

  const waitListening = (index: number) =>
    new Promise<void>((done, fail) => {
      listening.set(index, done);
      const worker = byIndex.get(index)!;
      worker.once('exit', (code) => fail(new Error(`Worker ${index} exited with ${code} before listening`)));
    });

  // All at once: each loads the server on its own core, and they take turns at the schema.
  await Promise.all(Array.from({ length: options.workers }, (_, index) => (fork(index), waitListening(index))));
  const host = options.host ?? '127.0.0.1';
  const url = `${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  logger.log('info', 'cluster.started', { url: `http://${url}`, workers: options.workers, data: dataDir });
  return {
    port: boundPort,
    host,
    httpUrl: `http://${url}`,
    wsUrl: `ws://${url}/ws`,
    workers: options.workers,
    databasePath: join(dataDir, 'samizdat.db'),
    sweepUploads: () => runOnLeader('sweepUploads'),
    purgeIpRecords: () => runOnLeader('purgeIpRecords'),
    workerPids: () => [...byIndex.values()].map((worker) => worker.process.pid ?? 0),
    async close() {
      closing = true;
      failCommands(null, 'the cluster is closing');
      await Promise.all(
        [...byIndex.values()].map(
          (worker) =>
            new Promise<void>((done) => {
              if (worker.isDead()) return done();
              const force = setTimeout(() => worker.process.kill('SIGKILL'), 10_000);
              worker.once('exit', () => {
                clearTimeout(force);
                done();
              });
              worker.process.kill('SIGTERM');
            }),
        ),
      );
      logger.log('info', 'cluster.stopped', {});
    },
  };
}

/**
 * Topics whose events go to every worker, subscribed or not. A worker starts following a chat when
 * the `chatJoined` update reaches it, and a bot's long poll subscribes just before it waits: events
 * on the same ordered stream right behind those would otherwise overtake the subscription on its
 * way to the primary. Each worker still delivers only to its own subscribers.
 */
function isBroadcastTopic(topic: string): boolean {
  return topic.startsWith('chat.') || topic.startsWith('bot.');
}

/**
 * Makes the keys once, before several processes look for them (two making a master key at once
 * would each seal with its own). The schema is brought forward by the workers, one at a time
 * under the write lock; the primary itself never loads the database.
 */
async function prepareDataDir(dataDir: string): Promise<void> {
  const provider = process.env.SAMIZDAT_MASTER_KEY ? envMasterKey() : fileMasterKey(join(dataDir, 'master.key'));
  await provider.loadKey();
  await loadOperatorKey(dataDir);
}

/** A port free on `host` now, from the system. */
function freePort(host: string): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}
