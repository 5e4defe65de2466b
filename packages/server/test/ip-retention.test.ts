import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../src/index.ts';
import { normalizeIp } from '../src/safety/ip-records.ts';
import { RawClient, startTestServer, testUsers, type TestUser } from './harness.ts';
import { withDatabase } from './safety-helpers.ts';

const DAY_MS = 24 * 3600 * 1000;
const start = Date.UTC(2026, 0, 1);
const at = (ms: number) => Math.floor(ms / 1000);

type IpRow = { session_id: number; ip: string; first_seen_at: number; last_seen_at: number };
const ipRows = (path: string, userId: number) =>
  withDatabase(path, (db) => db.prepare('SELECT session_id, ip, first_seen_at, last_seen_at FROM session_ips WHERE user_id = ? ORDER BY ip').all(userId) as IpRow[]);
const sessionIps = (path: string, userId: number) => withDatabase(path, (db) => (db.prepare('SELECT ip FROM sessions WHERE user_id = ?').all(userId) as { ip: string }[]).map((r) => r.ip));

/** Resumes `user`'s session on a new connection from `address`, as a device does after a reconnect. */
async function resume(url: string, user: TestUser, address: string, track: (c: RawClient) => RawClient) {
  const client = track(await RawClient.open(url, { localAddress: address }));
  const welcome = await client.hello(user.token);
  assert.equal(welcome.type, 'result');
  return client;
}

test('[IP1] every address a session is used from is recorded with first and last sighting: at sign-in, on resuming, and again once a minute has passed', async () => {
  const clock = new ManualClock(start);
  const t = await startTestServer({ clock });
  const users = testUsers(() => t.server.wsUrl, 4);
  try {
    const alice = await users.user('Alice');
    assert.deepEqual(ipRows(t.server.databasePath, alice.id).map((r) => [r.ip, r.first_seen_at, r.last_seen_at]), [['127.0.0.1', at(start), at(start)]]);

    clock.advance(600_000);
    await resume(t.server.wsUrl, alice, '127.0.0.2', users.track);
    // Within the minute from the same address nothing is written (the session's "last active" has the same precision)…
    clock.advance(30_000);
    await resume(t.server.wsUrl, alice, '127.0.0.2', users.track);
    assert.equal(ipRows(t.server.databasePath, alice.id).find((r) => r.ip === '127.0.0.2')!.last_seen_at, at(start + 600_000));
    // …after it, the sighting moves on.
    clock.advance(60_000);
    await resume(t.server.wsUrl, alice, '127.0.0.2', users.track);
    const rows = ipRows(t.server.databasePath, alice.id);
    assert.deepEqual(
      rows.map((r) => [r.ip, r.first_seen_at, r.last_seen_at]),
      [
        ['127.0.0.1', at(start), at(start)],
        ['127.0.0.2', at(start + 600_000), at(start + 690_000)],
      ],
    );
    assert.deepEqual(sessionIps(t.server.databasePath, alice.id), ['127.0.0.2']);
    // A second device is a session of its own, with its own records.
    await users.device(alice);
    assert.equal(new Set(ipRows(t.server.databasePath, alice.id).map((r) => r.session_id)).size, 2);
  } finally {
    users.closeAll();
    await t.stop();
  }
});

test('[IP2] an address last seen more than 30 days ago is purged, and a session idle that long forgets its last address; recent ones stay', async () => {
  const clock = new ManualClock(start);
  const t = await startTestServer({ clock });
  const users = testUsers(() => t.server.wsUrl, 4);
  try {
    const old = await users.user('Old');
    clock.advance(31 * DAY_MS);
    const recent = await users.user('Recent');
    assert.equal(ipRows(t.server.databasePath, old.id).length, 1);

    assert.equal(await t.server.purgeIpRecords(), 1);
    assert.deepEqual(ipRows(t.server.databasePath, old.id), []);
    assert.deepEqual(sessionIps(t.server.databasePath, old.id), ['']);
    assert.equal(ipRows(t.server.databasePath, recent.id).length, 1);
    assert.deepEqual(sessionIps(t.server.databasePath, recent.id), ['127.0.0.1']);

    // The session itself is still signed in, and using it records the address afresh.
    await resume(t.server.wsUrl, old, '127.0.0.1', users.track);
    assert.deepEqual(ipRows(t.server.databasePath, old.id).map((r) => r.first_seen_at), [at(start + 31 * DAY_MS)]);
    assert.deepEqual(sessionIps(t.server.databasePath, old.id), ['127.0.0.1']);
  } finally {
    users.closeAll();
    await t.stop();
  }
});

test('[IP2] the purge also runs when the server starts', async () => {
  const clock = new ManualClock(start);
  const t = await startTestServer({ clock });
  const users = testUsers(() => t.server.wsUrl, 4);
  const alice = await users.user('Alice');
  users.closeAll();
  await t.stop({ keepData: true });
  clock.advance(30 * DAY_MS + 1000);
  const again = await startTestServer({ clock, dataDir: t.dataDir });
  try {
    assert.deepEqual(ipRows(again.server.databasePath, alice.id), []);
    assert.deepEqual(sessionIps(again.server.databasePath, alice.id), ['']);
  } finally {
    await again.stop();
  }
});

test('[IP3] the retention period is configurable, and a first sighting older than it is moved up to its start', async () => {
  const clock = new ManualClock(start);
  const t = await startTestServer({ clock, ipRetentionSeconds: 7 * 24 * 3600 });
  const users = testUsers(() => t.server.wsUrl, 4);
  try {
    const steady = await users.user('Steady');
    const gone = await users.user('Gone');
    clock.advance(5 * DAY_MS);
    await resume(t.server.wsUrl, steady, '127.0.0.1', users.track);
    clock.advance(3 * DAY_MS);
    await t.server.purgeIpRecords();
    // Gone was last seen 8 days ago: past a 7-day window. Steady 3 days ago, first 8 days ago.
    assert.deepEqual(ipRows(t.server.databasePath, gone.id), []);
    const cutoff = at(start + 8 * DAY_MS) - 7 * 24 * 3600;
    assert.deepEqual(
      ipRows(t.server.databasePath, steady.id).map((r) => [r.ip, r.first_seen_at, r.last_seen_at]),
      [['127.0.0.1', cutoff, at(start + 5 * DAY_MS)]],
    );
  } finally {
    users.closeAll();
    await t.stop();
  }
});

test('[IP1] IPv4 addresses from a dual-stack socket are written as plain IPv4', () => {
  assert.equal(normalizeIp('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(normalizeIp('2001:db8::1'), '2001:db8::1');
  assert.equal(normalizeIp('198.51.100.2'), '198.51.100.2');
});
