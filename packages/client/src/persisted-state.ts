import { parseStoredState, type ClientStore, type StoredState } from './client-store.ts';
import type { Logger } from './logger.ts';
import { describeError } from './typed-emitter.ts';

/** A change to the stored state; a key set to `undefined` is removed. */
export type StoredStatePatch = { [K in keyof StoredState]?: StoredState[K] | undefined };

/**
 * The SDK's in-memory copy of its {@link StoredState}, written through to a {@link ClientStore}.
 *
 * Saves run one at a time and always write the newest state: a store (a file, IndexedDB) could
 * otherwise finish two overlapping writes in the wrong order and leave an older pts or outbox behind.
 * Changes made while a save runs are coalesced into the next one.
 */
export class PersistedState {
  readonly #store: ClientStore;
  readonly #logger: Logger;
  readonly #onError: (error: Error) => void;
  #state: StoredState;
  #isDirty = false;
  #saving: Promise<void> | null = null;

  constructor(store: ClientStore, options: { initial?: StoredState; logger?: Logger; onError?: (error: Error) => void } = {}) {
    this.#store = store;
    this.#state = options.initial ?? { outbox: [] };
    this.#logger = options.logger ?? {};
    this.#onError = options.onError ?? (() => {});
  }

  /** The state as the SDK sees it now (saved or about to be). Do not mutate. */
  get current(): Readonly<StoredState> {
    return this.#state;
  }

  /**
   * Reads the store into memory. A state that does not parse is reported and replaced by an empty
   * one; a store that cannot be read at all rejects, so a passing I/O error never wipes a token.
   */
  async load(): Promise<Readonly<StoredState>> {
    const raw = await this.#store.load();
    if (raw === null) return this.#state;
    const parsed = parseStoredState(raw);
    if ('fault' in parsed) {
      this.#logger.error?.('Discarding unreadable client state', { fault: parsed.fault });
      this.#onError(new Error(parsed.fault));
      return this.#state;
    }
    this.#state = parsed.state;
    return this.#state;
  }

  /** Applies `patch` and starts saving; the returned promise settles once it is saved (never rejects). */
  patch(patch: StoredStatePatch): Promise<void> {
    const pick = <K extends keyof StoredState>(key: K): StoredState[K] | undefined => (key in patch ? patch[key] : this.#state[key]);
    const next: StoredState = { outbox: patch.outbox ?? this.#state.outbox };
    const token = pick('token');
    const userId = pick('userId');
    const pts = pick('pts');
    const chatPts = pick('chatPts');
    // Absent keys rather than `undefined` values, so that a JSON store writes what it reads back.
    if (token !== undefined) next.token = token;
    if (userId !== undefined) next.userId = userId;
    if (pts !== undefined) next.pts = pts;
    if (chatPts !== undefined) next.chatPts = chatPts;
    this.#state = next;
    return this.#requestSave();
  }

  /** Settles once every change made so far is saved (or failed to save). */
  flush(): Promise<void> {
    return this.#saving ?? Promise.resolve();
  }

  #requestSave(): Promise<void> {
    this.#isDirty = true;
    this.#saving ??= this.#runSaves();
    return this.#saving;
  }

  async #runSaves(): Promise<void> {
    try {
      while (this.#isDirty) {
        this.#isDirty = false;
        const snapshot = structuredClone(this.#state);
        try {
          await this.#store.save(snapshot);
        } catch (error) {
          // Keep going: the state stays in memory and the next change tries again.
          this.#logger.error?.('Cannot save client state', { error: describeError(error) });
          this.#onError(error instanceof Error ? error : new Error(`Cannot save client state: ${describeError(error)}`));
        }
      }
    } finally {
      // Cleared in the same turn as the last dirty check, so no change can slip in unsaved between them.
      this.#saving = null;
    }
  }
}
