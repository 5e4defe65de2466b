import { compiled, Peer } from '@samizdat/protocol';

/** A message waiting in the outbox for the server's answer. */
export interface OutboxEntry {
  /** The idempotency key: every (re)send of this message carries it, so the server stores it once. */
  randomId: string;
  peer: Peer;
  text: string;
  /** When `sendMessage` was called, in milliseconds since the Unix epoch. */
  createdAt: number;
}

/** What the SDK keeps between runs of the app. */
export interface StoredState {
  /** This device's session token; absent when signed out. */
  token?: string;
  /** The user that `pts` and `outbox` belong to. */
  userId?: number;
  /** The last update of the user's sequence that the app was given. */
  pts?: number;
  /** Messages not yet answered by the server, oldest first. */
  outbox: OutboxEntry[];
}

/**
 * Where the SDK keeps its {@link StoredState}: a file for the CLI, IndexedDB for the web client,
 * memory for tests. `save` gets the whole state every time; the SDK never runs two saves at once.
 */
export interface ClientStore {
  /** The saved state, or null on first run. */
  load(): Promise<StoredState | null>;
  /** Replaces the saved state. */
  save(state: StoredState): Promise<void>;
}

/** A {@link ClientStore} in memory: nothing survives the process, for tests and throwaway clients. */
export class MemoryStore implements ClientStore {
  #state: StoredState | null;

  constructor(initial: StoredState | null = null) {
    this.#state = initial === null ? null : structuredClone(initial);
  }

  /** The saved state as it stands (a copy), for inspection in tests. */
  get state(): StoredState | null {
    return this.#state === null ? null : structuredClone(this.#state);
  }

  async load(): Promise<StoredState | null> {
    return this.#state === null ? null : structuredClone(this.#state);
  }

  async save(state: StoredState): Promise<void> {
    // Copy so that later changes by the SDK do not reach the "saved" state without a save.
    this.#state = structuredClone(state);
  }
}

/**
 * Reads a {@link StoredState} from an untrusted value (a parsed file, an IndexedDB record), or
 * returns why it cannot. Stores call it on what they load; the SDK calls it again on what a store
 * returns, as every value crossing a boundary is checked once at the edge.
 */
export function parseStoredState(value: unknown): { state: StoredState } | { fault: string } {
  if (!isRecord(value)) return { fault: 'Cannot read stored state: not an object' };
  const { token, userId, pts, outbox } = value;
  if (token !== undefined && typeof token !== 'string') return { fault: 'Cannot read stored state: token is not a string' };
  if (userId !== undefined && !isPositiveInteger(userId)) {
    return { fault: `Cannot read stored state: userId is ${String(userId)}, not a positive integer` };
  }
  if (pts !== undefined && !(isPositiveInteger(pts) || pts === 0)) {
    return { fault: `Cannot read stored state: pts is ${String(pts)}, not a non-negative integer` };
  }
  if (!Array.isArray(outbox)) return { fault: 'Cannot read stored state: outbox is not an array' };
  const entries: OutboxEntry[] = [];
  for (const [index, item] of outbox.entries()) {
    const entry = parseOutboxEntry(item);
    if (entry === null) return { fault: `Cannot read stored state: outbox entry ${index} is malformed` };
    entries.push(entry);
  }
  const state: StoredState = { outbox: entries };
  if (token !== undefined) state.token = token;
  if (userId !== undefined) state.userId = userId;
  if (pts !== undefined) state.pts = pts;
  return { state };
}

function parseOutboxEntry(value: unknown): OutboxEntry | null {
  if (!isRecord(value)) return null;
  const { randomId, peer, text, createdAt } = value;
  if (typeof randomId !== 'string' || randomId.length === 0 || typeof text !== 'string') return null;
  if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) return null;
  if (!compiled(Peer).Check(peer)) return null;
  return { randomId, peer, text, createdAt };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}
