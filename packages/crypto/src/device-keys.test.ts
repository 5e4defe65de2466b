import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeviceKeys, PREKEY_GRACE_MS, type PublicBundle } from './device-keys.ts';
import { PqxdhError } from './pqxdh.ts';
import { cryptoRandom, utf8 } from './primitives.ts';
import { acceptSession, encrypt, initiateSession } from './session.ts';

const T0 = Date.UTC(2025, 0, 1);
const DAY = 24 * 60 * 60 * 1000;

/** Bob accepts an initial message Alice made from `bundle`; returns the plaintext. */
function openFrom(alice: DeviceKeys, bob: DeviceKeys, bundle: PublicBundle, text: string): string {
  const envelope = encrypt(initiateSession(alice, bundle), utf8(text));
  return new TextDecoder().decode(acceptSession(bob, envelope).plaintext);
}

function assertUnknownPrekey(fn: () => unknown) {
  assert.throws(fn, (e: unknown) => e instanceof PqxdhError && e.code === 'UNKNOWN_PREKEY');
}

test('[E2E22] a session initiated from a bundle fetched before rotation is still accepted after it', () => {
  const alice = DeviceKeys.generate({ oneTimePrekeyCount: 0 });
  const bob = DeviceKeys.generate({ oneTimePrekeyCount: 0 });
  const old = bob.publicBundle();
  const spkId = bob.rotateSignedPrekey({ now: T0 });
  const pqId = bob.rotatePqPrekey({ now: T0 });
  const current = bob.publicBundle();
  assert.equal(current.signedPrekey.id, spkId);
  assert.equal(current.pqPrekey.id, pqId);
  assert.notEqual(old.signedPrekey.id, spkId);
  assert.notEqual(old.pqPrekey.id, pqId);
  // Retired keys are still held but not published.
  assert.deepEqual(bob.retiredPrekeyIds(), { signedPrekeys: [old.signedPrekey.id], pqPrekeys: [old.pqPrekey.id] });
  assert.ok(bob.signedPrekey(old.signedPrekey.id));
  assert.ok(bob.pqPrekey(old.pqPrekey.id));
  assert.equal(openFrom(alice, bob, old, 'from the old bundle'), 'from the old bundle');
  assert.equal(openFrom(alice, bob, current, 'from the new bundle'), 'from the new bundle');
  // A bundle mixing the current signed prekey with the retired PQ prekey works too.
  assert.equal(openFrom(alice, bob, { ...current, pqPrekey: old.pqPrekey }, 'mixed'), 'mixed');
});

test('[E2E22] after the grace period retired prekeys are pruned and initial messages naming them are refused', () => {
  const alice = DeviceKeys.generate({ oneTimePrekeyCount: 0 });
  const bob = DeviceKeys.generate({ oneTimePrekeyCount: 0 });
  const old = bob.publicBundle();
  bob.rotateSignedPrekey({ now: T0 });
  bob.rotatePqPrekey({ now: T0 });
  // One millisecond before the end of the grace period nothing is dropped.
  assert.equal(bob.pruneRetiredPrekeys(T0 + PREKEY_GRACE_MS - 1), 0);
  assert.equal(openFrom(alice, bob, old, 'late'), 'late');
  assert.equal(bob.pruneRetiredPrekeys(T0 + PREKEY_GRACE_MS), 2);
  assert.deepEqual(bob.retiredPrekeyIds(), { signedPrekeys: [], pqPrekeys: [] });
  assert.equal(bob.signedPrekey(old.signedPrekey.id), undefined);
  assert.equal(bob.pqPrekey(old.pqPrekey.id), undefined);
  assertUnknownPrekey(() => openFrom(alice, bob, old, 'too late'));
  // The current keys are never pruned.
  assert.equal(openFrom(alice, bob, bob.publicBundle(), 'current'), 'current');
});

test('[E2E22] only the PQ prekey being expired is enough to refuse', () => {
  const alice = DeviceKeys.generate({ oneTimePrekeyCount: 0 });
  const bob = DeviceKeys.generate({ oneTimePrekeyCount: 0 });
  const old = bob.publicBundle();
  bob.rotatePqPrekey({ now: T0 });
  bob.pruneRetiredPrekeys(T0 + PREKEY_GRACE_MS);
  assertUnknownPrekey(() => openFrom(alice, bob, old, 'x'));
});

test('[E2E22] rotation prunes keys retired longer ago than the grace period and keeps younger ones', () => {
  const bob = DeviceKeys.generate({ oneTimePrekeyCount: 0 });
  const first = bob.publicBundle().signedPrekey.id;
  const second = bob.rotateSignedPrekey({ now: T0 });
  const third = bob.rotateSignedPrekey({ now: T0 + 10 * DAY });
  assert.deepEqual(bob.retiredPrekeyIds().signedPrekeys, [first, second]);
  // 31 days after the first rotation: the first key is dropped, the second (retired 21 days ago) stays.
  bob.rotateSignedPrekey({ now: T0 + 31 * DAY });
  assert.deepEqual(bob.retiredPrekeyIds().signedPrekeys, [second, third]);
  assert.equal(bob.signedPrekey(first), undefined);
  assert.ok(bob.signedPrekey(second));
});

test('[E2E22] rotation still accepts a bare random source and defaults to the current time', () => {
  const bob = DeviceKeys.generate({ oneTimePrekeyCount: 0 });
  const old = bob.publicBundle();
  const id = bob.rotateSignedPrekey(cryptoRandom);
  bob.rotatePqPrekey(cryptoRandom);
  assert.equal(bob.publicBundle().signedPrekey.id, id);
  // Retired "now": still there a day later, gone once the grace period has passed.
  assert.equal(bob.pruneRetiredPrekeys(Date.now() + DAY), 0);
  assert.ok(bob.signedPrekey(old.signedPrekey.id));
  assert.equal(bob.pruneRetiredPrekeys(Date.now() + PREKEY_GRACE_MS + DAY), 2);
});

test('[E2E22] serialise and restore keep retired prekeys with their retirement times; version 1 state still restores', () => {
  const alice = DeviceKeys.generate({ oneTimePrekeyCount: 0 });
  const bob = DeviceKeys.generate({ oneTimePrekeyCount: 2 });
  const old = bob.publicBundle();
  bob.rotateSignedPrekey({ now: T0 });
  bob.rotatePqPrekey({ now: T0 + DAY });
  const json = bob.serialize();
  assert.equal(JSON.parse(json).v, 2);
  const restored = DeviceKeys.deserialize(json);
  assert.deepEqual(restored.publicBundle(), bob.publicBundle());
  assert.deepEqual(restored.retiredPrekeyIds(), bob.retiredPrekeyIds());
  assert.equal(openFrom(alice, restored, old, 'restored'), 'restored');
  // The retirement times survived: the signed prekey expires a day before the PQ prekey.
  assert.equal(restored.pruneRetiredPrekeys(T0 + PREKEY_GRACE_MS), 1);
  assert.deepEqual(restored.retiredPrekeyIds(), { signedPrekeys: [], pqPrekeys: [old.pqPrekey.id] });

  // A tampered retired signed prekey is refused like a tampered current one.
  const data = JSON.parse(json);
  data.retiredSignedPrekeys[0].signature = data.signedPrekey.signature;
  assert.throws(() => DeviceKeys.deserialize(JSON.stringify(data)), /signed prekey \d+ signature does not verify/);

  // Version 1 (written before retired keys were kept) restores with no retired keys.
  const fresh = DeviceKeys.generate({ oneTimePrekeyCount: 3 });
  const v1 = JSON.parse(fresh.serialize());
  v1.v = 1;
  delete v1.retiredSignedPrekeys;
  delete v1.retiredPqPrekeys;
  const fromV1 = DeviceKeys.deserialize(JSON.stringify(v1));
  assert.deepEqual(fromV1.publicBundle(), fresh.publicBundle());
  assert.deepEqual(fromV1.retiredPrekeyIds(), { signedPrekeys: [], pqPrekeys: [] });
  assert.throws(() => DeviceKeys.deserialize(JSON.stringify({ ...v1, v: 3 })), /version is 3/);
});
