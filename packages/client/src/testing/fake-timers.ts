import type { TimerHandle, Timers } from '../timers.ts';

interface ScheduledTimer {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
}

/**
 * Lets every microtask and I/O callback queued so far run: resolved promises, fake socket events.
 * One real macrotask turn, so it is deterministic and takes no wall-clock time worth counting.
 */
export async function flushAsync(turns = 3): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise<void>((resolve) => globalThis.setTimeout(resolve, 0));
}

/** {@link Timers} driven by hand: time moves only in `advance`, so tests never sleep. */
export class FakeTimers implements Timers {
  #now: number;
  #nextId = 1;
  readonly #scheduled = new Map<number, ScheduledTimer>();

  constructor(startMs = Date.UTC(2025, 0, 1)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.#nextId++;
    this.#scheduled.set(id, { at: this.#now + Math.max(0, delayMs), order: id, callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'number') this.#scheduled.delete(handle);
  }

  /** How many timers wait to fire. */
  get pendingCount(): number {
    return this.#scheduled.size;
  }

  /** The delays (from now) of the timers waiting to fire, soonest first. */
  get pendingDelaysMs(): number[] {
    return [...this.#scheduled.values()].map((timer) => timer.at - this.#now).sort((a, b) => a - b);
  }

  /**
   * Moves time forward by `ms`, firing due timers in order and letting the promises each one
   * starts settle before the next fires, as they would in real time.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flushAsync();
    for (let next = this.#nextDue(target); next !== undefined; next = this.#nextDue(target)) {
      const [id, timer] = next;
      this.#scheduled.delete(id);
      this.#now = timer.at;
      timer.callback();
      await flushAsync();
    }
    this.#now = target;
  }

  /** Fires timers until none is left (at most `limitMs` ahead), e.g. to run out a backoff. */
  async runAll(limitMs = 60_000): Promise<void> {
    await this.advance(limitMs);
  }

  #nextDue(target: number): [number, ScheduledTimer] | undefined {
    let best: [number, ScheduledTimer] | undefined;
    for (const entry of this.#scheduled) {
      const timer = entry[1];
      if (timer.at > target) continue;
      if (best === undefined || timer.at < best[1].at || (timer.at === best[1].at && timer.order < best[1].order)) best = entry;
    }
    return best;
  }
}
