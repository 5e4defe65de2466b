import { RpcError } from '@samizdat/protocol';
import { abortReason, sleep } from './abort.ts';
import { computeBackoffDelayMs, type BackoffOptions } from './backoff.ts';
import { TransferNetworkError } from './file-http.ts';
import type { Logger } from './logger.ts';
import type { Timers } from './timers.ts';
import { describeError } from './typed-emitter.ts';

/** How one HTTP transfer step (a part, a range) is retried. */
export interface TransferRetryOptions {
  /** Tries per step before its error is given up to the caller. @default 5 */
  maxAttempts?: number;
  /** The delays between tries. @default { minDelayMs: 500, maxDelayMs: 10_000 } */
  backoff?: BackoffOptions;
  /** A `FLOOD_WAIT` up to this long is waited out (without counting as a try); a longer one rejects. */
  floodWaitThresholdSeconds: number;
  timers: Timers;
  logger?: Logger;
  signal?: AbortSignal | undefined;
}

/** The defaults of {@link TransferRetryOptions}. */
export const DEFAULT_TRANSFER_ATTEMPTS = 5;
export const DEFAULT_TRANSFER_BACKOFF: Required<BackoffOptions> = { minDelayMs: 500, maxDelayMs: 10_000 };

/**
 * Is `error` worth another try? The network, a timeout, a server or proxy failure (5xx, 408, 429)
 * and a part the server received damaged (`FILE_PART_HASH_INVALID`); not refusals that a resend
 * cannot change (an unknown upload, a file one may not read, a lost session).
 */
export function isRetryableTransferError(error: unknown): boolean {
  if (error instanceof TransferNetworkError) {
    return error.status === undefined || error.status >= 500 || error.status === 408 || error.status === 429;
  }
  return error instanceof RpcError && (error.code === 'INTERNAL' || error.code === 'FILE_PART_HASH_INVALID');
}

/**
 * Runs `step` until it succeeds, retrying what {@link isRetryableTransferError} allows with
 * backoff, and sleeping out flood waits under the threshold. An abort stops at once with the
 * signal's reason, whatever step or wait is under way.
 */
export async function withTransferRetry<T>(what: string, step: () => Promise<T>, options: TransferRetryOptions): Promise<T> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_TRANSFER_ATTEMPTS;
  const backoff = { ...DEFAULT_TRANSFER_BACKOFF, ...options.backoff };
  for (let attempt = 1; ; ) {
    try {
      return await step();
    } catch (error) {
      if (options.signal?.aborted === true) throw abortReason(options.signal);
      if (error instanceof RpcError && error.code === 'FLOOD_WAIT') {
        const seconds = error.retryAfterSeconds ?? 1;
        if (seconds > options.floodWaitThresholdSeconds) throw error;
        options.logger?.info?.('Transfer flood wait', { what, retryAfterSeconds: seconds });
        await sleep(options.timers, seconds * 1000, options.signal);
        continue;
      }
      if (!isRetryableTransferError(error) || attempt >= maxAttempts) throw error;
      const delayMs = computeBackoffDelayMs(attempt - 1, backoff);
      options.logger?.warn?.('Transfer step failed; retrying', { what, attempt, delayMs, error: describeError(error) });
      attempt += 1;
      await sleep(options.timers, delayMs, options.signal);
    }
  }
}
