import { isSecretState, type SecretState, type SecretStore } from '@samizdat/client';
import { deleteRecord, LazyDatabase, readRecord, writeRecord, type IndexedDbOptions } from './idb-database.ts';

/** The lock every tab of the app takes before changing secret-chat state. */
export const SECRET_LOCK_NAME = 'samizdat-secret-state';

/** The part of the Web Locks API the store uses (`navigator.locks`). */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** Options of {@link IndexedDbSecretStore}. */
export interface IndexedDbSecretStoreOptions extends IndexedDbOptions {
  /**
   * The lock shared by the app's tabs. Without one (a browser without Web Locks), `exclusive` is
   * left out and a second tab must not run secret chats at the same time.
   * @default globalThis.navigator?.locks
   */
  locks?: LockManagerLike | null;
}

/**
 * The SDK's {@link SecretStore} in IndexedDB: this device's private keys, ratchet sessions and
 * secret-chat histories. They are written only to this browser's own database and never sent
 * anywhere ([SDK44]). Tabs of the app share the database, so state changes run under a Web Lock
 * (`exclusive`) and the SDK reloads a state another tab saved before advancing a ratchet.
 */
export class IndexedDbSecretStore implements SecretStore {
  readonly #db: LazyDatabase;
  readonly #locks: LockManagerLike | null;
  /** Present only when a lock manager is: the SDK checks for the method itself. */
  readonly exclusive?: <T>(task: () => Promise<T>) => Promise<T>;

  constructor(options: IndexedDbSecretStoreOptions = {}) {
    this.#db = new LazyDatabase(options);
    this.#locks = options.locks === undefined ? defaultLocks() : options.locks;
    const locks = this.#locks;
    if (locks !== null) this.exclusive = (task) => locks.request(SECRET_LOCK_NAME, task);
  }

  /** The saved state, or null on first run; a record of another format is refused, not guessed at. */
  async load(): Promise<SecretState | null> {
    const value = await readRecord(await this.#db.get(), 'secret');
    if (value === undefined) return null;
    if (!isSecretState(value)) throw new Error('Cannot read the secret-chat state: the stored record has an unknown format');
    return value;
  }

  async save(state: SecretState): Promise<void> {
    await writeRecord(await this.#db.get(), 'secret', state);
  }

  /** Erases the keys and histories, as signing out of this browser does. */
  async clear(): Promise<void> {
    await deleteRecord(await this.#db.get(), 'secret');
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}

function defaultLocks(): LockManagerLike | null {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return locks ?? null;
}
