/**
 * The Double Ratchet (Signal's "The Double Ratchet Algorithm", revision 1, §3), with X25519,
 * HMAC-SHA-256 chains, HKDF-SHA-256 root KDF and AES-256-GCM. SPEC [E2E9]–[E2E16].
 *
 * @module
 */
import {
  aeadOpen,
  aeadSeal,
  concatBytes,
  cryptoRandom,
  fromBase64,
  hkdfSha256,
  hmacSha256,
  type KeyPair,
  type RandomSource,
  toBase64,
  utf8,
  x25519Dh,
  x25519KeyPair,
  x25519PublicKey,
} from './primitives.ts';

/** Most message keys skipped in one receiving chain (spec §3.2 MAX_SKIP). */
export const MAX_SKIP = 1000;
/** Most skipped message keys held in total; the oldest are dropped beyond it (spec §4.5). */
export const MAX_SKIPPED_TOTAL = 2000;
/** How many previous receiving ratchet keys are remembered, to tell replays from garbage. */
const MAX_OLD_RECEIVING_KEYS = 20;

const ROOT_INFO = utf8('Samizdat_DoubleRatchet_Root');
const MESSAGE_INFO = utf8('Samizdat_DoubleRatchet_MessageKeys');

/** Why a ratchet decryption was refused. */
export type RatchetErrorCode = 'DECRYPT_FAILED' | 'REPLAY' | 'TOO_MANY_SKIPPED' | 'BAD_MESSAGE';

/** An expected ratchet failure; the session is unchanged when one is thrown ([E2E13]). */
export class RatchetError extends Error {
  override readonly name = 'RatchetError';
  constructor(
    readonly code: RatchetErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Message header (spec §3.1 HEADER): sender's ratchet key, previous chain length, number. */
export interface RatchetHeader {
  dh: Uint8Array;
  pn: number;
  n: number;
}

/** One encrypted message. */
export interface RatchetMessage {
  header: RatchetHeader;
  ciphertext: Uint8Array;
}

/** Header bytes: dh (32) ‖ pn (u32 BE) ‖ n (u32 BE). Also the AEAD associated data suffix. */
export const HEADER_BYTES = 40;

/** Encodes a header to its 40 wire bytes. */
export function encodeHeader(h: RatchetHeader): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  out.set(h.dh, 0);
  const view = new DataView(out.buffer);
  view.setUint32(32, h.pn);
  view.setUint32(36, h.n);
  return out;
}

/** Decodes 40 header bytes. */
export function decodeHeader(bytes: Uint8Array): RatchetHeader {
  if (bytes.length !== HEADER_BYTES) throw new RatchetError('BAD_MESSAGE', `Cannot read header: ${bytes.length} bytes, expected ${HEADER_BYTES}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { dh: bytes.slice(0, 32), pn: view.getUint32(32), n: view.getUint32(36) };
}

/** KDF_RK (spec §5.2): HKDF with the root key as salt and the DH output as input → (RK, CK). */
function kdfRk(rk: Uint8Array, dhOut: Uint8Array): [Uint8Array, Uint8Array] {
  const out = hkdfSha256(dhOut, { salt: rk, info: ROOT_INFO, length: 64 });
  return [out.slice(0, 32), out.slice(32)];
}

/** KDF_CK (spec §5.2): HMAC with constant 0x01 for the message key, 0x02 for the next chain key. */
function kdfCk(ck: Uint8Array): [Uint8Array, Uint8Array] {
  return [hmacSha256(ck, Uint8Array.of(0x02)), hmacSha256(ck, Uint8Array.of(0x01))];
}

/**
 * Expands a message key into an AES key and nonce (spec §5.2 recommends deriving both with HKDF).
 * Each message key is used once, so the derived nonce never repeats under its key.
 */
function messageKeys(mk: Uint8Array): { key: Uint8Array; nonce: Uint8Array } {
  const out = hkdfSha256(mk, { salt: new Uint8Array(32), info: MESSAGE_INFO, length: 44 });
  return { key: out.slice(0, 32), nonce: out.slice(32) };
}

interface RatchetState {
  dhs: KeyPair;
  dhr: Uint8Array | null;
  rk: Uint8Array;
  cks: Uint8Array | null;
  ckr: Uint8Array | null;
  ns: number;
  nr: number;
  pn: number;
  /** key `${base64(dh)}:${n}` → message key; insertion order = age. */
  skipped: Map<string, Uint8Array>;
  /** Previous receiving ratchet keys (base64), newest last. */
  oldDhr: string[];
  ad: Uint8Array;
}

/** JSON form of a ratchet session. Holds secret keys: store it encrypted. */
export interface SerializedRatchet {
  v: 1;
  dhsSecret: string;
  dhr: string | null;
  rk: string;
  cks: string | null;
  ckr: string | null;
  ns: number;
  nr: number;
  pn: number;
  skipped: [string, string][];
  oldDhr: string[];
  ad: string;
}

function cloneState(s: RatchetState): RatchetState {
  return { ...s, skipped: new Map(s.skipped), oldDhr: [...s.oldDhr] };
}

/** A Double Ratchet session between two parties. */
export class DoubleRatchet {
  #s: RatchetState;
  readonly #random: RandomSource;

  private constructor(state: RatchetState, random: RandomSource) {
    this.#s = state;
    this.#random = random;
  }

  /**
   * RatchetInitAlice (spec §3.3): the initiator knows SK and the responder's ratchet public key
   * (the signed prekey, per §7.1 of the spec) and performs the first DH ratchet step at once.
   */
  static initAlice(
    sharedKey: Uint8Array,
    theirRatchetKey: Uint8Array,
    options: { associatedData: Uint8Array; random?: RandomSource },
  ): DoubleRatchet {
    const random = options.random ?? cryptoRandom;
    const dhs = x25519KeyPair(random);
    const [rk, cks] = kdfRk(sharedKey, x25519Dh(dhs.secretKey, theirRatchetKey));
    return new DoubleRatchet(
      { dhs, dhr: theirRatchetKey, rk, cks, ckr: null, ns: 0, nr: 0, pn: 0, skipped: new Map(), oldDhr: [], ad: options.associatedData },
      random,
    );
  }

  /** RatchetInitBob (spec §3.3): the responder starts with its signed prekey pair as ratchet key. */
  static initBob(
    sharedKey: Uint8Array,
    ourRatchetKeyPair: KeyPair,
    options: { associatedData: Uint8Array; random?: RandomSource },
  ): DoubleRatchet {
    return new DoubleRatchet(
      {
        dhs: ourRatchetKeyPair,
        dhr: null,
        rk: sharedKey,
        cks: null,
        ckr: null,
        ns: 0,
        nr: 0,
        pn: 0,
        skipped: new Map(),
        oldDhr: [],
        ad: options.associatedData,
      },
      options.random ?? cryptoRandom,
    );
  }

  /** True once this side has received at least one message (so the peer has our ratchet key). */
  get hasReceived(): boolean {
    return this.#s.dhr !== null && (this.#s.nr > 0 || this.#s.oldDhr.length > 0 || this.#s.ckr !== null);
  }

  /** RatchetEncrypt (spec §3.4). */
  encrypt(plaintext: Uint8Array): RatchetMessage {
    const s = this.#s;
    if (!s.cks) throw new Error('Cannot encrypt: the responder must receive a message before sending');
    const [cks, mk] = kdfCk(s.cks);
    const header: RatchetHeader = { dh: s.dhs.publicKey, pn: s.pn, n: s.ns };
    s.cks = cks;
    s.ns += 1;
    const { key, nonce } = messageKeys(mk);
    return { header, ciphertext: aeadSeal(key, nonce, plaintext, concatBytes(s.ad, encodeHeader(header))) };
  }

  /**
   * RatchetDecrypt (spec §3.5) made atomic: all work happens on a copy that replaces the state
   * only after the AEAD tag verified, so a forged or damaged message changes nothing ([E2E13]).
   *
   * @throws {RatchetError} `DECRYPT_FAILED`, `REPLAY` or `TOO_MANY_SKIPPED`.
   */
  decrypt(message: RatchetMessage): Uint8Array {
    const { header } = message;
    const ad = concatBytes(this.#s.ad, encodeHeader(header));
    const dhText = toBase64(header.dh);
    const skippedId = `${dhText}:${header.n}`;
    const skippedKey = this.#s.skipped.get(skippedId);
    if (skippedKey) {
      const plaintext = open(skippedKey, message.ciphertext, ad);
      this.#s.skipped.delete(skippedId);
      return plaintext;
    }
    const s = cloneState(this.#s);
    const isCurrentChain = s.dhr !== null && equalBytes(header.dh, s.dhr);
    if (isCurrentChain && header.n < s.nr) {
      throw new RatchetError('REPLAY', `Cannot decrypt message ${header.n}: already received or expired`);
    }
    if (!isCurrentChain && s.oldDhr.includes(dhText)) {
      throw new RatchetError('REPLAY', `Cannot decrypt message ${header.n} of an old chain: already received or expired`);
    }
    if (!isCurrentChain) {
      skipMessageKeys(s, header.pn);
      dhRatchet(s, header, this.#random);
    }
    skipMessageKeys(s, header.n);
    const [ckr, mk] = kdfCk(s.ckr!);
    s.ckr = ckr;
    s.nr += 1;
    const plaintext = open(mk, message.ciphertext, ad);
    this.#s = s;
    return plaintext;
  }

  /** The session as JSON-friendly data. */
  toJSON(): SerializedRatchet {
    const s = this.#s;
    const b = (x: Uint8Array | null) => (x ? toBase64(x) : null);
    return {
      v: 1,
      dhsSecret: toBase64(s.dhs.secretKey),
      dhr: b(s.dhr),
      rk: toBase64(s.rk),
      cks: b(s.cks),
      ckr: b(s.ckr),
      ns: s.ns,
      nr: s.nr,
      pn: s.pn,
      skipped: [...s.skipped].map(([k, v]) => [k, toBase64(v)]),
      oldDhr: [...s.oldDhr],
      ad: toBase64(s.ad),
    };
  }

  /** Restores a session from {@link DoubleRatchet.toJSON} output. */
  static fromJSON(data: SerializedRatchet, options: { random?: RandomSource } = {}): DoubleRatchet {
    if (data.v !== 1) throw new TypeError(`Cannot restore ratchet: version is ${String(data.v)}, expected 1`);
    const b = (x: string | null) => (x === null ? null : fromBase64(x));
    const dhsSecret = fromBase64(data.dhsSecret);
    return new DoubleRatchet(
      {
        dhs: { secretKey: dhsSecret, publicKey: x25519PublicKey(dhsSecret) },
        dhr: b(data.dhr),
        rk: fromBase64(data.rk),
        cks: b(data.cks),
        ckr: b(data.ckr),
        ns: data.ns,
        nr: data.nr,
        pn: data.pn,
        skipped: new Map(data.skipped.map(([k, v]) => [k, fromBase64(v)])),
        oldDhr: [...data.oldDhr],
        ad: fromBase64(data.ad),
      },
      options.random ?? cryptoRandom,
    );
  }
}

function open(mk: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array): Uint8Array {
  const { key, nonce } = messageKeys(mk);
  const plaintext = aeadOpen(key, nonce, ciphertext, ad);
  if (!plaintext) throw new RatchetError('DECRYPT_FAILED', `Cannot decrypt message: authentication failed for ${ciphertext.length} bytes`);
  return plaintext;
}

/** SkipMessageKeys (spec §3.5), bounded per chain by MAX_SKIP and in total by MAX_SKIPPED_TOTAL. */
function skipMessageKeys(s: RatchetState, until: number): void {
  if (!s.ckr || s.dhr === null) return;
  if (until - s.nr > MAX_SKIP) {
    throw new RatchetError('TOO_MANY_SKIPPED', `Cannot decrypt message ${until}: it would skip ${until - s.nr} keys, limit is ${MAX_SKIP}`);
  }
  const dhText = toBase64(s.dhr);
  while (s.nr < until) {
    const [ckr, mk] = kdfCk(s.ckr);
    s.ckr = ckr;
    s.skipped.set(`${dhText}:${s.nr}`, mk);
    s.nr += 1;
    if (s.skipped.size > MAX_SKIPPED_TOTAL) {
      // Oldest first: a message delayed past 2000 others is given up (spec §4.5 deletion policy).
      const oldest = s.skipped.keys().next().value as string;
      s.skipped.delete(oldest);
    }
  }
}

/** DHRatchet (spec §3.5). */
function dhRatchet(s: RatchetState, header: RatchetHeader, random: RandomSource): void {
  if (s.dhr) {
    s.oldDhr.push(toBase64(s.dhr));
    if (s.oldDhr.length > MAX_OLD_RECEIVING_KEYS) s.oldDhr.shift();
  }
  s.pn = s.ns;
  s.ns = 0;
  s.nr = 0;
  s.dhr = header.dh;
  let dhOut: Uint8Array;
  try {
    dhOut = x25519Dh(s.dhs.secretKey, s.dhr);
  } catch {
    throw new RatchetError('DECRYPT_FAILED', 'Cannot decrypt message: its ratchet key is a low-order point');
  }
  [s.rk, s.ckr] = kdfRk(s.rk, dhOut);
  s.dhs = x25519KeyPair(random);
  [s.rk, s.cks] = kdfRk(s.rk, x25519Dh(s.dhs.secretKey, s.dhr));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
