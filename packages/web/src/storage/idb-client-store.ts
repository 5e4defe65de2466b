import { parseStoredState, type ClientStore, type StoredState } from '@samizdat/client';
import { deleteRecord, LazyDatabase, readRecord, writeRecord, type IndexedDbOptions } from './idb-database.ts';

/**
 * The SDK's {@link ClientStore} in IndexedDB: the session token, the update state (`pts`, each
 * chat's `chatPts`) and the outbox, so that a reload resumes the session and resends what was not
 * yet acknowledged, neither repeating nor skipping an update.
 */
export class IndexedDbClientStore implements ClientStore {
  readonly #db: LazyDatabase;

  constructor(options: IndexedDbOptions = {}) {
    this.#db = new LazyDatabase(options);
  }

  /**
   * The saved state, or null on first run. A record that does not parse is reported by throwing:
   * the SDK reports it and replaces it with a fresh state ([SDK22]).
   */
  async load(): Promise<StoredState | null> {
    const value = await readRecord(await this.#db.get(), 'client');
    if (value === undefined) return null;
    const parsed = parseStoredState(value);
    if ('fault' in parsed) throw new Error(parsed.fault);
    return parsed.state;
  }

  async save(state: StoredState): Promise<void> {
    await writeRecord(await this.#db.get(), 'client', state);
  }

  /** Forgets everything stored, as after signing out. */
  async clear(): Promise<void> {
    await deleteRecord(await this.#db.get(), 'client');
  }

  /** Closes the database connection; the next call opens it again. */
  close(): Promise<void> {
    return this.#db.close();
  }
}
