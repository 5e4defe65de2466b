import Sqlite from 'better-sqlite3';
import type { Role } from '@samizdat/protocol';

/**
 * Grants a role the way the operator does (a row in `user_roles`), straight in the test server's
 * database: WAL lets the test write beside the running server.
 */
export function grantRole(databasePath: string, userId: number, role: Role, nowSeconds = Math.floor(Date.now() / 1000)): void {
  const db = new Sqlite(databasePath);
  try {
    db.prepare('INSERT OR IGNORE INTO user_roles (user_id, role, granted_at) VALUES (?, ?, ?)').run(userId, role, nowSeconds);
  } finally {
    db.close();
  }
}

/** Runs `fn` on the test server's database, opened beside the server and closed after. */
export function withDatabase<T>(databasePath: string, fn: (db: Sqlite.Database) => T): T {
  const db = new Sqlite(databasePath);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
