import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Sqlite from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { seedMembers, seedSubscribers } from './seed.ts';

/** A database with the columns the seeder writes, plus `extraColumn` (text NOT NULL) in users. */
function database(extraColumn?: string): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'samizdat-seed-'));
  const path = join(dir, 'samizdat.db');
  const db = new Sqlite(path);
  db.exec(`
    CREATE TABLE users (id integer PRIMARY KEY AUTOINCREMENT, phone text NOT NULL UNIQUE, display_name text NOT NULL, pts integer NOT NULL DEFAULT 0, created_at integer NOT NULL${extraColumn ? `, ${extraColumn} text NOT NULL` : ''});
    CREATE TABLE chats (id integer PRIMARY KEY AUTOINCREMENT, member_count integer NOT NULL DEFAULT 0);
    CREATE TABLE sessions (id integer PRIMARY KEY AUTOINCREMENT, user_id integer NOT NULL, token_hash text NOT NULL UNIQUE, device_name text NOT NULL, ip text NOT NULL, created_at integer NOT NULL, last_active_at integer NOT NULL);
    CREATE TABLE chat_members (chat_id integer NOT NULL, user_id integer NOT NULL, role text NOT NULL DEFAULT 'member', joined_at integer NOT NULL, PRIMARY KEY (chat_id, user_id)) WITHOUT ROWID;
    INSERT INTO users (phone, display_name, created_at${extraColumn ? `, ${extraColumn}` : ''}) VALUES ('+999661000', 'owner', 0${extraColumn ? ", 'x'" : ''});
    INSERT INTO chats (member_count) VALUES (1), (1);
    INSERT INTO chat_members VALUES (1, 1, 'owner', 0), (2, 1, 'owner', 0);
  `);
  db.close();
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

test('seedMembers fills each group to its count from one shared set of new users', () => {
  const { path, remove } = database();
  try {
    const result = seedMembers(path, [
      { chatId: 1, memberCount: 10 },
      { chatId: 2, memberCount: 1000 },
    ]);
    assert.deepEqual({ users: result.users, memberships: result.memberships }, { users: 999, memberships: 1008 });
    const db = new Sqlite(path, { readonly: true });
    assert.deepEqual(db.prepare('SELECT id, member_count FROM chats ORDER BY id').all(), [
      { id: 1, member_count: 10 },
      { id: 2, member_count: 1000 },
    ]);
    assert.equal((db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n, 1000);
    db.close();
  } finally {
    remove();
  }
});

test('seedMembers names a required column it does not fill instead of failing half-way', () => {
  const { path, remove } = database('region');
  try {
    assert.throws(() => seedMembers(path, [{ chatId: 1, memberCount: 5 }]), /Cannot seed users: required column region/);
  } finally {
    remove();
  }
});

test('seedSubscribers gives each new account a session whose token hashes to its token_hash, and a membership', () => {
  const { path, remove } = database();
  try {
    const result = seedSubscribers(path, { chatId: 2, count: 3, ipOf: (index) => `127.0.0.${2 + index}`, lastActiveAt: 1234 });
    assert.equal(result.tokens.length, 3);
    const db = new Sqlite(path, { readonly: true });
    const sessions = db.prepare('SELECT user_id, token_hash, ip, last_active_at FROM sessions ORDER BY id').all() as { user_id: number; token_hash: string; ip: string; last_active_at: number }[];
    assert.deepEqual(
      sessions.map((row) => [row.token_hash, row.ip, row.last_active_at]),
      result.tokens.map((token, index) => [createHash('sha256').update(token).digest('hex'), `127.0.0.${2 + index}`, 1234]),
    );
    assert.equal((db.prepare('SELECT member_count FROM chats WHERE id = 2').get() as { member_count: number }).member_count, 4);
    db.close();
  } finally {
    remove();
  }
});
