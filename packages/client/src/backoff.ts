/** Bounds of the reconnect delay. */
export interface BackoffOptions {
  /**
   * Delay before the first retry, and the floor of every delay.
   * @default 250
   */
  minDelayMs?: number;
  /**
   * Ceiling of every delay.
   * @default 10_000
   */
  maxDelayMs?: number;
}

/** {@link BackoffOptions} with the defaults filled in. */
export type ResolvedBackoffOptions = Required<BackoffOptions>;

/** The defaults of {@link BackoffOptions}. */
export const DEFAULT_BACKOFF: ResolvedBackoffOptions = { minDelayMs: 250, maxDelayMs: 10_000 };

/**
 * How long to wait before reconnect attempt number `attempt` (0 for the first retry): a random
 * delay between `minDelayMs` and a ceiling that doubles with each attempt up to `maxDelayMs`.
 *
 * The jitter spreads out the clients that all lost their connection at once (a server restart),
 * so that they do not come back in one thundering herd.
 */
export function computeBackoffDelayMs(
  attempt: number,
  options: BackoffOptions & { random?: () => number } = {},
): number {
  const { minDelayMs, maxDelayMs } = { ...DEFAULT_BACKOFF, ...withoutUndefined(options) };
  const random = options.random ?? Math.random;
  // Cap the exponent: 2 ** 1100 is Infinity and would poison the arithmetic below.
  const ceilingMs = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const floorMs = Math.min(minDelayMs, ceilingMs);
  return Math.round(floorMs + random() * (ceilingMs - floorMs));
}

function withoutUndefined(options: BackoffOptions): BackoffOptions {
  const result: BackoffOptions = {};
  if (options.minDelayMs !== undefined) result.minDelayMs = options.minDelayMs;
  if (options.maxDelayMs !== undefined) result.maxDelayMs = options.maxDelayMs;
  return result;
}
