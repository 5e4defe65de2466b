import type { Bus, BusEvent } from './bus.ts';

/** Subscribers served in one go before the bus yields to the event loop. */
const SLICE = 1000;

type Handler = (event: BusEvent) => void;

/**
 * The bus of a single-process server: delivery is a function call. A topic with many subscribers
 * (a channel's 100,000 online readers) is served in slices, yielding between them so that one post
 * does not stall every other client; events of one topic still reach each subscriber in publish
 * order, because a topic's later events wait until its earlier ones are through.
 */
export class InProcessBus implements Bus {
  /** One handler as itself, several in a set: most topics (a user's, a device's) have one, and a set each would cost memory per connection. */
  readonly #handlers = new Map<string, Handler | Set<Handler>>();
  /** Topics being delivered in slices, with the events waiting behind the current one. */
  readonly #backlogs = new Map<string, BusEvent[]>();

  publish(topic: string, event: BusEvent): void {
    const backlog = this.#backlogs.get(topic);
    if (backlog !== undefined) {
      backlog.push(event);
      return;
    }
    const handlers = this.#handlers.get(topic);
    if (handlers === undefined) return;
    if (typeof handlers === 'function') {
      handlers(event);
      return;
    }
    if (handlers.size <= SLICE) {
      for (const handler of [...handlers]) handler(event);
      return;
    }
    this.#backlogs.set(topic, [event]);
    this.#drain(topic);
  }

  #drain(topic: string): void {
    const backlog = this.#backlogs.get(topic);
    const event = backlog?.[0];
    if (backlog === undefined || event === undefined) {
      this.#backlogs.delete(topic);
      return;
    }
    const current = this.#handlers.get(topic);
    const handlers = current === undefined ? [] : typeof current === 'function' ? [current] : [...current];
    const step = (from: number) => {
      for (const handler of handlers.slice(from, from + SLICE)) handler(event);
      if (from + SLICE < handlers.length) {
        setImmediate(() => step(from + SLICE));
        return;
      }
      backlog.shift();
      if (backlog.length === 0) this.#backlogs.delete(topic);
      else setImmediate(() => this.#drain(topic));
    };
    step(0);
  }

  subscribe(topic: string, handler: Handler): () => void {
    this.follow(topic, handler);
    return () => this.unfollow(topic, handler);
  }

  follow(topic: string, handler: Handler): void {
    const current = this.#handlers.get(topic);
    if (current === undefined) this.#handlers.set(topic, handler);
    else if (typeof current === 'function') this.#handlers.set(topic, new Set([current, handler]));
    else current.add(handler);
  }

  unfollow(topic: string, handler: Handler): void {
    const now = this.#handlers.get(topic);
    if (now === handler) this.#handlers.delete(topic);
    else if (now instanceof Set) {
      now.delete(handler);
      if (now.size === 1) this.#handlers.set(topic, now.values().next().value!);
      else if (now.size === 0) this.#handlers.delete(topic);
    }
  }

  /** Whether anyone here listens to `topic`. */
  has(topic: string): boolean {
    return this.#handlers.has(topic);
  }

  async close(): Promise<void> {
    this.#handlers.clear();
    this.#backlogs.clear();
  }
}
