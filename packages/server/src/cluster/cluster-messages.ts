import type { BusEvent } from '../bus/bus.ts';
import type { LogFields, LogLevel } from '../shared/logger.ts';
import type { RateLimit } from '../shared/rate-limiter.ts';
import type { TokenTake } from '../shared/rate-limits.ts';

/** What the primary may ask the leader worker to do now rather than at its next hourly sweep. */
export type LeaderCommand = 'sweepUploads' | 'purgeIpRecords';

/**
 * What the workers of one server and their primary say to each other over Node's IPC channel.
 * Each kind has one sender: workers publish, subscribe and ask about presence; the primary relays
 * events and answers.
 */
export type WorkerToPrimary =
  | { samizdat: 'bus'; topic: string; event: BusEvent }
  | { samizdat: 'subscribe'; topic: string }
  | { samizdat: 'unsubscribe'; topic: string }
  | { samizdat: 'presence'; requestId: number; userId: number; op: 'connected' | 'disconnected' | 'isOnline' }
  /** Counts against a rate limit kept by the primary for the whole cluster; answered with the seconds to wait. */
  | { samizdat: 'limitWindow'; requestId: number; name: string; rule: RateLimit; key: string }
  | { samizdat: 'limitTokens'; requestId: number; takes: TokenTake[] }
  | { samizdat: 'listening'; port: number }
  /** Asks for the next turn at the database's write lock; `unlock` gives it back. */
  /** Answered by `synced` once the primary has taken every earlier message of this worker. */
  | { samizdat: 'sync'; requestId: number }
  | { samizdat: 'lock' }
  | { samizdat: 'unlock' }
  /** A log line, written by the primary's logger so that a cluster has one log. */
  | { samizdat: 'log'; level: LogLevel; event: string; fields?: LogFields }
  | { samizdat: 'commandDone'; requestId: number; value: number; error?: undefined }
  | { samizdat: 'commandDone'; requestId: number; value?: undefined; error: string };

export type PrimaryToWorker =
  | { samizdat: 'bus'; topic: string; event: BusEvent }
  /** The answer to a worker's `presence` or `limit…` request. */
  | { samizdat: 'answer'; requestId: number; value: boolean | number }
  | { samizdat: 'locked' }
  | { samizdat: 'synced'; requestId: number }
  | { samizdat: 'command'; requestId: number; command: LeaderCommand };

export function isClusterMessage(value: unknown): value is { samizdat: string } {
  return typeof value === 'object' && value !== null && typeof (value as { samizdat?: unknown }).samizdat === 'string';
}
