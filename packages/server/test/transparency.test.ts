import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ed25519PublicKey, toBase64, transparencyEntryHash, verifyTransparencyLog } from '@samizdat/crypto';
import { compiled, TransparencyLog as TransparencyLogSchema, TransparencyReport } from '@samizdat/protocol';
import { ManualClock } from '../src/index.ts';
import { renderTransparencyPage } from '../src/http/transparency-routes.ts';
import { loadOperatorKey, OPERATOR_KEY_FILE } from '../src/keys/operator-key.ts';
import { TransparencyLog } from '../src/safety/transparency-log.ts';
import { migrate } from '../src/storage/migrations.ts';
import { openSqliteStorage } from '../src/storage/sqlite-storage.ts';
import { startTestServer, testUsers, type TestUser } from './harness.ts';
import { grantRole, withDatabase } from './safety-helpers.ts';

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;
const start = Date.UTC(2026, 0, 1, 10);

/** The server's own store and log, opened on a data folder without a server (to seed or inspect it). */
async function openLog(dataDir: string, clock: ManualClock) {
  const storage = openSqliteStorage(join(dataDir, 'samizdat.db'));
  await migrate(storage.db, Math.floor(clock.nowMs() / 1000));
  const log = new TransparencyLog({ db: storage.db, clock, signingKey: await loadOperatorKey(dataDir) });
  return { storage, log };
}

const getJson = async (url: string) => {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  return response.json() as Promise<any>;
};

/** Records, approves and (optionally) discloses a request; or records and refuses it; or only records it. */
async function lawfulRequest(officer: TestUser, second: TestUser, country: string, outcome: 'disclosed' | 'approved' | 'refused' | 'pending', phone: string, nowSeconds: number) {
  const { request } = await officer.call('legal.createRequest', { country, authority: `${country} police`, legalReference: `${country}-${nowSeconds}`, category: 'fraud', target: { type: 'phone', phone }, requestDate: nowSeconds });
  if (outcome === 'refused') await second.call('legal.refuse', { requestId: request.id, note: 'no legal basis here' });
  if (outcome === 'approved' || outcome === 'disclosed') await second.call('legal.approve', { requestId: request.id });
  if (outcome === 'disclosed') await officer.call('legal.disclose', { requestId: request.id });
  return request.id as number;
}

test('[TR1][TR2] /transparency.json and /transparency report blocks per UTC day and category, and lawful requests per country and quarter received: received, approved, refused, users affected — without signing in', async () => {
  const clock = new ManualClock(start);
  const dataDir = mkdtempSync(join(tmpdir(), 'samizdat-transparency-'));
  // Blocks come from moderation; here they are appended to the log as moderation does, before the server starts.
  const seed = await openLog(dataDir, clock);
  await seed.log.append('block', { chatId: 11, category: 'terrorism', actionId: 1 });
  await seed.log.append('block', { chatId: 12, category: 'terrorism', actionId: 2 });
  await seed.log.append('block', { chatId: 13, category: 'fraud', actionId: 3 });
  clock.advance(DAY_MS);
  await seed.log.append('block', { chatId: 14, category: 'terrorism', actionId: 4 });
  // An appeal lifted: the block stays counted on its day, the unblock is in the log.
  await seed.log.append('unblock', { chatId: 11, category: 'terrorism', actionId: 5 });
  await seed.storage.close();

  const t = await startTestServer({ clock, dataDir });
  const users = testUsers(() => t.server.wsUrl, 6);
  try {
    const officer = await users.user('Officer');
    const second = await users.user('Second');
    const target = await users.user('Target');
    grantRole(t.server.databasePath, officer.id, 'legal');
    grantRole(t.server.databasePath, second.id, 'legal');
    const now = () => Math.floor(clock.nowMs() / 1000);
    await lawfulRequest(officer, second, 'DE', 'disclosed', target.phone, now());
    await lawfulRequest(officer, second, 'DE', 'disclosed', '+15550100123', now());
    await lawfulRequest(officer, second, 'DE', 'refused', target.phone, now());
    await lawfulRequest(officer, second, 'BR', 'pending', target.phone, now());
    clock.advance(95 * DAY_MS); // 2026-04-06: the second quarter
    await lawfulRequest(officer, second, 'DE', 'approved', target.phone, now());
    await lawfulRequest(officer, second, 'DE', 'refused', target.phone, now());

    const report = await getJson(`${t.server.httpUrl}/transparency.json`);
    assert.equal(compiled(TransparencyReport).Check(report), true);
    assert.equal(report.generatedAt, now());
    assert.deepEqual(report.blocks, [
      { date: '2026-01-01', category: 'fraud', count: 1 },
      { date: '2026-01-01', category: 'terrorism', count: 2 },
      { date: '2026-01-02', category: 'terrorism', count: 1 },
    ]);
    assert.deepEqual(report.lawfulRequests, [
      { country: 'BR', quarter: '2026-Q1', received: 1, approved: 0, refused: 0, usersAffected: 0 },
      { country: 'DE', quarter: '2026-Q1', received: 3, approved: 2, refused: 1, usersAffected: 1 },
      { country: 'DE', quarter: '2026-Q2', received: 2, approved: 1, refused: 1, usersAffected: 0 },
    ]);

    const page = await fetch(`${t.server.httpUrl}/transparency`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /<tr><td>2026-01-01<\/td><td>terrorism<\/td><td>2<\/td><\/tr>/);
    assert.match(html, /<tr><td>2026-Q1<\/td><td>DE<\/td><td>3<\/td><td>2<\/td><td>1<\/td><td>1<\/td><\/tr>/);
    assert.match(html, /href="\/transparency\/log"/);
    assert.match(html, /href="\/transparency.json"/);

    // The server went on from the seeded entries: one chain, five blocks/unblocks and two disclosures.
    const log = await getJson(`${t.server.httpUrl}/transparency/log`);
    assert.equal(compiled(TransparencyLogSchema).Check(log), true);
    assert.deepEqual(verifyTransparencyLog(log), { ok: true, count: 7 });
    assert.deepEqual(log.entries.map((e: { kind: string }) => e.kind), ['block', 'block', 'block', 'block', 'unblock', 'disclosure', 'disclosure']);

    assert.equal((await fetch(`${t.server.httpUrl}/transparency`, { method: 'POST' })).status, 405);
    assert.equal((await fetch(`${t.server.httpUrl}/transparency/other`)).status, 404);
  } finally {
    users.closeAll();
    await t.stop();
  }
});

test('[TR4] the log is signed with the operator key from <data>/operator.key (mode 0600), published with it, and kept across restarts', async () => {
  const clock = new ManualClock(start);
  const t = await startTestServer({ clock });
  const keyPath = join(t.dataDir, OPERATOR_KEY_FILE);
  const seed = Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'hex');
  assert.equal(statSync(keyPath).mode & 0o777, 0o600);
  const first = await getJson(`${t.server.httpUrl}/transparency/log`);
  assert.equal(first.publicKey, toBase64(ed25519PublicKey(seed)));
  assert.deepEqual(first.entries, []);
  await t.stop({ keepData: true });
  const again = await startTestServer({ clock, dataDir: t.dataDir });
  try {
    assert.equal((await getJson(`${again.server.httpUrl}/transparency/log`)).publicKey, first.publicKey);
  } finally {
    await again.stop();
  }
});

test('[TR3] appends take consecutive seqs even when made at once, commit with the caller\'s transaction, and their time never runs backwards', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samizdat-transparency-'));
  const clock = new ManualClock(start);
  const { storage, log } = await openLog(dataDir, clock);
  try {
    const made = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append('block', { chatId: i + 1, category: 'fraud', actionId: i + 1 })));
    assert.deepEqual(made.map((e) => e.seq).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));

    // Rolled back with the caller's transaction: no entry, and the chain goes on where it was.
    await assert.rejects(
      storage.db.transaction().execute(async (trx) => {
        await log.append('block', { chatId: 99, category: 'fraud', actionId: 99 }, trx);
        throw new Error('the moderation action failed');
      }),
      /moderation action failed/,
    );
    clock.advance(-HOUR_MS);
    const next = await log.append('unblock', { chatId: 1, category: 'fraud', actionId: 21 });
    assert.equal(next.seq, 21);
    assert.equal(next.at, Math.floor(start / 1000));
    const published = await log.entries();
    assert.deepEqual(verifyTransparencyLog(published), { ok: true, count: 21 });
    assert.deepEqual(published.entries[20], next);
  } finally {
    await storage.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('[TR5] tampering with the stored log — a body changed, a changed entry re-hashed, a row deleted, the end cut off — shows when /transparency/log is verified', async () => {
  const clock = new ManualClock(start);
  const t = await startTestServer({ clock });
  const users = testUsers(() => t.server.wsUrl, 6);
  try {
    const officer = await users.user('Officer');
    const second = await users.user('Second');
    grantRole(t.server.databasePath, officer.id, 'legal');
    grantRole(t.server.databasePath, second.id, 'legal');
    for (const country of ['DE', 'FR', 'NL']) {
      await lawfulRequest(officer, second, country, 'disclosed', '+15550100777', Math.floor(clock.nowMs() / 1000));
      clock.advance(HOUR_MS);
    }
    const fetchLog = () => getJson(`${t.server.httpUrl}/transparency/log`);
    const honest = await fetchLog();
    assert.deepEqual(verifyTransparencyLog(honest), { ok: true, count: 3 });
    const sql = (statement: string, ...params: unknown[]) => withDatabase(t.server.databasePath, (db) => db.prepare(statement).run(...params));
    const original = honest.entries[1];

    // A body changed: the country of the second disclosure.
    sql('UPDATE transparency_log SET body = replace(body, \'"FR"\', \'"US"\') WHERE seq = 2');
    assert.deepEqual(verifyTransparencyLog(await fetchLog()), { ok: false, seq: 2, problem: 'its hash does not match its contents: the entry was altered' });

    // …and its hash recomputed to match: the signature (and the next entry's link) give it away.
    const altered = { ...original, body: { ...original.body, country: 'US' } };
    sql('UPDATE transparency_log SET hash = ? WHERE seq = 2', transparencyEntryHash(altered));
    assert.deepEqual(verifyTransparencyLog(await fetchLog()), { ok: false, seq: 2, problem: "its signature does not verify under the operator's public key" });

    // Put back as it was: verifies again.
    sql('UPDATE transparency_log SET body = ?, hash = ? WHERE seq = 2', JSON.stringify(original.body), original.hash);
    assert.deepEqual(verifyTransparencyLog(await fetchLog()), { ok: true, count: 3 });

    // A row deleted from the middle.
    sql('DELETE FROM transparency_log WHERE seq = 2');
    assert.deepEqual(verifyTransparencyLog(await fetchLog()), { ok: false, seq: 2, problem: 'entry at position 2 has seq 3: an entry was removed, inserted or reordered' });

    // The last row deleted as well: the chain that is left holds, but not against an entry seen before.
    sql('DELETE FROM transparency_log WHERE seq = 3');
    const cut = await fetchLog();
    assert.deepEqual(verifyTransparencyLog(cut), { ok: true, count: 1 });
    assert.equal(verifyTransparencyLog(cut, { checkpoint: { seq: 3, hash: honest.entries[2].hash } }).ok, false);
  } finally {
    users.closeAll();
    await t.stop();
  }
});

test('[TR6] the page escapes every value it shows', () => {
  const html = renderTransparencyPage({
    generatedAt: 0,
    blocks: [{ date: '2026-01-01', category: '<img src=x onerror=alert(1)>' as never, count: 1 }],
    lawfulRequests: [{ country: '<script>alert("x")</script>', quarter: '2026-Q1', received: 1, approved: 0, refused: 0, usersAffected: 0 }],
  });
  assert.equal(html.includes('<script>'), false);
  assert.equal(html.includes('<img'), false);
  assert.match(html, /&#60;script&#62;alert\(&#34;x&#34;\)&#60;\/script&#62;/);
});
