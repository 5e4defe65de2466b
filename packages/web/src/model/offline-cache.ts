import type { SamizdatClient } from '@samizdat/client';
import type { Chat, Message, User } from '@samizdat/protocol';
import type { CachedAccount, CachedHistory } from '../storage/idb-history-cache.ts';
import type { AppSnapshot } from './chat-store.ts';
import { mergeMessages, removeMessages } from './message-list.ts';
import { newestMessages } from './history-merge.ts';

/** Where the cache keeps its records: {@link IndexedDbHistoryCache} in the browser, a fake in tests. */
export interface HistoryCacheStorage {
  loadAccount(): Promise<CachedAccount | null>;
  saveAccount(account: CachedAccount): Promise<void>;
  loadHistory(chatId: number): Promise<CachedHistory | null>;
  updateHistory(chatId: number, change: (saved: readonly Message[] | null) => readonly Message[] | null): Promise<void>;
  clear(): Promise<void>;
}

/** The part of a `ChatStore` the cache follows. */
export interface SnapshotSource {
  subscribe(listener: () => void): () => void;
  getSnapshot(): AppSnapshot;
}

/** Options of {@link OfflineCache}. */
export interface OfflineCacheOptions {
  /** How long changes gather before one write. @default 300 */
  flushDelayMs?: number;
  /** Messages kept per chat. @default 500 */
  maxMessagesPerChat?: number;
  /** Users kept with the chat list. @default 2000 */
  maxUsers?: number;
  onError?: (error: unknown) => void;
}

/**
 * The web client's offline cache ([WEB50]–[WEB53]): mirrors the chat list and each opened chat's
 * loaded history into storage, so that a reload without the server shows them, and keeps the
 * histories of chats not open current from the SDK's events (new messages, edits and deletions,
 * merged by id). Writes are gathered and run one at a time, in order; signing out clears it all.
 */
export class OfflineCache {
  readonly #storage: HistoryCacheStorage;
  readonly #flushDelayMs: number;
  readonly #maxMessages: number;
  readonly #maxUsers: number;
  readonly #onError: (error: unknown) => void;
  /** Every write runs after the one before, so a clear is never overtaken by an older write. */
  #queue: Promise<void> = Promise.resolve();
  /** Bumped by `clear`: writes scheduled before it are dropped. */
  #generation = 0;

  constructor(storage: HistoryCacheStorage, options: OfflineCacheOptions = {}) {
    this.#storage = storage;
    this.#flushDelayMs = options.flushDelayMs ?? 300;
    this.#maxMessages = options.maxMessagesPerChat ?? 500;
    this.#maxUsers = options.maxUsers ?? 2000;
    this.#onError = options.onError ?? ((error) => console.warn('offline cache', error));
  }

  /** The saved chat list of `userId`, or null (none, another user's, or unreadable). */
  async loadAccount(userId?: number): Promise<CachedAccount | null> {
    try {
      const account = await this.#storage.loadAccount();
      if (account === null) return null;
      if (userId !== undefined && account.userId !== userId) {
        // Another user's cache (signed out elsewhere, or a state that was replaced): never shown.
        await this.clear();
        return null;
      }
      return account;
    } catch (error) {
      this.#onError(error);
      return null;
    }
  }

  /** A chat's saved messages, ascending by id, or null. */
  async loadHistory(chatId: number): Promise<readonly Message[] | null> {
    try {
      await this.#queue;
      return (await this.#storage.loadHistory(chatId))?.messages ?? null;
    } catch (error) {
      this.#onError(error);
      return null;
    }
  }

  /** Forgets everything, as signing out does; writes still pending are dropped. */
  clear(): Promise<void> {
    this.#generation += 1;
    return this.#enqueue(() => this.#storage.clear());
  }

  /**
   * Starts mirroring `store` and following `client`'s message events; returns the function that
   * stops (and writes what is pending).
   */
  attach(store: SnapshotSource, client: Pick<SamizdatClient, 'on'>): () => void {
    let written: AppSnapshot | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const generation = this.#generation;
    const flush = () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      const snapshot = store.getSnapshot();
      if (generation !== this.#generation) return;
      this.#writeSnapshot(snapshot, written);
      written = snapshot;
    };
    const schedule = () => {
      timer ??= setTimeout(flush, this.#flushDelayMs);
    };
    /** Chats whose history the store has not loaded: the cache applies their events itself. */
    const isUnloaded = (chatId: number) => !store.getSnapshot().conversations.has(chatId);
    const followHistory = (chatId: number, change: (saved: readonly Message[]) => readonly Message[]) => {
      if (!isUnloaded(chatId) || generation !== this.#generation) return;
      this.#enqueue(() =>
        this.#storage.updateHistory(chatId, (saved) => {
          if (saved === null) return null;
          const next = change(saved);
          return next === saved ? null : newestMessages(next, this.#maxMessages);
        }),
      );
    };
    const subscriptions = [
      store.subscribe(schedule),
      client.on('message', (message) => followHistory(message.chatId, (saved) => mergeMessages(saved, [message]))),
      client.on('messageEdited', (message) => followHistory(message.chatId, (saved) => (saved.some((m) => m.id === message.id) ? mergeMessages(saved, [message]) : saved))),
      client.on('messagesDeleted', ({ chatId, messageIds }) => followHistory(chatId, (saved) => removeMessages(saved, messageIds))),
    ];
    // A page being closed writes at once: the delay would lose the last changes.
    const onHide = () => flush();
    globalThis.addEventListener?.('pagehide', onHide);
    return () => {
      for (const unsubscribe of subscriptions) unsubscribe();
      globalThis.removeEventListener?.('pagehide', onHide);
      flush();
    };
  }

  /** Resolves once every write queued so far has finished. */
  async settled(): Promise<void> {
    await this.#queue;
  }

  #writeSnapshot(snapshot: AppSnapshot, previous: AppSnapshot | null): void {
    // Nothing from the server yet: the snapshot is the cache itself (or empty), nothing to write.
    if (!snapshot.isChatListLoaded) return;
    if (previous === null || snapshot.chats !== previous.chats || snapshot.users !== previous.users || snapshot.self !== previous.self) {
      const account: CachedAccount = {
        userId: snapshot.self.id,
        self: snapshot.users.get(snapshot.self.id) ?? snapshot.self,
        chats: snapshot.chats,
        users: usersToKeep(snapshot.chats, snapshot.users, this.#maxUsers),
        savedAt: Date.now(),
      };
      this.#enqueue(() => this.#storage.saveAccount(account));
    }
    for (const [chatId, conversation] of snapshot.conversations) {
      if (!conversation.isLoaded || conversation.messages === previous?.conversations.get(chatId)?.messages) continue;
      const messages = newestMessages(conversation.messages, this.#maxMessages);
      this.#enqueue(() => this.#storage.updateHistory(chatId, () => messages));
    }
  }

  #enqueue(write: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(write).catch(this.#onError);
    this.#queue = run;
    return run;
  }
}

/** The users the chat list names (peers, last senders), then others up to `limit`. */
function usersToKeep(chats: readonly Chat[], users: ReadonlyMap<number, User>, limit: number): User[] {
  const kept = new Map<number, User>();
  for (const chat of chats) {
    for (const id of [chat.peerUserId, chat.topMessage?.senderId]) {
      const user = id == null ? undefined : users.get(id);
      if (user !== undefined) kept.set(user.id, user);
    }
  }
  for (const user of users.values()) {
    if (kept.size >= limit) break;
    kept.set(user.id, user);
  }
  return [...kept.values()];
}
