/**
 * Turns at SQLite's one write lock among the processes of a server. SQLite's own busy handler
 * sleeps and retries, so a process that just committed takes the lock again while a waiting one
 * sleeps, and the waiter can starve until "database is locked". A turn handed out first come,
 * first served by the primary keeps the waiting fair and costs no sleeping.
 */
export interface WriteLock {
  /** Resolves when this process may begin a write transaction. */
  acquire(): Promise<void>;
  /** Called once the transaction committed or rolled back. */
  release(): void;
}

/** One process alone: SQLite's lock is all there is to wait for, and nobody else wants it. */
export const NO_WRITE_LOCK: WriteLock = {
  acquire: () => Promise.resolve(),
  release: () => {},
};
