import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Users } from '../src/accounts/users.ts';
import { migrate } from '../src/storage/migrations.ts';
import { openSqliteStorage } from '../src/storage/sqlite-storage.ts';

test('[GRP3] users claiming one username at the same moment: one gets it, the others USERNAME_OCCUPIED, never an internal error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samizdat-username-race-'));
  const storage = openSqliteStorage(join(dir, 'samizdat.db'));
  try {
    await migrate(storage.db, 1_700_000_000);
    const users = new Users(storage.db);
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await users.create(`+99966400${String(i).padStart(2, '0')}`, `Racer ${i}`, 1_700_000_000)).id);
    // Started in one tick, every call's "is it free?" check runs before any of them writes.
    const outcomes = await Promise.allSettled(ids.map((id) => users.setUsername(id, 'contested_name')));
    const codes = outcomes.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { code?: string }).code ?? String(r.reason))).sort();
    assert.deepEqual(codes, ['USERNAME_OCCUPIED', 'USERNAME_OCCUPIED', 'USERNAME_OCCUPIED', 'ok']);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
