import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** The time source of the server; tests pass a controllable one instead of sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** Seconds since the Unix epoch, as dates go on the wire. */
export function unixSeconds(clock: Clock): number {
  return Math.floor(clock.nowMs() / 1000);
}

/** A clock that moves only when told to, for tests of expiry and rate limits. */
export class ManualClock implements Clock {
  #nowMs: number;

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#nowMs = startMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  advance(ms: number): void {
    this.#nowMs += ms;
  }
}

/**
 * A clock read from a file on every call: the worker processes of a test cluster share the time of
 * the test's manual clock through it (`shareThroughFile`), since they cannot share its memory.
 */
export class FileClock implements Clock {
  constructor(private readonly path: string) {}

  nowMs(): number {
    return Number(readFileSync(this.path, 'utf8'));
  }
}

/**
 * Makes `clock` write its time to `path` now and whenever it moves, for {@link FileClock}s in other
 * processes. The file is replaced whole, so no reader sees it half written; the write is done
 * before `advance` returns, so whatever the test does next already sees the new time.
 */
export function shareThroughFile(clock: ManualClock, path: string): void {
  const publish = () => {
    writeFileSync(`${path}.next`, String(clock.nowMs()));
    renameSync(`${path}.next`, path);
  };
  const advance = clock.advance.bind(clock);
  clock.advance = (ms: number) => {
    advance(ms);
    publish();
  };
  publish();
}
