/**
 * Writes members straight into a stopped server's SQLite file: 200,000 sign-ups over the protocol
 * would take longer than the rest of the benchmark. Only plain rows go in (users and memberships);
 * everything that needs the server's keys (chats, messages) is made over the protocol first.
 */
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
