import type { Clock } from './clock.ts';
import { SlidingWindowLimiter, TokenBucket, type RateLimit } from './rate-limiter.ts';

/** A token bucket's rule: `capacity` at once, refilled at `perSecond`. */
export interface TokenRule {
  capacity: number;
  perSecond: number;
}

/** One token to take: from the bucket `key` of the limit `name`, which follows `rule`. */
export interface TokenTake {
  name: string;
  rule: TokenRule;
  key: string;
}

/**
 * Where the limits that hold per account, address or bot are counted: in this process, or for a
 * whole cluster in its primary, so that connections landing on different workers do not each get
 * the full allowance. (Per-connection frame limits stay with the connection.) Each call names its
 * limit and rule, so the counting side needs no configuration of its own.
 */
export interface RateLimits {
  /** Counts one event of `key` in the sliding window `name`, or counts nothing and returns the seconds to wait. */
  takeFromWindow(name: string, rule: RateLimit, key: string): Promise<number>;
  /** Takes a token from each bucket in order; when one is empty, returns its wait and puts back those already taken. */
  takeTokens(takes: readonly TokenTake[]): Promise<number>;
}

/** Buckets are forgotten when this many are held; idle ones would be full again anyway. */
const MAX_BUCKETS = 100_000;

/** Limits counted in this process's memory. */
export class LocalRateLimits implements RateLimits {
  readonly #windows = new Map<string, SlidingWindowLimiter>();
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(private readonly clock: Clock) {}

  async takeFromWindow(name: string, rule: RateLimit, key: string): Promise<number> {
    return this.takeFromWindowNow(name, rule, key);
  }

  async takeTokens(takes: readonly TokenTake[]): Promise<number> {
    return this.takeTokensNow(takes);
  }

  takeFromWindowNow(name: string, rule: RateLimit, key: string): number {
    let window = this.#windows.get(name);
    if (window === undefined) {
      window = new SlidingWindowLimiter(rule, this.clock);
      this.#windows.set(name, window);
    }
    return window.take(key);
  }

  takeTokensNow(takes: readonly TokenTake[]): number {
    const taken: TokenBucket[] = [];
    for (const { name, rule, key } of takes) {
      const bucket = this.#bucket(`${name}\u0000${key}`, rule);
      const wait = bucket.take();
      if (wait > 0) {
        for (const earlier of taken) earlier.giveBack();
        return wait;
      }
      taken.push(bucket);
    }
    return 0;
  }

  #bucket(id: string, rule: TokenRule): TokenBucket {
    let bucket = this.#buckets.get(id);
    if (bucket === undefined) {
      if (this.#buckets.size >= MAX_BUCKETS) this.#buckets.clear();
      bucket = new TokenBucket(rule, this.clock);
      this.#buckets.set(id, bucket);
    }
    return bucket;
  }
}
