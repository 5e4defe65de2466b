/**
 * A secret chat's history as each device keeps it, and how one decrypted payload changes it. Pure:
 * the same payloads give the same history on every device, whichever device applies them.
 *
 * @module
 */
import type { MessageEntity, SecretBody, SecretFile } from '@samizdat/protocol';

/** A message of a secret chat, as stored on this device. */
export interface SecretMessage {
  kind: 'message';
  /** Chosen by the sender; the same on every device. */
  id: string;
  senderUserId: number;
  senderDeviceId: number;
  /** The sender's clock, milliseconds since the epoch. */
  sentAt: number;
  text: string;
  entities?: MessageEntity[];
  replyToId?: string;
  file?: SecretFile;
  /** The self-destruct timer it was sent under; 0: it stays. */
  ttlSeconds: number;
  /** When the peer of its sender read it (this device's clock), or null. */
  readAt: number | null;
  /** When it disappears from every device: `readAt + ttlSeconds`, or null. */
  expiresAt: number | null;
  editedAt: number | null;
  /** User id (decimal) → emoji. */
  reactions: Record<string, string>;
}

/** Something that happened to the chat itself, shown in its history. */
export type SecretServiceAction =
  /** The chat was started on this device. */
  | { type: 'started' }
  /** A user's devices changed: the safety number is no longer the one compared. */
  | { type: 'devicesChanged'; userId: number; added: number[]; removed: number[] }
  | { type: 'timerSet'; ttlSeconds: number; byUserId: number };

/** A service entry of the history. */
export interface SecretServiceEntry {
  kind: 'service';
  /** When this device recorded it. */
  at: number;
  action: SecretServiceAction;
}

export type SecretHistoryEntry = SecretMessage | SecretServiceEntry;

/** One secret chat with one user, covering every device of both. */
export interface SecretChatState {
  peerUserId: number;
  /** The self-destruct timer of messages sent from now on; 0: off. */
  ttlSeconds: number;
  history: SecretHistoryEntry[];
}

/** Who did something, and when, as the envelope and this device's clock tell. */
export interface Actor {
  userId: number;
  deviceId: number;
  sentAt: number;
  /** This device's clock when it applies the change. */
  now: number;
}

/** What applying a payload changed, for the events an app listens to. */
export type HistoryChange =
  | { type: 'message'; message: SecretMessage }
  | { type: 'edited'; message: SecretMessage }
  | { type: 'deleted'; ids: string[] }
  | { type: 'reaction'; message: SecretMessage }
  | { type: 'timer'; ttlSeconds: number; byUserId: number }
  | { type: 'read'; ids: string[] }
  | { type: 'none' };

/** Finds a message of the history by id. */
export function findMessage(chat: SecretChatState, id: string): SecretMessage | undefined {
  for (const entry of chat.history) if (entry.kind === 'message' && entry.id === id) return entry;
  return undefined;
}

/**
 * Applies one change made by `actor` to `chat`. Repeats and changes to messages this device no
 * longer has (deleted, expired) change nothing; only a message's sender may edit it; either user
 * may delete any message, for both.
 */
export function applyBody(chat: SecretChatState, body: SecretBody, actor: Actor): HistoryChange {
  switch (body.type) {
    case 'message': {
      if (findMessage(chat, body.id) !== undefined) return { type: 'none' };
      const message: SecretMessage = {
        kind: 'message',
        id: body.id,
        senderUserId: actor.userId,
        senderDeviceId: actor.deviceId,
        sentAt: actor.sentAt,
        text: body.text,
        ttlSeconds: body.ttlSeconds,
        readAt: null,
        expiresAt: null,
        editedAt: null,
        reactions: {},
      };
      if (body.entities !== undefined) message.entities = body.entities;
      if (body.replyToId !== undefined) message.replyToId = body.replyToId;
      if (body.file !== undefined) message.file = body.file;
      chat.history.push(message);
      return { type: 'message', message };
    }
    case 'edit': {
      const message = findMessage(chat, body.id);
      if (message === undefined || message.senderUserId !== actor.userId) return { type: 'none' };
      message.text = body.text;
      if (body.entities === undefined) delete message.entities;
      else message.entities = body.entities;
      message.editedAt = actor.sentAt;
      return { type: 'edited', message };
    }
    case 'delete': {
      const ids = new Set(body.ids);
      return { type: 'deleted', ids: removeMessages(chat, (m) => ids.has(m.id)) };
    }
    case 'reaction': {
      const message = findMessage(chat, body.id);
      if (message === undefined) return { type: 'none' };
      if (body.emoji === null) delete message.reactions[String(actor.userId)];
      else message.reactions[String(actor.userId)] = body.emoji;
      return { type: 'reaction', message };
    }
    case 'timer': {
      chat.ttlSeconds = body.ttlSeconds;
      chat.history.push({ kind: 'service', at: actor.now, action: { type: 'timerSet', ttlSeconds: body.ttlSeconds, byUserId: actor.userId } });
      return { type: 'timer', ttlSeconds: body.ttlSeconds, byUserId: actor.userId };
    }
    case 'read':
      return { type: 'read', ids: markRead(chat, new Set(body.ids), actor.userId, actor.now) };
  }
}

/**
 * Marks the messages `readerUserId` received (sent by the other user) as read at `now`, starting
 * their self-destruct countdown. Returns the ids newly marked.
 */
export function markRead(chat: SecretChatState, ids: ReadonlySet<string> | 'all', readerUserId: number, now: number): string[] {
  const marked: string[] = [];
  for (const entry of chat.history) {
    if (entry.kind !== 'message' || entry.senderUserId === readerUserId || entry.readAt !== null) continue;
    if (ids !== 'all' && !ids.has(entry.id)) continue;
    entry.readAt = now;
    if (entry.ttlSeconds > 0) entry.expiresAt = now + entry.ttlSeconds * 1000;
    marked.push(entry.id);
  }
  return marked;
}

/** Removes the messages matching `predicate`; returns their ids. */
export function removeMessages(chat: SecretChatState, predicate: (message: SecretMessage) => boolean): string[] {
  const removed: string[] = [];
  chat.history = chat.history.filter((entry) => {
    if (entry.kind !== 'message' || !predicate(entry)) return true;
    removed.push(entry.id);
    return false;
  });
  return removed;
}

/** Removes the messages whose self-destruct time has come; returns their ids. */
export function removeExpired(chat: SecretChatState, now: number): string[] {
  return removeMessages(chat, (m) => m.expiresAt !== null && m.expiresAt <= now);
}

/** The earliest self-destruct time still ahead in `chat`, or null. */
export function nextExpiry(chat: SecretChatState): number | null {
  let next: number | null = null;
  for (const entry of chat.history) {
    if (entry.kind === 'message' && entry.expiresAt !== null && (next === null || entry.expiresAt < next)) next = entry.expiresAt;
  }
  return next;
}
