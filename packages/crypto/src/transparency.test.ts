import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { test } from 'node:test';
import { ed25519KeyPair, fromBase64 } from './primitives.ts';
import {
  canonicalJson,
  sealTransparencyEntry,
  TRANSPARENCY_GENESIS_HASH,
  transparencyEntryHash,
  transparencyPublicKey,
  verifyTransparencyLog,
  type SignedTransparencyEntry,
  type TransparencyEntryFields,
} from './transparency.ts';

const operator = ed25519KeyPair();
const intruder = ed25519KeyPair();

/** A log of `bodies.length` entries sealed as the server does: seq from 1, each chained to the one before. */
function makeLog(signingKey: Uint8Array, bodies: { kind: string; body: Record<string, string | number> }[], startAt = 1_767_225_600) {
  const entries: SignedTransparencyEntry[] = [];
  let prevHash = TRANSPARENCY_GENESIS_HASH;
  for (const [i, { kind, body }] of bodies.entries()) {
    const entry = sealTransparencyEntry(signingKey, { seq: i + 1, prevHash, at: startAt + i * 60, kind, body });
    entries.push(entry);
    prevHash = entry.hash;
  }
  return { publicKey: transparencyPublicKey(signingKey), entries };
}

const BODIES: { kind: string; body: Record<string, string | number> }[] = [
  { kind: 'block', body: { chatId: 12, category: 'terrorism', actionId: 3 } },
  { kind: 'disclosure', body: { requestId: 1, country: 'DE', authority: 'BKA', legalReference: 'AZ 1/26', category: 'terrorism', usersAffected: 1 } },
  { kind: 'unblock', body: { chatId: 12, category: 'terrorism', actionId: 4 } },
  { kind: 'block', body: { chatId: 40, category: 'fraud', actionId: 9 } },
];

/** Re-seals entries with `key`, keeping their fields but numbering and chaining them anew, as a forger would. */
function rechain(entries: SignedTransparencyEntry[], key: Uint8Array): SignedTransparencyEntry[] {
  const out: SignedTransparencyEntry[] = [];
  let prevHash = TRANSPARENCY_GENESIS_HASH;
  for (const [i, e] of entries.entries()) {
    const sealed = sealTransparencyEntry(key, { seq: i + 1, prevHash, at: e.at, kind: e.kind, body: e.body });
    out.push(sealed);
    prevHash = sealed.hash;
  }
  return out;
}

test('[TL1] canonical JSON sorts keys by code unit at every depth, writes no whitespace, and refuses values JSON cannot carry', () => {
  assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 'é', y: -0, x: 1.5 } }), '{"a":[true,null,"x"],"b":1,"c":{"x":1.5,"y":0,"z":"é"}}');
  // Upper case sorts before lower case, and "10" before "9": code units, not locale or numbers.
  assert.equal(canonicalJson({ b: 0, B: 0, '10': 0, '9': 0 }), '{"10":0,"9":0,"B":0,"b":0}');
  assert.equal(canonicalJson({ s: 'quote " backslash \\ newline \n' }), '{"s":"quote \\" backslash \\\\ newline \\n"}');
  // The same object built in another key order gives the same text.
  assert.equal(canonicalJson({ seq: 1, kind: 'block' }), canonicalJson({ kind: 'block', seq: 1 }));
  assert.throws(() => canonicalJson(Number.NaN), TypeError);
  assert.throws(() => canonicalJson({ x: Number.POSITIVE_INFINITY }), TypeError);
  assert.throws(() => canonicalJson({ x: undefined } as never), TypeError);
});

test('[TL2] an entry\'s hash is SHA-256 over the canonical JSON of {seq, prevHash, at, kind, body}, and its signature is Ed25519 over the hash\'s 32 bytes: both check out with node:crypto too', () => {
  const fields: TransparencyEntryFields = { seq: 1, prevHash: TRANSPARENCY_GENESIS_HASH, at: 1_767_225_600, kind: 'block', body: { chatId: 12, category: 'terrorism' } };
  const text = `{"at":1767225600,"body":{"category":"terrorism","chatId":12},"kind":"block","prevHash":"${'0'.repeat(64)}","seq":1}`;
  assert.equal(transparencyEntryHash(fields), createHash('sha256').update(text).digest('hex'));
  // Extra properties of an entry (its own hash and signature) are not hashed.
  const sealed = sealTransparencyEntry(operator.secretKey, fields);
  assert.equal(transparencyEntryHash(sealed), sealed.hash);

  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(operator.publicKey).toString('base64url') }, format: 'jwk' });
  assert.equal(nodeVerify(null, Buffer.from(sealed.hash, 'hex'), publicKey, Buffer.from(fromBase64(sealed.signature))), true);
  assert.equal(transparencyPublicKey(operator.secretKey), Buffer.from(operator.publicKey).toString('base64'));
});

test('[TL3] a log sealed entry after entry verifies, and so does an empty one', () => {
  assert.deepEqual(verifyTransparencyLog(makeLog(operator.secretKey, BODIES)), { ok: true, count: 4 });
  assert.deepEqual(verifyTransparencyLog(makeLog(operator.secretKey, [])), { ok: true, count: 0 });
  const log = makeLog(operator.secretKey, BODIES);
  assert.equal(log.entries[0]!.prevHash, '0'.repeat(64));
  assert.equal(log.entries[2]!.prevHash, log.entries[1]!.hash);
  // The published form is plain JSON: a round trip through text changes nothing.
  assert.deepEqual(verifyTransparencyLog(JSON.parse(JSON.stringify(log))), { ok: true, count: 4 });
});

test('[TL4] removing, altering, reordering or re-signing an entry is detected, and so is cutting the end off against a checkpoint', () => {
  const log = makeLog(operator.secretKey, BODIES);
  const check = (entries: SignedTransparencyEntry[], publicKey = log.publicKey) => verifyTransparencyLog({ publicKey, entries });

  // Removed: from the middle, or the first.
  assert.deepEqual(check([log.entries[0]!, ...log.entries.slice(2)]), { ok: false, seq: 2, problem: 'entry at position 2 has seq 3: an entry was removed, inserted or reordered' });
  assert.equal(check(log.entries.slice(1)).ok, false);
  // Removed, and the rest renumbered and re-chained: the hashes no longer match the signatures.
  const renumbered = [log.entries[0]!, ...log.entries.slice(2).map((e, i) => ({ ...e, seq: i + 2, prevHash: i === 0 ? log.entries[0]!.hash : e.prevHash }))];
  assert.deepEqual(check(renumbered), { ok: false, seq: 2, problem: 'its hash does not match its contents: the entry was altered' });

  // Altered: a body value, the time, the kind; or a field added to the body.
  const altered = (i: number, change: Partial<SignedTransparencyEntry>) => log.entries.map((e, j) => (j === i ? { ...e, ...change } : e));
  assert.deepEqual(check(altered(1, { body: { ...log.entries[1]!.body, usersAffected: 0 } })), { ok: false, seq: 2, problem: 'its hash does not match its contents: the entry was altered' });
  assert.equal(check(altered(0, { at: log.entries[0]!.at + 1 })).ok, false);
  assert.equal(check(altered(3, { kind: 'unblock' })).ok, false);
  assert.equal(check(altered(3, { body: { ...log.entries[3]!.body, note: 'x' } })).ok, false);
  // Altered with its hash recomputed: the next entry's prevHash breaks, and the signature does not match anyway.
  const forged = { ...log.entries[1]!, body: { ...log.entries[1]!.body, country: 'FR' } };
  forged.hash = transparencyEntryHash(forged);
  assert.equal(check(altered(1, forged)).ok, false);
  assert.equal(check([log.entries[0]!, forged]).ok, false);

  // Reordered.
  assert.equal(check([log.entries[1]!, log.entries[0]!, ...log.entries.slice(2)]).ok, false);

  // Re-signed with another key: an altered entry re-sealed (hash and signature), or the whole log re-chained.
  const resealed = sealTransparencyEntry(intruder.secretKey, { ...log.entries[3]!, body: { chatId: 40, category: 'copyright', actionId: 9 } });
  assert.deepEqual(check([...log.entries.slice(0, 3), resealed]), { ok: false, seq: 4, problem: "its signature does not verify under the operator's public key" });
  assert.deepEqual(check(rechain(log.entries.slice(1), intruder.secretKey)), { ok: false, seq: 1, problem: "its signature does not verify under the operator's public key" });
  // …and publishing the intruder's key instead shows a different key than the operator's, which a verifier pins.
  assert.equal(check(rechain(log.entries, intruder.secretKey), transparencyPublicKey(intruder.secretKey)).ok, true);
  assert.notEqual(transparencyPublicKey(intruder.secretKey), log.publicKey);

  // Cut off at the end: the chain alone cannot tell, a checkpoint of an entry seen before can.
  assert.equal(check(log.entries.slice(0, 2)).ok, true);
  const checkpoint = { seq: 4, hash: log.entries[3]!.hash };
  assert.deepEqual(verifyTransparencyLog({ publicKey: log.publicKey, entries: log.entries }, { checkpoint }), { ok: true, count: 4 });
  assert.equal(verifyTransparencyLog({ publicKey: log.publicKey, entries: log.entries.slice(0, 2) }, { checkpoint }).ok, false);
  assert.equal(verifyTransparencyLog({ publicKey: log.publicKey, entries: log.entries }, { checkpoint: { seq: 2, hash: log.entries[0]!.hash } }).ok, false);
});

test('[TL5] malformed input is reported, never thrown', () => {
  const log = makeLog(operator.secretKey, BODIES);
  const bad: unknown[] = [
    null,
    { publicKey: log.publicKey },
    { publicKey: 'not base64!', entries: [] },
    { publicKey: 'AAAA', entries: [] },
    { publicKey: log.publicKey, entries: [null] },
    { publicKey: log.publicKey, entries: [{ ...log.entries[0], body: { x: 1.5 } }] },
    { publicKey: log.publicKey, entries: [{ ...log.entries[0], body: { x: { nested: 1 } } }] },
    { publicKey: log.publicKey, entries: [{ ...log.entries[0], seq: '1' }] },
    { publicKey: log.publicKey, entries: [{ ...log.entries[0], signature: '***' }] },
    { publicKey: log.publicKey, entries: [{ ...log.entries[0], signature: 'AAAA' }] },
    { publicKey: log.publicKey, entries: [{ ...log.entries[0], hash: 'ABC' }] },
  ];
  for (const input of bad) {
    const result = verifyTransparencyLog(input as never);
    assert.equal(result.ok, false, JSON.stringify(input));
    if (!result.ok) assert.equal(typeof result.problem, 'string');
  }
});
