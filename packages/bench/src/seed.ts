/**
 * Writes members straight into a stopped server's SQLite file: 200,000 sign-ups over the protocol
 * would take longer than the rest of the benchmark. Only plain rows go in (users and memberships);
 * everything that needs the server's keys (chats, messages) is made over the protocol first.
 */
import { createHash, randomBytes } from 'node:crypto';
import Sqlite from 'better-sqlite3';

export interface SeedGroup {
  chatId: number;
  /** Members the group should have when seeding is done, its existing ones included. */
  memberCount: number;
}

export interface SeedResult {
  users: number;
  memberships: number;
  seconds: number;
}

type ColumnInfo = { name: string; notnull: number; dflt_value: unknown };

/**
 * Inserts rows through one prepared statement, after checking that `values` names every column
 * the table requires: the server's schema is still growing, and a new NOT NULL column should stop
 * the benchmark with its name rather than with a constraint error half-way through.
 */
function inserter(db: Sqlite.Database, table: string, columns: string[]): Sqlite.Statement {
  const info = db.prepare(`PRAGMA table_info(${table})`).all() as ColumnInfo[];
  if (info.length === 0) throw new Error(`Cannot seed ${table}: the table does not exist`);
  const known = new Set(info.map((column) => column.name));
  const unknown = columns.filter((column) => !known.has(column));
  if (unknown.length > 0) throw new Error(`Cannot seed ${table}: it has no column ${unknown.join(', ')}`);
  const missing = info.filter((column) => column.notnull === 1 && column.dflt_value === null && !columns.includes(column.name));
  if (missing.length > 0) throw new Error(`Cannot seed ${table}: required column ${missing.map((column) => column.name).join(', ')} is not filled by the benchmark`);
  return db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
}

/**
 * Adds users and makes them members of each group until it has `memberCount` members. The groups
 * share the new users (the largest group's count of them), so a smaller group is a subset of the
 * larger one, as in life, and the database is the same size for every group measured.
 */
export function seedMembers(databasePath: string, groups: SeedGroup[]): SeedResult {
  const started = performance.now();
  const db = new Sqlite(databasePath);
  try {
    db.pragma('journal_mode = WAL');
    const nowSeconds = Math.floor(Date.now() / 1000);
    const existing = (chatId: number) => (db.prepare('SELECT count(*) AS n FROM chat_members WHERE chat_id = ?').get(chatId) as { n: number }).n;
    const wanted = groups.map((group) => ({ ...group, toAdd: Math.max(0, group.memberCount - existing(group.chatId)) }));
    const userCount = Math.max(0, ...wanted.map((group) => group.toAdd));
    const insertUser = inserter(db, 'users', ['phone', 'display_name', 'created_at']);
    const insertMember = inserter(db, 'chat_members', ['chat_id', 'user_id', 'role', 'joined_at']);
    const setCount = db.prepare('UPDATE chats SET member_count = (SELECT count(*) FROM chat_members WHERE chat_id = ?) WHERE id = ?');
    let memberships = 0;
    db.transaction(() => {
      const userIds: number[] = [];
      for (let index = 0; index < userCount; index++) {
        // +1999… is outside the test-number range, so seeded users never collide with signed-up ones.
        const { lastInsertRowid } = insertUser.run(`+1999${String(index).padStart(7, '0')}`, `Seeded member ${index}`, nowSeconds);
        userIds.push(Number(lastInsertRowid));
      }
      for (const group of wanted) {
        for (let index = 0; index < group.toAdd; index++) {
          insertMember.run(group.chatId, userIds[index]!, 'member', nowSeconds);
          memberships += 1;
        }
        setCount.run(group.chatId, group.chatId);
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { users: userCount, memberships, seconds: (performance.now() - started) / 1000 };
  } finally {
    db.close();
  }
}

export interface SeedSubscribersOptions {
  /** The channel (or group) every new account joins. */
  chatId: number;
  count: number;
  /**
   * The address each account's session was last used from, by account index: the load generator that
   * brings it online connects from there, so that its hello records no new address.
   */
  ipOf: (index: number) => string;
  /**
   * The session's last activity. A hello within a minute of it writes nothing, so a time a little
   * ahead keeps a long bring-up of 100,000 connections free of 100,000 session writes.
   */
  lastActiveAt: number;
}

export interface SeedSubscribersResult extends SeedResult {
  /** Each new account's session token, by account index. */
  tokens: string[];
}

/**
 * Adds `count` accounts, each with one device session (a random token, stored as its SHA-256 hex as
 * the server does) and a membership of `chatId`, so that many accounts can come online by token
 * without as many sign-ups over the protocol.
 */
export function seedSubscribers(databasePath: string, options: SeedSubscribersOptions): SeedSubscribersResult {
  const started = performance.now();
  const db = new Sqlite(databasePath);
  try {
    db.pragma('journal_mode = WAL');
    const nowSeconds = Math.floor(Date.now() / 1000);
    const insertUser = inserter(db, 'users', ['phone', 'display_name', 'created_at']);
    const insertSession = inserter(db, 'sessions', ['user_id', 'token_hash', 'device_name', 'ip', 'created_at', 'last_active_at']);
    const insertMember = inserter(db, 'chat_members', ['chat_id', 'user_id', 'role', 'joined_at']);
    const setCount = db.prepare('UPDATE chats SET member_count = (SELECT count(*) FROM chat_members WHERE chat_id = ?) WHERE id = ?');
    const tokens: string[] = [];
    db.transaction(() => {
      for (let index = 0; index < options.count; index++) {
        // +1998… is outside the test numbers and the +1999… of seedMembers.
        const { lastInsertRowid } = insertUser.run(`+1998${String(index).padStart(7, '0')}`, `Seeded subscriber ${index}`, nowSeconds);
        const userId = Number(lastInsertRowid);
        const token = randomBytes(32).toString('base64url');
        insertSession.run(userId, createHash('sha256').update(token).digest('hex'), 'bench', options.ipOf(index), nowSeconds, options.lastActiveAt);
        insertMember.run(options.chatId, userId, 'member', nowSeconds);
        tokens.push(token);
      }
      setCount.run(options.chatId, options.chatId);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { users: options.count, memberships: options.count, seconds: (performance.now() - started) / 1000, tokens };
  } finally {
    db.close();
  }
}
