/**
 * The transparency log's construction (SPEC [TL1]–[TL5]): canonical JSON, the hash chain and the
 * operator's Ed25519 signatures. The server seals entries with these functions and anyone
 * (`samizdat transparency verify URL`) checks them with the same ones, so both sides agree by
 * construction. Pure `@noble`, no `node:*`: this runs in browsers too.
 *
 * @module
 */
import { ed25519PublicKey, ed25519Sign, ed25519Verify, ED25519_KEY_BYTES, ED25519_SIGNATURE_BYTES, fromBase64, fromHex, sha256Hash, toBase64, toHex, utf8 } from './primitives.ts';

/** `prevHash` of the first entry: 64 zeros, the hash of "nothing before". */
export const TRANSPARENCY_GENESIS_HASH = '0'.repeat(64);

/** A JSON value canonicalJson accepts: no `undefined`, functions, or non-finite numbers. */
export type CanonicalJsonValue = null | boolean | number | string | readonly CanonicalJsonValue[] | { readonly [key: string]: CanonicalJsonValue };

/** What an entry's hash covers: everything but the hash and the signature. */
export interface TransparencyEntryFields {
  /** 1, 2, 3, … without gaps. */
  seq: number;
  /** The previous entry's `hash` ({@link TRANSPARENCY_GENESIS_HASH} for the first). */
  prevHash: string;
  /** Unix seconds; never less than the previous entry's. */
  at: number;
  kind: string;
  body: Readonly<Record<string, string | number>>;
}

/** An entry as published: its fields, their hash (hex) and the operator's signature of it (base64). */
export interface SignedTransparencyEntry extends TransparencyEntryFields {
  hash: string;
  signature: string;
}

/** A published log: the operator's Ed25519 public key (base64) and the entries in order. */
export interface TransparencyLogInput {
  publicKey: string;
  entries: readonly SignedTransparencyEntry[];
}

/** What verification found: the whole log holds, or the first entry (by position's seq; null for the log itself) that does not. */
export type TransparencyVerification = { ok: true; count: number } | { ok: false; seq: number | null; problem: string };

/**
 * Deterministic JSON (RFC 8785, JCS, for the values used here): object keys sorted by UTF-16 code
 * units, no whitespace, strings and numbers as `JSON.stringify` writes them (ECMAScript's
 * Number::toString, which JCS adopts). Throws a `TypeError` on values JSON cannot carry
 * faithfully (`undefined`, functions, NaN, ±Infinity, bigint), so that two parties never hash
 * different texts for "the same" entry.
 */
export function canonicalJson(value: CanonicalJsonValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`Cannot write canonical JSON: ${value} is not a finite number`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${(value as readonly CanonicalJsonValue[]).map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as { readonly [key: string]: CanonicalJsonValue };
    // Default sort compares UTF-16 code units, which is the order JCS prescribes.
    const keys = Object.keys(record).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key]!)}`).join(',')}}`;
  }
  throw new TypeError(`Cannot write canonical JSON: a ${typeof value} is not a JSON value`);
}

/** SHA-256 (lower-case hex) over the canonical JSON of `{seq, prevHash, at, kind, body}` — nothing else of the entry. */
export function transparencyEntryHash(entry: TransparencyEntryFields): string {
  const fields = { seq: entry.seq, prevHash: entry.prevHash, at: entry.at, kind: entry.kind, body: entry.body };
  return toHex(sha256Hash(utf8(canonicalJson(fields))));
}

/**
 * Seals an entry: computes its hash and signs the hash's 32 bytes with the operator's Ed25519
 * seed. The caller (the server) chooses `seq`, `prevHash` and `at` from the stored chain.
 */
export function sealTransparencyEntry(signingKey: Uint8Array, fields: TransparencyEntryFields): SignedTransparencyEntry {
  const hash = transparencyEntryHash(fields);
  const signature = toBase64(ed25519Sign(signingKey, fromHex(hash)));
  return { seq: fields.seq, prevHash: fields.prevHash, at: fields.at, kind: fields.kind, body: { ...fields.body }, hash, signature };
}

/** The base64 Ed25519 public key published with a log signed by `signingKey`. */
export function transparencyPublicKey(signingKey: Uint8Array): string {
  return toBase64(ed25519PublicKey(signingKey));
}

/**
 * Verifies a published log from its first entry: each `seq` is its position + 1 (a removed or
 * reordered entry leaves a gap), each `prevHash` is the previous entry's `hash`, each `hash` is
 * recomputed from the fields (an altered entry no longer matches), each signature verifies under
 * `publicKey` (an entry re-sealed with another key does not), and time never goes backwards.
 *
 * A chain cannot show that entries were cut off its end; pass `checkpoint` — an entry `{seq, hash}`
 * seen in an earlier verification — and the log must still contain it unchanged.
 *
 * Never throws: the input comes from the network, so every field's type is checked here too.
 */
export function verifyTransparencyLog(log: TransparencyLogInput, options: { checkpoint?: { seq: number; hash: string } } = {}): TransparencyVerification {
  const fail = (seq: number | null, problem: string): TransparencyVerification => ({ ok: false, seq, problem });
  if (typeof log !== 'object' || log === null || !Array.isArray(log.entries)) return fail(null, 'the log is not an object with an entries array');
  let publicKey: Uint8Array;
  try {
    publicKey = fromBase64(String(log.publicKey));
  } catch {
    return fail(null, 'the public key is not base64');
  }
  if (publicKey.length !== ED25519_KEY_BYTES) return fail(null, `the public key has ${publicKey.length} bytes, not ${ED25519_KEY_BYTES}`);
  let prevHash = TRANSPARENCY_GENESIS_HASH;
  let prevAt = -Infinity;
  for (const [index, entry] of log.entries.entries()) {
    const expectedSeq = index + 1;
    const shapeProblem = entryShapeProblem(entry);
    if (shapeProblem !== null) return fail(expectedSeq, shapeProblem);
    if (entry.seq !== expectedSeq) return fail(expectedSeq, `entry at position ${expectedSeq} has seq ${entry.seq}: an entry was removed, inserted or reordered`);
    if (entry.prevHash !== prevHash) return fail(entry.seq, 'prevHash is not the previous entry\'s hash: the chain is broken');
    if (entry.at < prevAt) return fail(entry.seq, 'its time is before the previous entry\'s');
    let hash: string;
    try {
      hash = transparencyEntryHash(entry);
    } catch (error) {
      return fail(entry.seq, `its fields cannot be hashed: ${(error as Error).message}`);
    }
    if (hash !== entry.hash) return fail(entry.seq, 'its hash does not match its contents: the entry was altered');
    let signature: Uint8Array;
    try {
      signature = fromBase64(entry.signature);
    } catch {
      return fail(entry.seq, 'its signature is not base64');
    }
    if (signature.length !== ED25519_SIGNATURE_BYTES || !ed25519Verify(publicKey, fromHex(hash), signature)) {
      return fail(entry.seq, 'its signature does not verify under the operator\'s public key');
    }
    prevHash = hash;
    prevAt = entry.at;
  }
  if (options.checkpoint !== undefined) {
    const { seq, hash } = options.checkpoint;
    const seen = log.entries[seq - 1];
    if (seen === undefined) return fail(seq, `the log ends at seq ${log.entries.length}, before the checkpoint: entries were removed from its end`);
    if (seen.hash !== hash) return fail(seq, 'the entry differs from the checkpoint: the log was rewritten');
  }
  return { ok: true, count: log.entries.length };
}

/** Why an untrusted entry is not shaped like one, or null. */
function entryShapeProblem(entry: unknown): string | null {
  if (typeof entry !== 'object' || entry === null) return 'the entry is not an object';
  const e = entry as Record<string, unknown>;
  if (!Number.isSafeInteger(e.seq)) return 'seq is not an integer';
  if (typeof e.prevHash !== 'string' || !/^[0-9a-f]{64}$/.test(e.prevHash)) return 'prevHash is not 64 hex digits';
  if (typeof e.hash !== 'string' || !/^[0-9a-f]{64}$/.test(e.hash)) return 'hash is not 64 hex digits';
  if (!Number.isSafeInteger(e.at)) return 'at is not an integer';
  if (typeof e.kind !== 'string') return 'kind is not a string';
  if (typeof e.signature !== 'string') return 'signature is not a string';
  if (typeof e.body !== 'object' || e.body === null || Array.isArray(e.body)) return 'body is not an object';
  for (const value of Object.values(e.body)) {
    if (typeof value !== 'string' && !Number.isSafeInteger(value)) return 'body holds a value that is neither a string nor an integer';
  }
  return null;
}
