import { RpcError, type MethodResult, type Update, type UpdatesState, type User } from '@samizdat/protocol';
import { computeBackoffDelayMs } from './backoff.ts';
import { ProtocolError } from './client-errors.ts';
import type { Logger } from './logger.ts';
import { systemTimers, type TimerHandle, type Timers } from './timers.ts';
import { describeError } from './typed-emitter.ts';

/** The answer of `updates.getDifference` (and of `updates.getChatDifference`, which has the same shape). */
export type DifferenceResult = MethodResult<'updates.getDifference'>;

/** Longest wait between two attempts to catch up after failed ones. */
const MAX_RETRY_DELAY_MS = 30_000;

/** What an {@link UpdateSequencer} needs from the client around it. */
export interface UpdateSequencerOptions {
  /** Asks the server for the updates after `pts` (`updates.getDifference`, or `updates.getChatDifference`). */
  fetchDifference(pts: number): Promise<DifferenceResult>;
  /** Asks the server where the sequence stands (`updates.getState`, or the chat's `pts` from `chats.get`). */
  fetchState(): Promise<UpdatesState>;
  /** Receives every update exactly once, in pts order. */
  onUpdate(update: Update): void;
  /** Called after the local pts moved (an update applied, a state adopted), to persist it. */
  onPtsChange(pts: number): void;
  /** The client was too far behind; it now stands at `state.pts` and the app must refetch chats (or the chat's history). */
  onTooLong(state: UpdatesState): void;
  /** Users a difference mentioned, before its updates are applied. */
  onUsers?(users: User[]): void;
  /** A catch-up attempt failed; the sequencer retries by itself unless this calls `reset`. */
  onError?(error: unknown): void;
  /** @default systemTimers */
  timers?: Timers;
  /**
   * How long a gap may stay open before the sequencer stops waiting for the missing push and asks
   * for a difference.
   * @default 500
   */
  gapTimeoutMs?: number;
  logger?: Logger;
}

/**
 * Turns the updates of one sequence (the user's own, or one group's or channel's), as they arrive
 * from pushes, call results and differences in any order and any number of times, into one stream
 * in pts order without holes or repeats.
 *
 * - pts ≤ local: a duplicate, dropped.
 * - pts = local + 1: applied, then any buffered successors are applied.
 * - pts > local + 1: buffered; if the gap is still open after `gapTimeoutMs`, a difference fills it.
 *
 * While a difference runs, every arrival is buffered and drained afterwards, so a push that races a
 * difference result is applied once, in its place.
 */
export class UpdateSequencer {
  readonly #options: UpdateSequencerOptions;
  readonly #timers: Timers;
  readonly #gapTimeoutMs: number;
  #pts: number | null = null;
  /** The highest pts the server is known to have reached (a buffered update, a reported state). */
  #targetPts = 0;
  readonly #buffer = new Map<number, Update>();
  #syncing: Promise<void> | null = null;
  #syncTimer: TimerHandle | null = null;
  #failures = 0;
  /** Bumped by `reset`, so that a difference started before it cannot apply anything after it. */
  #epoch = 0;

  constructor(options: UpdateSequencerOptions) {
    this.#options = options;
    this.#timers = options.timers ?? systemTimers;
    this.#gapTimeoutMs = options.gapTimeoutMs ?? 500;
  }

  /** The pts of the last update applied, or null before the state is known. */
  get pts(): number | null {
    return this.#pts;
  }

  /** Is a catch-up (`getState` or a `getDifference` loop) running? */
  get isSyncing(): boolean {
    return this.#syncing !== null;
  }

  /** How many updates wait in the buffer for a gap before them to close. */
  get bufferedCount(): number {
    return this.#buffer.size;
  }

  /**
   * Starts over at `pts` (null: unknown, to be fetched by the next `sync`). Drops the buffer and
   * timers, and makes any catch-up in flight a no-op. Used when the user changes or the client stops.
   */
  reset(pts: number | null): void {
    this.#epoch += 1;
    this.#pts = pts;
    this.#targetPts = pts ?? 0;
    this.#buffer.clear();
    this.#syncing = null;
    this.#failures = 0;
    this.#clearSyncTimer();
  }

  /** Offers one update, from a push or from a call's result. */
  push(update: Update): void {
    if (this.#pts !== null && update.pts <= this.#pts) {
      this.#options.logger?.debug?.('Dropped duplicate update', { pts: update.pts, localPts: this.#pts });
      return;
    }
    // Keep the first copy: every copy of one pts is the same update.
    if (!this.#buffer.has(update.pts)) this.#buffer.set(update.pts, update);
    this.#targetPts = Math.max(this.#targetPts, update.pts);
    this.#drain();
  }

  /**
   * Catches up with the server: `getState` when the local pts is unknown, otherwise `getDifference`
   * until it is final. Joins a catch-up already running. Never rejects: failures go to `onError`
   * and are retried with backoff.
   */
  sync(): Promise<void> {
    if (this.#syncing !== null) return this.#syncing;
    this.#clearSyncTimer();
    const epoch = this.#epoch;
    const syncing = this.#runSync(epoch).then(
      () => this.#finishSync(epoch, null),
      (error: unknown) => this.#finishSync(epoch, error),
    );
    this.#syncing = syncing;
    return syncing;
  }

  async #runSync(epoch: number): Promise<void> {
    if (this.#pts === null) {
      const state = await this.#options.fetchState();
      if (epoch !== this.#epoch) return;
      const earliest = this.#earliestBufferedPts();
      if (earliest > state.pts) {
        this.#adopt(state);
        return;
      }
      // Updates arrived while the state was unknown (this device's own sends, pushes right after
      // sign-in): start just before the earliest, so that none of them is lost to the state.
      this.#pts = earliest - 1;
      this.#targetPts = Math.max(this.#targetPts, state.pts);
    }
    try {
      await this.#runDifference(epoch);
    } catch (error) {
      // The server has no such pts (its data was reset, or the pts came from elsewhere): start over.
      if (!(error instanceof RpcError && error.code === 'PTS_INVALID')) throw error;
      const state = await this.#options.fetchState();
      if (epoch !== this.#epoch) return;
      this.#adopt(state);
      this.#options.onTooLong(state);
    }
  }

  async #runDifference(epoch: number): Promise<void> {
    for (;;) {
      const fromPts = this.#localPts();
      const result = await this.#options.fetchDifference(fromPts);
      if (epoch !== this.#epoch) return;
      if (result.type === 'tooLong') {
        this.#options.logger?.info?.('Difference too long; skipping ahead', { fromPts, toPts: result.state.pts });
        this.#adopt(result.state);
        this.#options.onTooLong(result.state);
        return;
      }
      if (result.users.length > 0) this.#options.onUsers?.(result.users);
      for (const update of result.updates) {
        if (update.pts > this.#localPts() && !this.#buffer.has(update.pts)) this.#buffer.set(update.pts, update);
      }
      this.#targetPts = Math.max(this.#targetPts, result.state.pts);
      this.#applyContiguous();
      if (result.isFinal) return;
      if (this.#localPts() === fromPts) {
        throw new ProtocolError(`Cannot catch up: difference from pts ${fromPts} is not final but brought nothing new`);
      }
    }
  }

  #finishSync(epoch: number, error: unknown): void {
    if (epoch !== this.#epoch) return;
    this.#syncing = null;
    if (error === null) {
      this.#failures = 0;
      this.#drain();
      return;
    }
    this.#options.logger?.warn?.('Cannot catch up with updates', { error: describeError(error), pts: this.#pts });
    this.#options.onError?.(error);
    // The owner may give up on the sequence in onError (the user left the chat): then no retry.
    if (epoch !== this.#epoch) return;
    this.#applyContiguous();
    this.#clearSyncTimer();
    this.#scheduleSync(this.#retryDelayMs(error));
    this.#failures += 1;
  }

  #retryDelayMs(error: unknown): number {
    const backoffMs = computeBackoffDelayMs(this.#failures, { minDelayMs: this.#gapTimeoutMs, maxDelayMs: MAX_RETRY_DELAY_MS });
    const floodMs = error instanceof RpcError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : 0;
    return Math.max(backoffMs, floodMs);
  }

  /** Applies what can be applied; starts the gap timer if a hole remains, stops it if none does. */
  #drain(): void {
    if (this.#pts === null || this.#syncing !== null) return;
    this.#applyContiguous();
    if (this.#targetPts > this.#pts) this.#scheduleSync(this.#gapTimeoutMs);
    else this.#clearSyncTimer();
  }

  #applyContiguous(): void {
    if (this.#pts === null) return;
    for (const pts of this.#buffer.keys()) {
      if (pts <= this.#pts) this.#buffer.delete(pts);
    }
    for (let next = this.#buffer.get(this.#pts + 1); next !== undefined; next = this.#buffer.get(this.#pts + 1)) {
      this.#buffer.delete(next.pts);
      this.#pts = next.pts;
      this.#options.onUpdate(next);
      this.#options.onPtsChange(next.pts);
    }
  }

  /** Jumps to a state the server reported, dropping what it already covers. */
  #adopt(state: UpdatesState): void {
    this.#pts = state.pts;
    this.#targetPts = Math.max(this.#targetPts, state.pts);
    this.#options.onPtsChange(state.pts);
    this.#applyContiguous();
  }

  /** The lowest buffered pts, or Infinity for an empty buffer (a loop: the buffer may be large). */
  #earliestBufferedPts(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const pts of this.#buffer.keys()) earliest = Math.min(earliest, pts);
    return earliest;
  }

  #localPts(): number {
    if (this.#pts === null) throw new Error('UpdateSequencer: local pts is unknown during a difference');
    return this.#pts;
  }

  /** Starts a catch-up after `delayMs` unless one is already scheduled (a later gap must not postpone it). */
  #scheduleSync(delayMs: number): void {
    if (this.#syncTimer !== null) return;
    this.#syncTimer = this.#timers.setTimeout(() => {
      this.#syncTimer = null;
      void this.sync();
    }, delayMs);
  }

  #clearSyncTimer(): void {
    if (this.#syncTimer === null) return;
    this.#timers.clearTimeout(this.#syncTimer);
    this.#syncTimer = null;
  }
}
