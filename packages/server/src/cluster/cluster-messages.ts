import type { BusEvent } from '../bus/bus.ts';

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
  | { samizdat: 'listening'; port: number }
  /** Asks for the next turn at the database's write lock; `unlock` gives it back. */
  /** Answered by `synced` once the primary has taken every earlier message of this worker. */
  | { samizdat: 'sync'; requestId: number }
  | { samizdat: 'lock' }
  | { samizdat: 'unlock' };

export type PrimaryToWorker =
  | { samizdat: 'bus'; topic: string; event: BusEvent }
  | { samizdat: 'presenceAnswer'; requestId: number; value: boolean }
  | { samizdat: 'locked' }
  | { samizdat: 'synced'; requestId: number };

export function isClusterMessage(value: unknown): value is { samizdat: string } {
  return typeof value === 'object' && value !== null && typeof (value as { samizdat?: unknown }).samizdat === 'string';
}
