import type { Message, MethodResult } from '@samizdat/protocol';
import { ClientClosedError } from './client-errors.ts';
import type { OutboxEntry } from './client-store.ts';
import type { Logger } from './logger.ts';
import type { PersistedState } from './persisted-state.ts';
import { describeError } from './typed-emitter.ts';

/**
 * How many entries may await the server's answer at once. Well under the server's limit of
 * unanswered calls per connection, so that a long outbox resent after a reconnect is not partly
 * refused with `FLOOD_WAIT` and retried out of order behind newer messages.
 */
export const MAX_OUTBOX_IN_FLIGHT = 16;

/** What an {@link Outbox} needs from the client around it. */
export interface OutboxOptions {
  /** Where entries are kept across restarts. */
  persisted: PersistedState;
  /** Sends one entry (`messages.send` with its randomId); the client resends the call after reconnects. */
  send(entry: OutboxEntry, signal: AbortSignal): Promise<MethodResult<'messages.send'>>;
  /** The server refused an entry for good; it has left the outbox. */
  onFailed?(entry: OutboxEntry, error: Error): void;
  /** @default MAX_OUTBOX_IN_FLIGHT */
  maxInFlight?: number;
  logger?: Logger;
}

interface TrackedEntry {
  readonly entry: OutboxEntry;
  readonly promise: Promise<Message>;
  readonly resolve: (message: Message) => void;
  readonly reject: (error: Error) => void;
  readonly controller: AbortController;
  /** `saving`: not yet in the store; `ready`: may be sent; `sent`: awaiting the server's answer. */
  status: 'saving' | 'ready' | 'sent';
}

/**
 * Messages on their way to the server, keyed by `randomId` and persisted, so that neither a
 * dropped connection nor a restart loses one and no resend duplicates one (the server stores a
 * randomId once).
 *
 * An entry leaves only on the server's answer: its ack, or a refusal no resend can fix. A closed
 * client rejects the caller's promise but keeps the entry for the next run; an ended session
 * ({@link Outbox.clear}) drops them all. Entries go out in the order they were added.
 */
export class Outbox {
  readonly #options: OutboxOptions;
  readonly #maxInFlight: number;
  /** Entries this run is responsible for, in the order they were added (Map keeps insertion order). */
  readonly #tracked = new Map<string, TrackedEntry>();

  constructor(options: OutboxOptions) {
    this.#options = options;
    this.#maxInFlight = options.maxInFlight ?? MAX_OUTBOX_IN_FLIGHT;
  }

  /** The entries not yet answered, oldest first. */
  get entries(): readonly OutboxEntry[] {
    return this.#options.persisted.current.outbox;
  }

  /**
   * Adds an entry, persists it, then sends it. Adding a randomId already in the outbox returns the
   * same promise instead of a second entry.
   */
  enqueue(entry: OutboxEntry): Promise<Message> {
    const existing = this.#tracked.get(entry.randomId);
    if (existing !== undefined) return existing.promise;
    const tracked = this.#track(entry, 'saving');
    const { persisted } = this.#options;
    // Send only once the entry is saved: whatever is on the wire is also in the store, so a process
    // that dies before the ack resends it on restart.
    void persisted.patch({ outbox: [...persisted.current.outbox, entry] }).then(() => {
      if (tracked.status !== 'saving') return;
      tracked.status = 'ready';
      this.#pump();
    });
    return tracked.promise;
  }

  /** Sends every stored entry not yet tracked, oldest first (after a restart). */
  resendStored(): void {
    for (const entry of this.entries) {
      if (!this.#tracked.has(entry.randomId)) this.#track(entry, 'ready');
    }
    this.#pump();
  }

  /** Drops every entry (the session ended or another user signed in) and rejects its promise. */
  clear(error: Error): void {
    const tracked = [...this.#tracked.values()];
    this.#tracked.clear();
    if (this.entries.length > 0) {
      this.#options.logger?.warn?.('Outbox cleared', { entries: this.entries.length, reason: error.message });
      void this.#options.persisted.patch({ outbox: [] });
    }
    for (const item of tracked) {
      item.controller.abort(error);
      item.reject(error);
    }
  }

  #track(entry: OutboxEntry, status: TrackedEntry['status']): TrackedEntry {
    let resolve!: (message: Message) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<Message>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    // Entries resent after a restart have no caller; their outcome reaches the app through events.
    promise.catch(() => {});
    const tracked: TrackedEntry = { entry, promise, resolve, reject, controller: new AbortController(), status };
    this.#tracked.set(entry.randomId, tracked);
    return tracked;
  }

  /** Sends ready entries in order while the window has room; stops at one still being saved. */
  #pump(): void {
    let inFlight = 0;
    for (const tracked of this.#tracked.values()) if (tracked.status === 'sent') inFlight += 1;
    for (const tracked of this.#tracked.values()) {
      if (inFlight >= this.#maxInFlight || tracked.status === 'saving') return;
      if (tracked.status === 'ready') {
        this.#dispatch(tracked);
        inFlight += 1;
      }
    }
  }

  #dispatch(tracked: TrackedEntry): void {
    tracked.status = 'sent';
    this.#options.send(tracked.entry, tracked.controller.signal).then(
      (result) => this.#acked(tracked, result.message),
      (error: unknown) => this.#failed(tracked, error),
    );
  }

  #acked(tracked: TrackedEntry, message: Message): void {
    if (!this.#untrack(tracked)) return;
    this.#remove(tracked.entry.randomId);
    tracked.resolve(message);
    this.#pump();
  }

  #failed(tracked: TrackedEntry, error: unknown): void {
    if (!this.#untrack(tracked)) return;
    const { entry } = tracked;
    const reason = error instanceof Error ? error : new Error(`Cannot send message: ${describeError(error)}`);
    if (error instanceof ClientClosedError) {
      // Not an answer from the server: keep the entry for the next run.
      tracked.reject(reason);
      return;
    }
    this.#options.logger?.warn?.('Message refused', { randomId: entry.randomId, error: describeError(error) });
    this.#remove(entry.randomId);
    tracked.reject(reason);
    this.#options.onFailed?.(entry, reason);
    this.#pump();
  }

  /** Stops tracking; false when the entry was already settled (cleared, or answered twice). */
  #untrack(tracked: TrackedEntry): boolean {
    if (this.#tracked.get(tracked.entry.randomId) !== tracked) return false;
    this.#tracked.delete(tracked.entry.randomId);
    return true;
  }

  #remove(randomId: string): void {
    const { persisted } = this.#options;
    void persisted.patch({ outbox: persisted.current.outbox.filter((entry) => entry.randomId !== randomId) });
  }
}
