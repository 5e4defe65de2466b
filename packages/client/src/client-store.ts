import { compiled, InputMedia, MessageEntity, Peer } from '@samizdat/protocol';

/** A message waiting in the outbox for the server's answer. */
export interface OutboxEntry {
  /** The idempotency key: every (re)send of this message carries it, so the server stores it once. */
  randomId: string;
  peer: Peer;
  text: string;
  /** The message this one replies to, in the same chat. */
  replyToId?: number;
  /** Styled and linked spans of `text`. */
  entities?: MessageEntity[];
  /** An uploaded file sent with the message; `text` is then its caption (may be empty). */
  media?: InputMedia;
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
  /**
   * The groups and channels followed, by chat id (a decimal string, as JSON keys are), each with
   * the last update of that chat's own sequence that the app was given.
   */
  chatPts?: Record<string, number>;
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
  const { token, userId, pts, chatPts, outbox } = value;
  if (token !== undefined && typeof token !== 'string') return { fault: 'Cannot read stored state: token is not a string' };
  if (userId !== undefined && !isPositiveInteger(userId)) {
    return { fault: `Cannot read stored state: userId is ${String(userId)}, not a positive integer` };
  }
  if (pts !== undefined && !(isPositiveInteger(pts) || pts === 0)) {
    return { fault: `Cannot read stored state: pts is ${String(pts)}, not a non-negative integer` };
  }
  const chatPtsParsed = chatPts === undefined ? undefined : parseChatPts(chatPts);
  if (typeof chatPtsParsed === 'string') return { fault: `Cannot read stored state: ${chatPtsParsed}` };
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
  if (chatPtsParsed !== undefined) state.chatPts = chatPtsParsed;
  return { state };
}

/** Reads the chatPts record, or says what is wrong with it. */
function parseChatPts(value: unknown): Record<string, number> | string {
  if (!isRecord(value)) return 'chatPts is not an object';
  const result: Record<string, number> = {};
  for (const [key, pts] of Object.entries(value)) {
    // Canonical decimal ids only, so that a key read back is the key the SDK writes.
    if (!/^[1-9][0-9]{0,15}$/.test(key) || !isPositiveInteger(Number(key))) return `chatPts has the key ${JSON.stringify(key.slice(0, 32))}, not a chat id`;
    if (!(isPositiveInteger(pts) || pts === 0)) return `chatPts of chat ${key} is ${String(pts)}, not a non-negative integer`;
    result[key] = pts;
  }
  return result;
}

function parseOutboxEntry(value: unknown): OutboxEntry | null {
  if (!isRecord(value)) return null;
  const { randomId, peer, text, replyToId, entities, media, createdAt } = value;
  if (typeof randomId !== 'string' || randomId.length === 0 || typeof text !== 'string') return null;
  if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) return null;
  if (!compiled(Peer).Check(peer)) return null;
  // All optional: entries stored before replies, entities and media existed have none of them.
  if (replyToId !== undefined && !isPositiveInteger(replyToId)) return null;
  if (entities !== undefined && !(Array.isArray(entities) && entities.every((entity) => compiled(MessageEntity).Check(entity)))) return null;
  if (media !== undefined && !compiled(InputMedia).Check(media)) return null;
  const entry: OutboxEntry = { randomId, peer, text, createdAt };
  if (replyToId !== undefined) entry.replyToId = replyToId;
  if (entities !== undefined) entry.entities = entities;
  if (media !== undefined) entry.media = media;
  return entry;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}
