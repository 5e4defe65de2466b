import { Chat, compiled, Message, User } from '@samizdat/protocol';
import type { Chat as ChatValue, Message as MessageValue, User as UserValue } from '@samizdat/protocol';
import { LazyDatabase, type IndexedDbOptions } from './idb-database.ts';

/** The object store of the offline cache, in the web client's database. */
export const HISTORY_STORE = 'history';
/** Chats whose history the cache keeps; the least recently saved go first. */
export const MAX_CACHED_CHATS = 200;
/** Messages kept per chat: the newest ones. */
export const MAX_CACHED_MESSAGES = 500;

const ACCOUNT_KEY = 'account';
const INDEX_KEY = 'index';
const FORMAT = 1;

/** The chat list as last seen, for a reload without the server. */
export interface CachedAccount {
  userId: number;
  self: UserValue;
  /** Most recent activity first, as the list shows them. */
  chats: readonly ChatValue[];
  users: readonly UserValue[];
  /** Milliseconds since the epoch. */
  savedAt: number;
}

/** The newest messages of one chat, as last seen. */
export interface CachedHistory {
  chatId: number;
  /** Ascending by id, each id once, at most {@link MAX_CACHED_MESSAGES}. */
  messages: readonly MessageValue[];
  savedAt: number;
}

const isUser = compiled(User);
const isChat = compiled(Chat);
const isMessage = compiled(Message);

/**
 * The offline cache in IndexedDB (`history` store of the `samizdat` database): the chat list with
 * its users under one key, each chat's newest messages under `chat:<id>`, and the list of chats
 * with a history, most recently saved first, so that the oldest beyond {@link MAX_CACHED_CHATS}
 * are dropped in the same transaction that saves a new one. Records that do not parse are
 * ignored (the cache is only ever a head start; the server stays the source of truth).
 */
export class IndexedDbHistoryCache {
  readonly #db: LazyDatabase;
  readonly #maxChats: number;
  readonly #maxMessages: number;

  constructor(options: IndexedDbOptions & { maxChats?: number; maxMessages?: number } = {}) {
    this.#db = new LazyDatabase(options);
    this.#maxChats = options.maxChats ?? MAX_CACHED_CHATS;
    this.#maxMessages = options.maxMessages ?? MAX_CACHED_MESSAGES;
  }

  /** The saved chat list, or null when there is none (or it does not parse). */
  async loadAccount(): Promise<CachedAccount | null> {
    const value = await this.#read(ACCOUNT_KEY);
    if (!isRecord(value) || value['v'] !== FORMAT) return null;
    const { userId, self, chats, users, savedAt } = value;
    if (typeof userId !== 'number' || !isUser.Check(self) || !Array.isArray(chats) || !Array.isArray(users) || typeof savedAt !== 'number') return null;
    return { userId, self, chats: chats.filter((chat) => isChat.Check(chat)), users: users.filter((user) => isUser.Check(user)), savedAt };
  }

  /** Replaces the saved chat list. */
  async saveAccount(account: CachedAccount): Promise<void> {
    await this.#transaction('readwrite', (store) => {
      store.put({ v: FORMAT, ...account, chats: account.chats.slice(0, this.#maxChats) }, ACCOUNT_KEY);
    });
  }

  /** A chat's saved messages, or null. */
  async loadHistory(chatId: number): Promise<CachedHistory | null> {
    return parseHistory(await this.#read(historyKey(chatId)));
  }

  /**
   * Changes a chat's saved messages in one transaction (read, change, write): `change` gets the
   * saved ones (null when none) and returns the new ones, or null to leave the record alone. The
   * newest {@link MAX_CACHED_MESSAGES} are kept, and the chat becomes the most recent in the index.
   */
  async updateHistory(chatId: number, change: (saved: readonly MessageValue[] | null) => readonly MessageValue[] | null): Promise<void> {
    const db = await this.#db.get();
    await new Promise<void>((resolve, reject) => {
      const transaction = db.transaction(HISTORY_STORE, 'readwrite');
      const store = transaction.objectStore(HISTORY_STORE);
      const read = store.get(historyKey(chatId));
      read.onsuccess = () => {
        const saved = parseHistory(read.result);
        const next = change(saved?.messages ?? null);
        if (next === null) return;
        const messages = next.length > this.#maxMessages ? next.slice(next.length - this.#maxMessages) : next;
        store.put({ v: FORMAT, chatId, messages, savedAt: Date.now() }, historyKey(chatId));
        const index = store.get(INDEX_KEY);
        index.onsuccess = () => {
          const previous = isRecord(index.result) && Array.isArray(index.result['chatIds']) ? index.result['chatIds'].filter((id): id is number => typeof id === 'number') : [];
          const chatIds = [chatId, ...previous.filter((id) => id !== chatId)];
          for (const evicted of chatIds.splice(this.#maxChats)) store.delete(historyKey(evicted));
          store.put({ v: FORMAT, chatIds }, INDEX_KEY);
        };
      };
      transaction.oncomplete = () => resolve();
      transaction.onabort = () => reject(transaction.error ?? new Error(`Cannot save the cached history of chat ${chatId}: the transaction was aborted`));
    });
  }

  /** Drops one chat's saved messages. */
  async deleteHistory(chatId: number): Promise<void> {
    await this.#transaction('readwrite', (store) => {
      store.delete(historyKey(chatId));
    });
  }

  /** The ids of the chats with a saved history, most recently saved first. */
  async cachedChatIds(): Promise<number[]> {
    const value = await this.#read(INDEX_KEY);
    return isRecord(value) && Array.isArray(value['chatIds']) ? value['chatIds'].filter((id): id is number => typeof id === 'number') : [];
  }

  /** Forgets everything cached, as signing out does. */
  async clear(): Promise<void> {
    await this.#transaction('readwrite', (store) => {
      store.clear();
    });
  }

  /** Closes the database connection; the next call opens it again. */
  close(): Promise<void> {
    return this.#db.close();
  }

  async #read(key: string): Promise<unknown> {
    let value: unknown;
    await this.#transaction('readonly', (store) => {
      const request = store.get(key);
      request.onsuccess = () => {
        value = request.result as unknown;
      };
    });
    return value;
  }

  async #transaction(mode: IDBTransactionMode, work: (store: IDBObjectStore) => void): Promise<void> {
    const db = await this.#db.get();
    await new Promise<void>((resolve, reject) => {
      const transaction = db.transaction(HISTORY_STORE, mode);
      work(transaction.objectStore(HISTORY_STORE));
      transaction.oncomplete = () => resolve();
      transaction.onabort = () => reject(transaction.error ?? new Error(`Cannot use the offline cache: the ${mode} transaction was aborted`));
    });
  }
}

function historyKey(chatId: number): string {
  return `chat:${chatId}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function parseHistory(value: unknown): CachedHistory | null {
  if (!isRecord(value) || value['v'] !== FORMAT) return null;
  const { chatId, messages, savedAt } = value;
  if (typeof chatId !== 'number' || !Array.isArray(messages) || typeof savedAt !== 'number') return null;
  return { chatId, messages: messages.filter((message) => isMessage.Check(message)), savedAt };
}
