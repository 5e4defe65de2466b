/**
 * What the operator does on the server's database file itself (`samizdat admin …`), not through
 * the protocol: no account can make itself a moderator. SQLite in WAL mode lets these run while
 * the server is running as well as while it is stopped.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { normalizePhone, normalizeUsername, ROLES, type Role } from '@samizdat/protocol';
import { systemClock, unixSeconds } from '../shared/clock.ts';
import { migrate } from '../storage/migrations.ts';
import { openSqliteStorage } from '../storage/sqlite-storage.ts';
import type { Storage } from '../storage/storage.ts';
import { Roles } from './roles.ts';

/** Who gets a role: by id, phone number or username (one of them). */
export interface UserSelector {
  userId?: number;
  phone?: string;
  username?: string;
}

/** Grants `role` to the user `user` names; returns their id. Throws when no such user or role. */
export async function grantRole(databasePath: string, role: Role, user: UserSelector): Promise<{ userId: number }> {
  if (!(ROLES as readonly string[]).includes(role)) throw new Error(`Cannot grant role "${role}": roles are ${ROLES.join(', ')}`);
  return withDatabase(databasePath, async (storage) => {
    const userId = await findUser(storage, user);
    await new Roles(storage.db).grant(userId, role, unixSeconds(systemClock));
    return { userId };
  });
}

/**
 * Adds SHA-256 hashes (hex) of known-illegal files to the list checked in public chats; returns
 * how many were new. Throws before adding any when one is not 64 hex digits.
 */
export async function loadBlockedFileHashes(databasePath: string, hashes: string[]): Promise<number> {
  const normalized = hashes.map((hash) => hash.trim().toLowerCase());
  const bad = normalized.find((hash) => !/^[0-9a-f]{64}$/.test(hash));
  if (bad !== undefined) throw new Error(`Cannot load hashes: "${bad.slice(0, 80)}" is not a SHA-256 in hex (64 digits)`);
  return withDatabase(databasePath, async (storage) => {
    const now = unixSeconds(systemClock);
    let added = 0;
    await storage.db.transaction().execute(async (trx) => {
      for (const sha256 of new Set(normalized)) {
        const result = await trx.insertInto('blocked_file_hashes').values({ sha256, added_at: now }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
        added += Number(result.numInsertedOrUpdatedRows ?? 0n);
      }
    });
    return added;
  });
}

async function withDatabase<T>(databasePath: string, run: (storage: Storage) => Promise<T>): Promise<T> {
  // Opening would create an empty database: a mistyped path must not look like a server with no users.
  if (!existsSync(databasePath)) throw new Error(`Cannot open ${databasePath}: no such database; start the server on this data folder once first`);
  const storage = openSqliteStorage(databasePath);
  try {
    await migrate(storage.db, unixSeconds(systemClock));
    return await run(storage);
  } finally {
    await storage.close();
  }
}

async function findUser(storage: Storage, user: UserSelector): Promise<number> {
  const given = [user.userId, user.phone, user.username].filter((value) => value !== undefined);
  if (given.length !== 1) throw new Error('Cannot find the user: give exactly one of user id, phone number or username');
  let query = storage.db.selectFrom('users').select('id');
  if (user.userId !== undefined) query = query.where('id', '=', user.userId);
  else if (user.phone !== undefined) {
    const phone = normalizePhone(user.phone);
    if (phone === null) throw new Error(`Cannot find the user: "${user.phone}" is not a phone number in +CCNNNN form`);
    query = query.where('phone', '=', phone);
  } else {
    const username = normalizeUsername(user.username!);
    if (username === null) throw new Error(`Cannot find the user: "${user.username}" is not a valid username`);
    query = query.where('username_lower', '=', username);
  }
  const row = await query.executeTakeFirst();
  if (row === undefined) throw new Error(`Cannot find the user: no account with ${user.userId !== undefined ? `id ${user.userId}` : user.phone !== undefined ? `phone ${user.phone}` : `username @${user.username}`}`);
  return row.id;
}
