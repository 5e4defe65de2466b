/**
 * Glue from PQXDH to the Double Ratchet, and the one-string envelope format (SPEC [E2E17]–[E2E19]).
 *
 * Envelope bytes (then standard base64):
 *   version (1) = 1 ‖ kind (1): 1 = normal, 2 = prekey ‖
 *   [kind 2 only: IK_A (32) ‖ EK_A (32) ‖ spk id (u32) ‖ pq id (u32) ‖ opk id (u32) ‖ KEM ct (1088)] ‖
 *   ratchet header (40) ‖ AEAD ciphertext.
 *
 * @module
 */
import { DoubleRatchet, decodeHeader, encodeHeader, HEADER_BYTES, RatchetError, type SerializedRatchet } from './double-ratchet.ts';
import type { DeviceKeys, PublicBundle } from './device-keys.ts';
import { type InitialHeader, pqxdhInitiate, pqxdhRespond } from './pqxdh.ts';
import { concatBytes, fromBase64, MLKEM768_CIPHERTEXT_BYTES, type RandomSource, toBase64 } from './primitives.ts';

const VERSION = 1;
const KIND_NORMAL = 1;
const KIND_PREKEY = 2;
const INIT_BYTES = 32 + 32 + 4 + 4 + 4 + MLKEM768_CIPHERTEXT_BYTES;

/** An end-to-end session with one peer device. */
export interface Session {
  ratchet: DoubleRatchet;
  /** Present on the initiator until the first reply arrives; sent with every message till then. */
  pendingInit: InitialHeader | null;
  /** The peer's Ed25519 identity key (for safety numbers). */
  theirIdentityKey: Uint8Array;
}

/** Options for session set-up. */
export interface SessionOptions {
  /**
   * Randomness; tests pass a deterministic source.
   * @default cryptoRandom
   */
  random?: RandomSource;
}

/** Starts a session as initiator from the peer's published bundle ([E2E17]). */
export function initiateSession(me: DeviceKeys, theirBundle: PublicBundle, options: SessionOptions = {}): Session {
  const r = pqxdhInitiate(me, theirBundle, options);
  const ratchet = DoubleRatchet.initAlice(r.sharedKey, r.theirSignedPrekey, { associatedData: r.associatedData, ...options });
  return { ratchet, pendingInit: r.header, theirIdentityKey: fromBase64(theirBundle.identityKey) };
}

/**
 * Accepts a session from a peer's first envelope ([E2E18]). The one-time prekey is consumed only
 * after the message decrypted, so a forged envelope cannot burn prekeys.
 *
 * @throws {PqxdhError} for unknown prekeys or bad keys; {@link RatchetError} when the message fails.
 */
export function acceptSession(
  me: DeviceKeys,
  initialMessage: string,
  options: SessionOptions = {},
): { session: Session; plaintext: Uint8Array } {
  const env = parseEnvelope(initialMessage);
  if (!env.init) throw new RatchetError('BAD_MESSAGE', 'Cannot accept session: envelope carries no initial header');
  const r = pqxdhRespond(me, env.init);
  const ratchet = DoubleRatchet.initBob(r.sharedKey, r.signedPrekey, { associatedData: r.associatedData, ...options });
  const plaintext = ratchet.decrypt({ header: env.header, ciphertext: env.ciphertext });
  me.takeOneTimePrekey(env.init.oneTimePrekeyId);
  return { session: { ratchet, pendingInit: null, theirIdentityKey: env.init.identityKey }, plaintext };
}

/** Encrypts one message to a base64 envelope string. */
export function encrypt(session: Session, plaintext: Uint8Array): string {
  const m = session.ratchet.encrypt(plaintext);
  const init = session.pendingInit;
  const head = Uint8Array.of(VERSION, init ? KIND_PREKEY : KIND_NORMAL);
  return toBase64(concatBytes(head, init ? encodeInit(init) : new Uint8Array(0), encodeHeader(m.header), m.ciphertext));
}

/**
 * Decrypts an envelope. Atomic: on any error the session is unchanged.
 *
 * @throws {RatchetError} `DECRYPT_FAILED`, `REPLAY`, `TOO_MANY_SKIPPED` or `BAD_MESSAGE`.
 */
export function decrypt(session: Session, envelope: string): Uint8Array {
  const env = parseEnvelope(envelope);
  const plaintext = session.ratchet.decrypt({ header: env.header, ciphertext: env.ciphertext });
  // A reply proves the peer holds the session, so the initial header need not be sent again.
  session.pendingInit = null;
  return plaintext;
}

/** JSON form of a session. Holds secret keys: store it encrypted. */
export interface SerializedSession {
  ratchet: SerializedRatchet;
  pendingInit: string | null;
  theirIdentityKey: string;
}

/** Serialises a session to JSON-friendly data. */
export function serializeSession(session: Session): SerializedSession {
  return {
    ratchet: session.ratchet.toJSON(),
    pendingInit: session.pendingInit ? toBase64(encodeInit(session.pendingInit)) : null,
    theirIdentityKey: toBase64(session.theirIdentityKey),
  };
}

/** Restores a session from {@link serializeSession} output. */
export function deserializeSession(data: SerializedSession, options: SessionOptions = {}): Session {
  return {
    ratchet: DoubleRatchet.fromJSON(data.ratchet, options),
    pendingInit: data.pendingInit ? decodeInit(fromBase64(data.pendingInit)) : null,
    theirIdentityKey: fromBase64(data.theirIdentityKey),
  };
}

function encodeInit(h: InitialHeader): Uint8Array {
  const out = new Uint8Array(INIT_BYTES);
  out.set(h.identityKey, 0);
  out.set(h.ephemeralKey, 32);
  const view = new DataView(out.buffer);
  view.setUint32(64, h.signedPrekeyId);
  view.setUint32(68, h.pqPrekeyId);
  view.setUint32(72, h.oneTimePrekeyId);
  out.set(h.kemCiphertext, 76);
  return out;
}

function decodeInit(b: Uint8Array): InitialHeader {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    identityKey: b.slice(0, 32),
    ephemeralKey: b.slice(32, 64),
    signedPrekeyId: view.getUint32(64),
    pqPrekeyId: view.getUint32(68),
    oneTimePrekeyId: view.getUint32(72),
    kemCiphertext: b.slice(76, INIT_BYTES),
  };
}

function parseEnvelope(envelope: string): { init: InitialHeader | null; header: ReturnType<typeof decodeHeader>; ciphertext: Uint8Array } {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(envelope);
  } catch {
    throw new RatchetError('BAD_MESSAGE', `Cannot read envelope: ${envelope.length} characters of non-base64 text`);
  }
  if (bytes.length < 2 || bytes[0] !== VERSION) {
    throw new RatchetError('BAD_MESSAGE', `Cannot read envelope: version is ${String(bytes[0])}, expected ${VERSION}`);
  }
  const kind = bytes[1];
  if (kind !== KIND_NORMAL && kind !== KIND_PREKEY) throw new RatchetError('BAD_MESSAGE', `Cannot read envelope: kind ${String(kind)} is unknown`);
  let offset = 2;
  let init: InitialHeader | null = null;
  if (kind === KIND_PREKEY) {
    if (bytes.length < offset + INIT_BYTES) throw new RatchetError('BAD_MESSAGE', `Cannot read envelope: ${bytes.length} bytes is too short`);
    init = decodeInit(bytes.subarray(offset, offset + INIT_BYTES));
    offset += INIT_BYTES;
  }
  if (bytes.length < offset + HEADER_BYTES) throw new RatchetError('BAD_MESSAGE', `Cannot read envelope: ${bytes.length} bytes is too short`);
  const header = decodeHeader(bytes.slice(offset, offset + HEADER_BYTES));
  return { init, header, ciphertext: bytes.slice(offset + HEADER_BYTES) };
}
