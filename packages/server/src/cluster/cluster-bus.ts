import type { PresenceRegistry } from '../accounts/presence-registry.ts';
import type { Logger } from '../shared/logger.ts';
import type { RateLimit } from '../shared/rate-limiter.ts';
import type { RateLimits, TokenTake } from '../shared/rate-limits.ts';
import type { WriteLock } from '../storage/write-lock.ts';
import type { Bus, BusEvent } from '../bus/bus.ts';
import { InProcessBus } from '../bus/in-process-bus.ts';
import { isClusterMessage, type PrimaryToWorker, type WorkerToPrimary } from './cluster-messages.ts';

/** The IPC channel of a worker process (`process` in a worker; a fake in tests). */
export interface IpcChannel {
  send(message: WorkerToPrimary): void;
  on(event: 'message', listener: (message: unknown) => void): void;
  off(event: 'message', listener: (message: unknown) => void): void;
}

/**
 * The bus of one worker: events reach this worker's subscribers directly, and every other worker's
 * through the primary, which forwards a topic only to the workers that subscribed to it. The
 * channel is ordered, so one topic's events arrive everywhere in the order they were published.
 */
export class ClusterBus implements Bus {
  readonly #local = new InProcessBus();
  #nextSync = 1;
  readonly #syncs = new Map<number, () => void>();
  readonly #listener = (message: unknown) => {
    if (!isClusterMessage(message)) return;
    const typed = message as PrimaryToWorker;
    if (typed.samizdat === 'bus') this.#local.publish(typed.topic, typed.event);
    if (typed.samizdat === 'synced') {
      this.#syncs.get(typed.requestId)?.();
      this.#syncs.delete(typed.requestId);
    }
  };

  constructor(private readonly channel: IpcChannel) {
    channel.on('message', this.#listener);
  }

  publish(topic: string, event: BusEvent): void {
    this.#local.publish(topic, event);
    this.channel.send({ samizdat: 'bus', topic, event });
  }

  subscribe(topic: string, handler: (event: BusEvent) => void): () => void {
    this.follow(topic, handler);
    return () => this.unfollow(topic, handler);
  }

  follow(topic: string, handler: (event: BusEvent) => void): void {
    // The local bus is the one count of this worker's interest in a topic (a second map would cost memory per connection).
    if (!this.#local.has(topic)) this.channel.send({ samizdat: 'subscribe', topic });
    this.#local.follow(topic, handler);
  }

  unfollow(topic: string, handler: (event: BusEvent) => void): void {
    if (!this.#local.has(topic)) return;
    this.#local.unfollow(topic, handler);
    if (!this.#local.has(topic)) this.channel.send({ samizdat: 'unsubscribe', topic });
  }

  ready(): Promise<void> {
    const requestId = this.#nextSync++;
    return new Promise((done) => {
      this.#syncs.set(requestId, done);
      this.channel.send({ samizdat: 'sync', requestId });
    });
  }

  async close(): Promise<void> {
    this.channel.off('message', this.#listener);
    await this.#local.close();
  }
}

/**
 * Questions a worker asks the primary, each answered once by an `answer` with its request id. One
 * per worker, shared by everything that asks, so that the ids never collide.
 */
export class PrimaryRequests {
  #nextId = 1;
  readonly #waiting = new Map<number, (value: boolean | number) => void>();

  constructor(private readonly channel: IpcChannel) {
    channel.on('message', (message) => {
      if (!isClusterMessage(message)) return;
      const typed = message as PrimaryToWorker;
      if (typed.samizdat !== 'answer') return;
      this.#waiting.get(typed.requestId)?.(typed.value);
      this.#waiting.delete(typed.requestId);
    });
  }

  ask<T extends boolean | number>(question: (requestId: number) => WorkerToPrimary): Promise<T> {
    const requestId = this.#nextId++;
    return new Promise((done) => {
      this.#waiting.set(requestId, done as (value: boolean | number) => void);
      this.channel.send(question(requestId));
    });
  }
}

/** Presence counted by the primary over all workers. */
export class ClusterPresenceRegistry implements PresenceRegistry {
  constructor(private readonly requests: PrimaryRequests) {}

  connected(userId: number): Promise<boolean> {
    return this.#ask(userId, 'connected');
  }

  disconnected(userId: number): Promise<boolean> {
    return this.#ask(userId, 'disconnected');
  }

  isOnline(userId: number): Promise<boolean> {
    return this.#ask(userId, 'isOnline');
  }

  #ask(userId: number, op: 'connected' | 'disconnected' | 'isOnline'): Promise<boolean> {
    return this.requests.ask((requestId) => ({ samizdat: 'presence', requestId, userId, op }));
  }
}

/** Rate limits counted by the primary for all workers. */
export class ClusterRateLimits implements RateLimits {
  constructor(private readonly requests: PrimaryRequests) {}

  takeFromWindow(name: string, rule: RateLimit, key: string): Promise<number> {
    return this.requests.ask((requestId) => ({ samizdat: 'limitWindow', requestId, name, rule, key }));
  }

  takeTokens(takes: readonly TokenTake[]): Promise<number> {
    return this.requests.ask((requestId) => ({ samizdat: 'limitTokens', requestId, takes: [...takes] }));
  }
}

/** Turns at the write lock, handed out by the primary in the order asked for. */
export class ClusterWriteLock implements WriteLock {
  readonly #granted: (() => void)[] = [];

  constructor(private readonly channel: IpcChannel) {
    channel.on('message', (message) => {
      if (isClusterMessage(message) && (message as PrimaryToWorker).samizdat === 'locked') this.#granted.shift()?.();
    });
  }

  acquire(): Promise<void> {
    return new Promise((done) => {
      this.#granted.push(done);
      this.channel.send({ samizdat: 'lock' });
    });
  }

  release(): void {
    this.channel.send({ samizdat: 'unlock' });
  }
}

/** A worker's logger: every line goes to the primary, which writes the cluster's one log. */
export function clusterLogger(channel: IpcChannel, workerIndex: number): Logger {
  return {
    log(level, event, fields) {
      channel.send({ samizdat: 'log', level, event, fields: { worker: workerIndex, ...fields } });
    },
  };
}
