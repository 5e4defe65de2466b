/**
 * Idle connections and fan-out to all of them: N accounts, each with a device session and a
 * membership of one channel, are written straight into the stopped server's SQLite file (`seed.ts`),
 * so that N sign-ups are not needed. The server then starts with several workers (one holds at most
 * ~19,000 sockets), every account comes online by token (`hello` with its token) from several
 * load-generator processes (`fanout-worker.ts`) on several loopback addresses, and the server's
 * resident memory, summed over its processes after a full collection, gives the bytes each
 * authenticated idle connection costs. Last, the channel's owner posts and the clock runs until the
 * last of the N subscribers has the post.
 */
import { join } from 'node:path';
import { postAndCollect, Worker } from './channel-fanout.ts';
import { seedSubscribers } from './seed.ts';
import { mib, startServerProcess, type ServerProcess } from './server-control.ts';
import { percentile, round } from './stats.ts';
import { signUpTestNumber, testPhone, WireClient } from './wire-client.ts';

export interface ConnectionsParams {
  connections: number;
  serverWorkers: number;
  /** Load-generator processes (each ≤ ~18,000 sockets). */
  generators: number;
  /** Generator i connects from `localAddresses[i % length]` (each address ≤ ~25,000 connections). */
  localAddresses: string[];
  /** Hellos in flight at once, per generator. */
  concurrency: number;
  /** Measured posts to all of them (after one warm-up). */
  posts: number;
  deliveryTimeoutMs: number;
}

export interface ConnectionsResult {
  connections: number;
  online: number;
  serverWorkers: number;
  seed: { seconds: number };
  /** The server's start on the seeded folder: until listening, and until the first request served. */
  restart: { startMs: number; firstRequestMs: number };
  /** All N online by token, wall clock. */
  connectSeconds: number;
  connectFailures: { count: number; first: string | null };
  /** Server resident memory (all processes), after a full collection: before and with all N online. */
  serverMemoryMiB: { before: number; online: number; perProcessOnline: number[]; peak: number };
  /** (RSS online − RSS before) / online. */
  bytesPerConnection: number;
  fanout: {
    posts: { ackMs: number; lastDeliveryMs: number; p50DeliveryMs: number; p99DeliveryMs: number; delivered: number; missing: number }[];
    /** Medians over the measured posts. */
    median: { ackMs: number; lastDeliveryMs: number; p50DeliveryMs: number; p99DeliveryMs: number };
    dropped: number;
  };
  /** How long stopping the server with N connections took. */
  stopSeconds: number;
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 0.5);

/** Runs the workload in `dataDir` (empty); starts and stops its own servers and load generators. */
export async function runConnections(dataDir: string, params: ConnectionsParams, log: (line: string) => void = () => {}): Promise<ConnectionsResult> {
  // The channel and its owner are made over the protocol (the channel's key needs the server).
  let server: ServerProcess = await startServerProcess(dataDir);
  let adminToken: string;
  let chatId: number;
  try {
    const admin = await WireClient.open(server.url);
    await admin.hello();
    adminToken = (await signUpTestNumber(admin, testPhone(0), 'Channel owner')).token;
    chatId = (await admin.call('chats.createChannel', { title: `Idle ${params.connections}`, about: 'benchmark channel', username: `idle_${params.connections}` })).chat.id;
    await admin.close();
  } finally {
    await server.stop();
  }

  // Account i belongs to generator i % G, and within it to one of the generator's addresses
  // (addresses g, g + G, g + 2G, …). Several addresses per generator keep each address's share of
  // ephemeral ports low: a socket bound to an address before it connects has its port searched for
  // among those already taken, which costs kernel time that grows with how many are.
  const generatorOf = (index: number) => index % params.generators;
  const addressesOf = (generator: number) => params.localAddresses.filter((_, slot) => slot % params.generators === generator);
  if (params.localAddresses.length < params.generators) throw new Error(`Cannot spread ${params.generators} load generators over ${params.localAddresses.length} addresses`);
  const slotOf = (index: number) => Math.floor(index / params.generators) % addressesOf(generatorOf(index)).length;
  const addressOf = (index: number) => addressesOf(generatorOf(index))[slotOf(index)]!;
  log(`  connections: seeding ${params.connections.toLocaleString('en')} accounts with sessions and channel memberships`);
  const seed = seedSubscribers(join(dataDir, 'samizdat.db'), {
    chatId,
    count: params.connections,
    ipOf: addressOf,
    lastActiveAt: Math.floor(Date.now() / 1000) + 900,
  });
  log(`  connections: seeded in ${round(seed.seconds, 1)} s`);

  const workers = Array.from({ length: params.generators }, () => new Worker());
  server = await startServerProcess(dataDir, { workers: params.serverWorkers });
  let stopSeconds = Number.NaN;
  try {
    const restart = { startMs: round(server.startMs), firstRequestMs: round(server.firstRequestMs) };
    const poster = await WireClient.open(server.url);
    await poster.hello(adminToken);
    // One run id per address of the generator: each comes online from its own address in turn.
    for (const [generator, worker] of workers.entries()) {
      for (const slot of addressesOf(generator).keys()) {
        await worker.ask({ kind: 'adopt', runId: slot, tokens: seed.tokens.filter((_, index) => generatorOf(index) === generator && slotOf(index) === slot) }, 'adopted');
      }
    }
    await server.collectGarbage();
    const before = server.memory();
    const started = performance.now();
    const perWorker = await Promise.all(
      workers.map(async (worker, generator) => {
        const replies = [];
        for (const [slot, localAddress] of addressesOf(generator).entries()) {
          replies.push(await worker.ask({ kind: 'connect', runId: slot, url: server.url, localAddress, concurrency: params.concurrency }, 'connected'));
        }
        return replies;
      }),
    );
    const connectSeconds = (performance.now() - started) / 1000;
    // A worker's `online` counts all its connections so far: its last reply has them all.
    const online = perWorker.reduce((sum, replies) => sum + (replies.at(-1)?.online ?? 0), 0);
    const connected = perWorker.flat();
    const connectFailures = { count: connected.reduce((sum, reply) => sum + reply.failures, 0), first: connected.find((reply) => reply.firstFailure !== null)?.firstFailure ?? null };
    log(`  connections: ${online} online by token in ${round(connectSeconds, 1)} s${connectFailures.count ? `, ${connectFailures.count} failed (${connectFailures.first})` : ''}`);
    if (online === 0) throw new Error(`Cannot measure idle connections: none came online (${connectFailures.first})`);
    // Settle, then collect twice, a while apart: the first collection frees what the hellos left
    // behind, and the heap gives pages back over the next seconds.
    await new Promise((done) => setTimeout(done, 1000));
    await server.collectGarbage();
    await new Promise((done) => setTimeout(done, 2000));
    await server.collectGarbage();
    const onlineMemory = server.memory();
    const bytesPerConnection = Math.round(((onlineMemory.rssKiB - before.rssKiB) * 1024) / online);
    log(`  connections: server RSS ${mib(before.rssKiB)} → ${mib(onlineMemory.rssKiB)} MiB, ${bytesPerConnection} bytes per connection`);

    const post = async (label: string) => {
      const { ackMs, latencies, missing, dropped } = await postAndCollect(poster, chatId, workers, `idle-fanout-${label}-${Date.now()}`, `benchmark post ${label}`, params.deliveryTimeoutMs);
      return {
        ackMs: round(ackMs),
        lastDeliveryMs: round(latencies.at(-1) ?? Number.NaN),
        p50DeliveryMs: round(percentile(latencies, 0.5)),
        p99DeliveryMs: round(percentile(latencies, 0.99)),
        delivered: latencies.length,
        missing,
        dropped,
      };
    };
    const warmUp = await post('warm-up');
    log(`  connections: warm-up post reached ${warmUp.delivered}/${online} in ${warmUp.lastDeliveryMs} ms`);
    const posts: ConnectionsResult['fanout']['posts'] = [];
    let dropped = warmUp.dropped;
    for (let index = 0; index < params.posts; index++) {
      await new Promise((done) => setTimeout(done, 500));
      const { dropped: droppedNow, ...measured } = await post(String(index + 1));
      dropped = droppedNow;
      posts.push(measured);
      log(`  connections: post ${index + 1}: ack ${measured.ackMs} ms, last of ${measured.delivered} after ${measured.lastDeliveryMs} ms (p50 ${measured.p50DeliveryMs}, p99 ${measured.p99DeliveryMs})${measured.missing ? `, ${measured.missing} missing` : ''}`);
    }
    const peak = server.memory().peakRssKiB;
    await poster.close();
    // The server stops first: 100,000 clients closing would each make it store a last-seen time.
    const stopping = performance.now();
    await server.stop();
    stopSeconds = (performance.now() - stopping) / 1000;
    return {
      connections: params.connections,
      online,
      serverWorkers: params.serverWorkers,
      seed: { seconds: round(seed.seconds, 2) },
      restart,
      connectSeconds: round(connectSeconds, 1),
      connectFailures,
      serverMemoryMiB: { before: mib(before.rssKiB), online: mib(onlineMemory.rssKiB), perProcessOnline: onlineMemory.perProcessRssKiB.map(mib), peak: mib(peak) },
      bytesPerConnection,
      fanout: {
        posts,
        median: {
          ackMs: round(median(posts.map((p) => p.ackMs))),
          lastDeliveryMs: round(median(posts.map((p) => p.lastDeliveryMs))),
          p50DeliveryMs: round(median(posts.map((p) => p.p50DeliveryMs))),
          p99DeliveryMs: round(median(posts.map((p) => p.p99DeliveryMs))),
        },
        dropped,
      },
      stopSeconds: round(stopSeconds, 1),
    };
  } finally {
    await server.stop();
    for (const worker of workers) worker.kill();
  }
}
