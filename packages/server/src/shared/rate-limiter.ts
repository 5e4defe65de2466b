import type { Clock } from './clock.ts';

/** How many events a key may have in a window. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/**
 * A sliding-window limiter keyed by string (a phone number, an IP, a user). `take` either counts the
 * event and returns 0, or counts nothing and returns the seconds until the oldest event leaves the
 * window, which is what `FLOOD_WAIT` tells the client.
 */
export class SlidingWindowLimiter {
  readonly #events = new Map<string, number[]>();
  readonly #rule: RateLimit;
  readonly #clock: Clock;

  constructor(rule: RateLimit, clock: Clock) {
    this.#rule = rule;
    this.#clock = clock;
  }

  /** Returns 0 when allowed (and counted), else the seconds to wait. */
  take(key: string): number {
    const now = this.#clock.nowMs();
    const recent = (this.#events.get(key) ?? []).filter((at) => at > now - this.#rule.windowMs);
    if (recent.length >= this.#rule.limit) {
      this.#events.set(key, recent);
      return Math.max(1, Math.ceil((recent[0]! + this.#rule.windowMs - now) / 1000));
    }
    recent.push(now);
    this.#events.set(key, recent);
    if (this.#events.size > 100_000) this.#sweep(now);
    return 0;
  }

  /** Drops keys with nothing in the window, so memory stays bounded by recent activity. */
  #sweep(now: number): void {
    for (const [key, times] of this.#events) {
      if (times.every((at) => at <= now - this.#rule.windowMs)) this.#events.delete(key);
    }
  }
}

/**
 * A token bucket for frames on one connection: `capacity` at once, refilled at `perSecond`.
 * Cheaper than a window for the hot path: two numbers a connection.
 */
export class TokenBucket {
  #tokens: number;
  #updatedMs: number;

  constructor(
    private readonly rule: { capacity: number; perSecond: number },
    private readonly clock: Clock,
  ) {
    this.#tokens = rule.capacity;
    this.#updatedMs = clock.nowMs();
  }

  /** Returns 0 when a token was taken, else the seconds until one is there. */
  take(): number {
    const now = this.clock.nowMs();
    this.#tokens = Math.min(this.rule.capacity, this.#tokens + ((now - this.#updatedMs) / 1000) * this.rule.perSecond);
    this.#updatedMs = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.#tokens) / this.rule.perSecond));
  }

  /** Returns a token taken for an action that another limit then refused, so it is not counted. */
  giveBack(): void {
    this.#tokens = Math.min(this.rule.capacity, this.#tokens + 1);
  }
}
