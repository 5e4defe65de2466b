/**
 * The clock and timers the SDK schedules with. Injected so that tests drive time by hand instead
 * of sleeping, and so that every timer the client starts can be found and cleared on `close()`.
 */

/** An opaque handle from {@link Timers.setTimeout}: a number in browsers, an object in Node. */
export type TimerHandle = number | object;

/** The scheduling primitives the SDK uses. */
export interface Timers {
  /** Runs `callback` once after `delayMs` milliseconds. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: TimerHandle): void;
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The host's own timers (`globalThis.setTimeout`, `Date.now`), in Node and in browsers alike. */
export const systemTimers: Timers = {
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
  // The handle came from globalThis.setTimeout above; the cast only bridges the DOM and Node typings.
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
  now: () => Date.now(),
};
