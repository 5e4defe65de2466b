import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import Sqlite from 'better-sqlite3';
import { ManualClock } from '../src/index.ts';
import { uploadBytes } from './file-helpers.ts';
import { RawClient, rejects, startTestServer, testUsers } from './harness.ts';

const b64 = (bytes: number) => randomBytes(bytes).toString('base64');
const keys = (first: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: first + i, publicKey: b64(32) }));
const registration = (prekeys: number) => ({
  identityKey: b64(32),
  signedPrekey: { id: 1, publicKey: b64(32), signature: b64(64) },
  pqPrekey: { id: 1, publicKey: b64(1184), signature: b64(64) },
  oneTimePrekeys: keys(1, prekeys),
});

test('[E2E-S1][E2E-S2][E2E-S3] the server keeps public keys, hands each one-time prekey out once, and relays envelopes to single devices until acknowledged', async () => {
  const clock = new ManualClock(Date.now());
  const t = await startTestServer({ clock });
  const users = testUsers(() => t.server.wsUrl, 7);
  try {
    const alice = await users.user('Alice');
    const bobPhone = await users.user('Bob');
    // Bob's laptop is a second device: a session of its own, signed in with his number.
    const laptopAuth = await (async () => {
      const other = users.track(await RawClient.open(t.server.wsUrl));
      await other.hello();
      const sent = await other.call('auth.sendCode', { phone: '+9996670002' });
      return { client: other, auth: await other.call('auth.signIn', { phone: '+9996670002', phoneCodeHash: sent.phoneCodeHash, code: '77777', deviceName: 'laptop' }) };
    })();
    const laptop = laptopAuth.client;
    const a = await alice.call('secret.registerDevice', registration(0));
    const phone = await bobPhone.call('secret.registerDevice', registration(12));
    const lap = await laptop.call('secret.registerDevice', registration(3));
    assert.equal(phone.oneTimePrekeyCount, 12);
    // Bob's devices are announced to Bob and to those he has a private chat with, never silently.
    await alice.call('messages.send', { peer: { type: 'user', userId: bobPhone.id }, text: 'hi', randomId: 'secret-relay-hi-1' });
    await bobPhone.call('secret.registerDevice', registration(12));
    await alice.client.waitForUpdates((updates) => updates.some((u) => u.type === 'secretDevicesChanged' && u.userId === bobPhone.id));
    await bobPhone.client.waitForUpdates((updates) => updates.some((u) => u.type === 'secretDevicesChanged' && u.userId === bobPhone.id));
    const devices = await alice.call('secret.getDevices', { userId: bobPhone.id });
    assert.deepEqual(devices.devices.map((d: { deviceId: number }) => d.deviceId), [phone.deviceId, lap.deviceId]);

    const handedOut = new Set<number>();
    for (let i = 0; i < 3; i++) handedOut.add((await alice.call('secret.getBundle', { deviceId: phone.deviceId })).bundle.oneTimePrekey.id);
    assert.equal(handedOut.size, 3, 'each one-time prekey is handed out once');
    await bobPhone.client.waitForUpdates(() => bobPhone.client.frames.some((f) => f.type === 'prekeysLow'));
    const low = bobPhone.client.frames.find((f) => f.type === 'prekeysLow');
    assert.deepEqual(low, { type: 'prekeysLow', remaining: 9 });
    for (let i = 0; i < 3; i++) await alice.call('secret.getBundle', { deviceId: lap.deviceId });
    const empty = await alice.call('secret.getBundle', { deviceId: lap.deviceId });
    assert.equal(empty.bundle.oneTimePrekey, null, 'an empty stock still gives the signed prekeys');
    assert.equal((await laptop.call('secret.uploadPrekeys', { oneTimePrekeys: keys(100, 5) })).oneTimePrekeyCount, 5);

    laptop.close();
    const marker = `CIPHERTEXT-${randomBytes(8).toString('hex')}`;
    await alice.call('secret.sendEnvelopes', { envelopes: [{ deviceId: phone.deviceId, ciphertext: `${marker}-phone` }, { deviceId: lap.deviceId, ciphertext: `${marker}-laptop` }] });
    await bobPhone.client.waitForUpdates(() => bobPhone.client.frames.some((f) => f.type === 'envelope'));
    const pushed = bobPhone.client.frames.filter((f) => f.type === 'envelope');
    assert.equal(pushed.length, 1, 'a device gets only its own envelope');
    assert.deepEqual(pushed[0], { type: 'envelope', envelope: { qts: 1, senderUserId: alice.id, senderDeviceId: a.deviceId, ciphertext: `${marker}-phone`, date: Math.floor(clock.nowMs() / 1000) } });
    // The laptop was offline; it finds its envelope waiting.
    const back = users.track(await RawClient.open(t.server.wsUrl));
    await back.hello(laptopAuth.auth.token);
    const waiting = await back.call('secret.getEnvelopes', {});
    assert.deepEqual(waiting.envelopes.map((e: { ciphertext: string; qts: number }) => [e.qts, e.ciphertext]), [[1, `${marker}-laptop`]]);
    assert.equal((await back.call('secret.ack', { qts: 1 })).deleted, 1);
    assert.deepEqual((await back.call('secret.getEnvelopes', {})).envelopes, []);
    await bobPhone.call('secret.ack', { qts: 1 });
    const db = new Sqlite(t.server.databasePath, { readonly: true });
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM envelopes').get() as { n: number }).n, 0, 'nothing is kept once delivered');
    db.close();
    await rejects(alice.call('secret.sendEnvelopes', { envelopes: [{ deviceId: 999_999, ciphertext: 'x' }] }), 'DEVICE_ID_INVALID');
  } finally {
    users.closeAll();
    await t.stop();
  }
});

test('[E2E-S4] undelivered envelopes are dropped after 30 days, and a device that signs out takes its keys with it', async () => {
  const clock = new ManualClock(Date.now());
  const first = await startTestServer({ clock });
  const users = testUsers(() => first.server.wsUrl, 7);
  const alice = await users.user('Alice');
  const bob = await users.user('Bob');
  const bobDevice = await bob.call('secret.registerDevice', registration(2));
  await alice.call('secret.registerDevice', registration(2));
  await alice.call('secret.sendEnvelopes', { envelopes: [{ deviceId: bobDevice.deviceId, ciphertext: 'old' }] });
  users.closeAll();
  await first.stop({ keepData: true });
  clock.advance(31 * 24 * 3600 * 1000);
  const second = await startTestServer({ clock, dataDir: first.dataDir });
  const again = testUsers(() => second.server.wsUrl, 8);
  try {
    const bobBack = again.track(await RawClient.open(second.server.wsUrl));
    await bobBack.hello(bob.token);
    assert.deepEqual((await bobBack.call('secret.getEnvelopes', {})).envelopes, []);
    await bobBack.call('auth.logOut', {});
    const carol = await again.user('Carol');
    assert.deepEqual((await carol.call('secret.getDevices', { userId: bob.id })).devices, [], 'a signed-out device is no longer offered');
  } finally {
    again.closeAll();
    await second.stop();
  }
});

test('[E2E-S6] a fan-out made for an outdated device list is refused with SECRET_DEVICES_CHANGED, naming no device silently left out', async () => {
  const t = await startTestServer();
  const users = testUsers(() => t.server.wsUrl, 9);
  try {
    const alice = await users.user('Alice');
    const bob = await users.user('Bob');
    const a = await alice.call('secret.registerDevice', registration(1));
    const b1 = await bob.call('secret.registerDevice', registration(1));
    const cover = { userIds: [alice.id, bob.id], deviceIds: [b1.deviceId] };
    assert.equal((await alice.call('secret.sendEnvelopes', { envelopes: [{ deviceId: b1.deviceId, ciphertext: 'one' }], cover })).count, 1);
    // Bob signs in on a second device that Alice has not heard of yet.
    const second = await users.device(bob);
    const b2 = await second.call('secret.registerDevice', registration(1));
    await rejects(alice.call('secret.sendEnvelopes', { envelopes: [{ deviceId: b1.deviceId, ciphertext: 'two' }], cover }), 'SECRET_DEVICES_CHANGED');
    const current = { userIds: [alice.id, bob.id], deviceIds: [b1.deviceId, b2.deviceId] };
    // A fan-out split over calls carries the whole list with each part.
    assert.equal((await alice.call('secret.sendEnvelopes', { envelopes: [{ deviceId: b1.deviceId, ciphertext: 'two' }], cover: current })).count, 1);
    assert.equal((await alice.call('secret.sendEnvelopes', { envelopes: [{ deviceId: b2.deviceId, ciphertext: 'two' }], cover: current })).count, 1);
    // Bob's phone writes to Alice: his laptop counts, his phone (the sender) does not.
    const fromBob = { userIds: [bob.id, alice.id], deviceIds: [a.deviceId, b2.deviceId] };
    assert.equal((await bob.call('secret.sendEnvelopes', { envelopes: [{ deviceId: a.deviceId, ciphertext: 'x' }], cover: fromBob })).count, 1);
    await rejects(bob.call('secret.sendEnvelopes', { envelopes: [{ deviceId: a.deviceId, ciphertext: 'x' }], cover: { ...fromBob, deviceIds: [a.deviceId] } }), 'SECRET_DEVICES_CHANGED');
  } finally {
    users.closeAll();
    await t.stop();
  }
});

test('[E2E-S7] the uploader of a file, and only they, can let another user read it', async () => {
  const t = await startTestServer();
  const users = testUsers(() => t.server.wsUrl, 9);
  try {
    const alice = await users.user('Alice');
    const bob = await users.user('Bob');
    const carol = await users.user('Carol');
    const file = await uploadBytes((m, p) => alice.call(m, p), t.server.httpUrl, alice.token, randomBytes(3000));
    const read = (who: typeof bob) => who.call('files.getPart', { fileId: file.id, offset: 0, limit: 1024 });
    await rejects(read(bob), 'FILE_ID_INVALID');
    await rejects(bob.call('files.grantAccess', { fileId: file.id, userIds: [carol.id] }), 'FILE_ID_INVALID');
    await alice.call('files.grantAccess', { fileId: file.id, userIds: [bob.id] });
    assert.equal(Buffer.from((await read(bob)).bytes, 'base64').length, 1024);
    await rejects(read(carol), 'FILE_ID_INVALID');
  } finally {
    users.closeAll();
    await t.stop();
  }
});
