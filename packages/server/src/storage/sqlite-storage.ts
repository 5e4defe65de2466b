import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from './database.ts';
import type { Storage } from './storage.ts';

/**
 * Opens (creating if needed) the embedded SQLite store. WAL lets readers run beside the writer;
 * `synchronous=FULL` makes every commit reach the disk before it returns, which is what lets the
 * server ack a message right after its commit. Group commit keeps that affordable.
 */
export function openSqliteStorage(path: string): Storage {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const connection = new Sqlite(path);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = FULL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  return {
    db,
    engine: 'sqlite',
    async close() {
      await db.destroy();
    },
  };
}
