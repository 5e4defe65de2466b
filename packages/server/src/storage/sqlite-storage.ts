import Sqlite from 'better-sqlite3';
import type { DatabaseConnection, Driver, SqliteDatabase } from 'kysely';
import { CompiledQuery, Kysely, SqliteDialect } from './kysely-runtime.ts';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from './database.ts';
import type { Storage } from './storage.ts';
import { NO_WRITE_LOCK, type WriteLock } from './write-lock.ts';

/**
 * Opens (creating if needed) the embedded SQLite store. WAL lets readers run beside the writer;
 * `synchronous=FULL` makes every commit reach the disk before it returns, which is what lets the
 * server ack a message right after its commit. Group commit keeps that affordable.
 */
export function openSqliteStorage(path: string, options: { writeLock?: WriteLock } = {}): Storage {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const connection = new Sqlite(path);
  switchToWriteAheadLog(connection);
  connection.pragma('synchronous = FULL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(connection) }, options.writeLock ?? NO_WRITE_LOCK) });
  return {
    db,
    engine: 'sqlite',
    async close() {
      await db.destroy();
    },
  };
}

/** How long opening waits for another process to finish switching the same file to WAL. */
const JOURNAL_SWITCH_PATIENCE_MS = 5_000;
const JOURNAL_SWITCH_RETRY_MS = 5;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Switching a new file to WAL takes SQLite's exclusive lock. When the workers of a cluster open a
 * new data folder at the same moment, the ones that lose the race get SQLITE_BUSY at once: SQLite
 * skips the busy handler there, since waiting while holding a shared lock could deadlock. So the
 * loser backs off and tries again; once the file is in WAL the pragma only reads the mode back.
 */
function switchToWriteAheadLog(connection: Sqlite.Database): void {
  const giveUpAt = Date.now() + JOURNAL_SWITCH_PATIENCE_MS;
  for (;;) {
    try {
      connection.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const busy = error instanceof Sqlite.SqliteError && error.code.startsWith('SQLITE_BUSY');
      if (!busy || Date.now() >= giveUpAt) throw error;
      // Opening is synchronous and happens once per process, before it serves anyone.
      Atomics.wait(sleeper, 0, 0, JOURNAL_SWITCH_RETRY_MS);
    }
  }
}

/**
 * Transactions take the write lock when they begin (`BEGIN IMMEDIATE`). With several server
 * processes on one file, a deferred transaction that reads and then writes fails at once with
 * SQLITE_BUSY when another process wrote in between; an immediate one, begun only once the
 * process holds its turn of the write lock (see `write-lock.ts`), finds the lock free.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(
    config: ConstructorParameters<typeof SqliteDialect>[0],
    private readonly writeLock: WriteLock,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const lock = this.writeLock;
    // One transaction at a time per connection (Kysely's mutex), so one flag says whether ours holds a turn.
    let holding = false;
    const release = () => {
      if (!holding) return;
      holding = false;
      lock.release();
    };
    return {
      init: () => driver.init(),
      acquireConnection: () => driver.acquireConnection(),
      async beginTransaction(connection: DatabaseConnection): Promise<void> {
        await lock.acquire();
        holding = true;
        try {
          await connection.executeQuery(CompiledQuery.raw('begin immediate'));
        } catch (error) {
          release();
          throw error;
        }
      },
      async commitTransaction(connection) {
        await driver.commitTransaction(connection);
        release();
      },
      async rollbackTransaction(connection) {
        try {
          await driver.rollbackTransaction(connection);
        } finally {
          release();
        }
      },
      releaseConnection: (connection) => driver.releaseConnection(connection),
      destroy: () => driver.destroy(),
    };
  }
}

/** How many distinct SQL texts keep their prepared statement. */
const STATEMENT_CACHE_LIMIT = 500;

/**
 * Kysely prepares every query anew; preparing costs more than running the small statements of the
 * send path, so statements are kept by SQL text (queries take values as parameters, so the texts
 * are few). better-sqlite3 runs one statement at a time, which makes reuse safe.
 */
function withStatementCache(connection: Sqlite.Database): SqliteDatabase {
  const statements = new Map<string, Sqlite.Statement>();
  return {
    close: () => connection.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        if (statements.size >= STATEMENT_CACHE_LIMIT) statements.clear();
        statement = connection.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  } as SqliteDatabase;
}
