import type { Bus, BusEvent } from './bus.ts';

/** The bus of a single-process server: delivery is a function call, in publish order. */
export class InProcessBus implements Bus {
  readonly #handlers = new Map<string, Set<(event: BusEvent) => void>>();

  publish(topic: string, event: BusEvent): void {
    const handlers = this.#handlers.get(topic);
    if (handlers === undefined) return;
    for (const handler of [...handlers]) handler(event);
  }

  subscribe(topic: string, handler: (event: BusEvent) => void): () => void {
    let handlers = this.#handlers.get(topic);
    if (handlers === undefined) {
      handlers = new Set();
      this.#handlers.set(topic, handlers);
    }
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
      if (handlers.size === 0) this.#handlers.delete(topic);
    };
  }

  async close(): Promise<void> {
    this.#handlers.clear();
  }
}
