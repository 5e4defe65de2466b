import type { Logger } from './logger.ts';

/** A map from event name to the payload its handlers receive. */
export type EventMap = Record<string, unknown>;

/** A handler of one event. */
export type EventHandler<T> = (payload: T) => void;

/**
 * A small typed event emitter that runs in Node and in browsers (`node:events` does not).
 *
 * A handler that throws is logged and skipped: one faulty UI callback must not stop the SDK from
 * delivering the same update to the other handlers or from advancing its sequence.
 */
export class TypedEmitter<Events extends EventMap> {
  readonly #handlers = new Map<keyof Events, Set<EventHandler<never>>>();
  readonly #logger: Logger;

  constructor(options: { logger?: Logger } = {}) {
    this.#logger = options.logger ?? {};
  }

  /** Calls `handler` on every `event` until the returned function is called. */
  on<E extends keyof Events>(event: E, handler: EventHandler<Events[E]>): () => void {
    let handlers = this.#handlers.get(event);
    if (handlers === undefined) {
      handlers = new Set();
      this.#handlers.set(event, handlers);
    }
    // A wrapper per subscription, so that subscribing the same function twice needs two unsubscribes.
    const entry: EventHandler<Events[E]> = (payload) => handler(payload);
    handlers.add(entry);
    return () => {
      handlers.delete(entry);
    };
  }

  /** Calls `handler` on the next `event` only. */
  once<E extends keyof Events>(event: E, handler: EventHandler<Events[E]>): () => void {
    const off = this.on(event, (payload) => {
      off();
      handler(payload);
    });
    return off;
  }

  /** Delivers `payload` to every handler of `event`, in subscription order. */
  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const handlers = this.#handlers.get(event);
    if (handlers === undefined) return;
    // Copy first: a handler may unsubscribe itself or others while we iterate.
    for (const handler of [...handlers] as EventHandler<Events[E]>[]) {
      try {
        handler(payload);
      } catch (error) {
        this.#logger.error?.('Event handler threw', { event: String(event), error: describeError(error) });
      }
    }
  }

  /** How many handlers `event` has. */
  listenerCount(event: keyof Events): number {
    return this.#handlers.get(event)?.size ?? 0;
  }
}

/** A one-line description of a thrown value for logs (its name and message, never its payload). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error;
}
