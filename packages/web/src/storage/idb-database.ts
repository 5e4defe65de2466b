/**
 * A few promise helpers over IndexedDB: one database, one object store per kind of state, one
 * record per store under a fixed key. The SDK hands its stores the whole state on every save, so
 * nothing here needs indexes or cursors.
 *
 * @module
 */

/** The database the web client keeps its state in. */
export const DATABASE_NAME = 'samizdat';
/**
 * Bumped when object stores are added; `upgradeneeded` creates whatever is missing and never
 * deletes a store, so `client` and `secret` survive every upgrade. 2: `history` (the offline cache).
 */
export const DATABASE_VERSION = 2;
/** The object stores of {@link DATABASE_NAME}. */
export const OBJECT_STORES = ['client', 'secret', 'history'] as const;
export type ObjectStoreName = (typeof OBJECT_STORES)[number];
/** The one key each object store keeps its record under. */
export const STATE_KEY = 'state';

/** Where the IndexedDB API comes from: the browser's global, or a fake one in Node tests. */
export interface IndexedDbOptions {
  /** @default globalThis.indexedDB */
  indexedDB?: IDBFactory;
  /** @default DATABASE_NAME */
  databaseName?: string;
}

/** Opens (and on first use creates) the web client's database. */
export function openDatabase(options: IndexedDbOptions = {}): Promise<IDBDatabase> {
  const factory = options.indexedDB ?? globalThis.indexedDB;
  if (factory === undefined) return Promise.reject(new Error('Cannot open the local database: this browser has no IndexedDB'));
  return new Promise((resolve, reject) => {
    const request = factory.open(options.databaseName ?? DATABASE_NAME, DATABASE_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const name of OBJECT_STORES) if (!db.objectStoreNames.contains(name)) db.createObjectStore(name);
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab upgrading the schema must not wait on this one forever.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => reject(request.error ?? new Error('Cannot open the local database'));
    request.onblocked = () => reject(new Error('Cannot open the local database: another tab holds an older version open'));
  });
}

/** Reads the record of `store`, or undefined when there is none. */
export function readRecord(db: IDBDatabase, store: ObjectStoreName): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(store, 'readonly');
    const request = transaction.objectStore(store).get(STATE_KEY);
    request.onsuccess = () => resolve(request.result as unknown);
    request.onerror = () => reject(request.error ?? new Error(`Cannot read the local ${store} state`));
  });
}

/**
 * Replaces the record of `store`; resolves once the transaction committed (with durability
 * "strict" where the browser supports it, as the outbox and ratchet keys must survive a crash).
 */
export function writeRecord(db: IDBDatabase, store: ObjectStoreName, value: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(store, 'readwrite', { durability: 'strict' });
    transaction.objectStore(store).put(value, STATE_KEY);
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error(`Cannot save the local ${store} state: the transaction was aborted`));
    transaction.onerror = () => reject(transaction.error ?? new Error(`Cannot save the local ${store} state`));
  });
}

/** Deletes the record of `store`, as signing out does. */
export function deleteRecord(db: IDBDatabase, store: ObjectStoreName): Promise<void> {
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(store, 'readwrite');
    transaction.objectStore(store).delete(STATE_KEY);
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error(`Cannot clear the local ${store} state`));
  });
}

/** Opens the database on first use and keeps it open: one connection per store object. */
export class LazyDatabase {
  readonly #options: IndexedDbOptions;
  #db: Promise<IDBDatabase> | null = null;

  constructor(options: IndexedDbOptions = {}) {
    this.#options = options;
  }

  /** The open database; a failed open is tried again on the next call. */
  get(): Promise<IDBDatabase> {
    this.#db ??= openDatabase(this.#options).catch((error: unknown) => {
      this.#db = null;
      throw error;
    });
    return this.#db;
  }

  /** Closes the connection, if one was opened. */
  async close(): Promise<void> {
    const db = this.#db;
    this.#db = null;
    if (db !== null) (await db.catch(() => null))?.close();
  }
}
