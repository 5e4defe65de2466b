/**
 * PQXDH key agreement (Signal's "The PQXDH Key Agreement Protocol", revision 3), instantiated with
 * X25519, SHA-256 and ML-KEM-768. SPEC [E2E5]–[E2E8].
 *
 * @module
 */
import { encodeMlKem768, encodeX25519, type DeviceKeys, type PublicBundle } from './device-keys.ts';
import {
  concatBytes,
  cryptoRandom,
  ed25519PublicToX25519,
  ed25519Verify,
  fromBase64,
  hkdfSha256,
  type KeyPair,
  MLKEM768_CIPHERTEXT_BYTES,
  MLKEM768_PUBLIC_KEY_BYTES,
  mlKem768Decapsulate,
  mlKem768Encapsulate,
  type RandomSource,
  utf8,
  x25519Dh,
  x25519KeyPair,
} from './primitives.ts';

/** HKDF info string of PQXDH §2.5, naming our curve, hash and KEM. */
export const PQXDH_INFO = 'Samizdat_CURVE25519_SHA-256_ML-KEM-768';

/** Marks "no one-time prekey was used" in {@link InitialHeader.oneTimePrekeyId}. */
export const NO_ONE_TIME_PREKEY = 0xffffffff;

/** Why a PQXDH step was refused. */
export type PqxdhErrorCode = 'BAD_SIGNATURE' | 'BAD_KEY' | 'UNKNOWN_PREKEY';

/** A PQXDH failure the caller is expected to handle (bad bundle, stale prekey ids). */
export class PqxdhError extends Error {
  override readonly name = 'PqxdhError';
  constructor(
    readonly code: PqxdhErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What the initiator sends so the responder can derive the same key (PQXDH §3.3). */
export interface InitialHeader {
  /** Initiator's Ed25519 identity public key. */
  identityKey: Uint8Array;
  /** Initiator's ephemeral X25519 public key EK_A. */
  ephemeralKey: Uint8Array;
  signedPrekeyId: number;
  pqPrekeyId: number;
  /** {@link NO_ONE_TIME_PREKEY} when the bundle had none. */
  oneTimePrekeyId: number;
  /** ML-KEM-768 ciphertext CT. */
  kemCiphertext: Uint8Array;
}

/** The shared result of PQXDH on either side. */
export interface PqxdhResult {
  /** 32-byte secret key SK. */
  sharedKey: Uint8Array;
  /** AD = IK_A ‖ IK_B (Ed25519 identity keys), bound into every message's AEAD. */
  associatedData: Uint8Array;
}

/** KDF of PQXDH §2.5: HKDF-SHA-256 over F ‖ KM with F = 32 0xFF bytes, zero salt, our info string. */
export function pqxdhKdf(keyMaterial: Uint8Array): Uint8Array {
  // F makes the first 32 bytes of the input an invalid X25519 value, separating this use of the
  // identity key from XEdDSA signatures (spec §2.5); we keep it for fidelity with the spec.
  const f = new Uint8Array(32).fill(0xff);
  return hkdfSha256(concatBytes(f, keyMaterial), { salt: new Uint8Array(32), info: utf8(PQXDH_INFO), length: 32 });
}

function decodeKey(text: string, length: number, what: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(text);
  } catch {
    throw new PqxdhError('BAD_KEY', `Cannot start session: ${what} is not base64`);
  }
  if (bytes.length !== length) {
    throw new PqxdhError('BAD_KEY', `Cannot start session: ${what} is ${bytes.length} bytes, expected ${length}`);
  }
  return bytes;
}

/** Options for {@link pqxdhInitiate}. */
export interface PqxdhInitiateOptions {
  /**
   * Randomness for EK_A and the KEM message; tests pass a deterministic source.
   * @default cryptoRandom
   */
  random?: RandomSource;
}

/**
 * The initiator's side (PQXDH §3.3): verifies both prekey signatures, picks the first one-time
 * prekey if any, and derives SK from DH1..DH4 and the ML-KEM shared secret.
 *
 * @throws {PqxdhError} `BAD_SIGNATURE` when a prekey signature does not verify, `BAD_KEY` when a
 *   key is malformed.
 */
export function pqxdhInitiate(
  me: DeviceKeys,
  bundle: PublicBundle,
  options: PqxdhInitiateOptions = {},
): PqxdhResult & { header: InitialHeader; theirSignedPrekey: Uint8Array } {
  const random = options.random ?? cryptoRandom;
  const ikB = decodeKey(bundle.identityKey, 32, 'identity key');
  const spkB = decodeKey(bundle.signedPrekey.publicKey, 32, 'signed prekey');
  const pqpkB = decodeKey(bundle.pqPrekey.publicKey, MLKEM768_PUBLIC_KEY_BYTES, 'PQ prekey');
  const spkSig = decodeKey(bundle.signedPrekey.signature, 64, 'signed prekey signature');
  const pqSig = decodeKey(bundle.pqPrekey.signature, 64, 'PQ prekey signature');
  if (!ed25519Verify(ikB, encodeX25519(spkB), spkSig)) {
    throw new PqxdhError('BAD_SIGNATURE', `Cannot start session: signature of signed prekey ${bundle.signedPrekey.id} does not verify`);
  }
  if (!ed25519Verify(ikB, encodeMlKem768(pqpkB), pqSig)) {
    throw new PqxdhError('BAD_SIGNATURE', `Cannot start session: signature of PQ prekey ${bundle.pqPrekey.id} does not verify`);
  }
  const opk = bundle.oneTimePrekeys[0];
  const opkB = opk ? decodeKey(opk.publicKey, 32, `one-time prekey ${opk.id}`) : undefined;

  let ikBDh: Uint8Array;
  try {
    ikBDh = ed25519PublicToX25519(ikB);
  } catch {
    throw new PqxdhError('BAD_KEY', 'Cannot start session: identity key is not a valid Ed25519 point');
  }
  const ek = x25519KeyPair(random);
  const { ciphertext, sharedSecret } = mlKem768Encapsulate(pqpkB, random);
  const parts = dhOrThrow(() => [
    x25519Dh(me.identityDhSecret(), spkB),
    x25519Dh(ek.secretKey, ikBDh),
    x25519Dh(ek.secretKey, spkB),
    ...(opkB ? [x25519Dh(ek.secretKey, opkB)] : []),
  ]);
  const sharedKey = pqxdhKdf(concatBytes(...parts, sharedSecret));
  return {
    sharedKey,
    associatedData: concatBytes(me.identityPublicKey, ikB),
    theirSignedPrekey: spkB,
    header: {
      identityKey: me.identityPublicKey,
      ephemeralKey: ek.publicKey,
      signedPrekeyId: bundle.signedPrekey.id,
      pqPrekeyId: bundle.pqPrekey.id,
      oneTimePrekeyId: opk ? opk.id : NO_ONE_TIME_PREKEY,
      kemCiphertext: ciphertext,
    },
  };
}

/**
 * The responder's side (PQXDH §3.4). Does NOT consume the one-time prekey: the caller deletes it
 * once the first message has decrypted, so a forged initial message cannot burn prekeys.
 *
 * @throws {PqxdhError} `UNKNOWN_PREKEY` when a named prekey is not (or no longer) held, `BAD_KEY`
 *   when a key in the header is malformed.
 */
export function pqxdhRespond(me: DeviceKeys, header: InitialHeader): PqxdhResult & { signedPrekey: KeyPair } {
  const spk = me.signedPrekey(header.signedPrekeyId);
  if (!spk) throw new PqxdhError('UNKNOWN_PREKEY', `Cannot accept session: signed prekey ${header.signedPrekeyId} is unknown`);
  const pq = me.pqPrekey(header.pqPrekeyId);
  if (!pq) throw new PqxdhError('UNKNOWN_PREKEY', `Cannot accept session: PQ prekey ${header.pqPrekeyId} is unknown`);
  let opk: KeyPair | undefined;
  if (header.oneTimePrekeyId !== NO_ONE_TIME_PREKEY) {
    opk = me.peekOneTimePrekey(header.oneTimePrekeyId);
    if (!opk) {
      throw new PqxdhError('UNKNOWN_PREKEY', `Cannot accept session: one-time prekey ${header.oneTimePrekeyId} is unknown or used`);
    }
  }
  if (header.identityKey.length !== 32 || header.ephemeralKey.length !== 32 || header.kemCiphertext.length !== MLKEM768_CIPHERTEXT_BYTES) {
    throw new PqxdhError('BAD_KEY', 'Cannot accept session: initial header has keys of the wrong length');
  }
  let ikADh: Uint8Array;
  try {
    ikADh = ed25519PublicToX25519(header.identityKey);
  } catch {
    throw new PqxdhError('BAD_KEY', 'Cannot accept session: identity key is not a valid Ed25519 point');
  }
  const parts = dhOrThrow(() => [
    x25519Dh(spk.secretKey, ikADh),
    x25519Dh(me.identityDhSecret(), header.ephemeralKey),
    x25519Dh(spk.secretKey, header.ephemeralKey),
    ...(opk ? [x25519Dh(opk.secretKey, header.ephemeralKey)] : []),
  ]);
  const ss = mlKem768Decapsulate(header.kemCiphertext, pq.secretKey);
  return {
    sharedKey: pqxdhKdf(concatBytes(...parts, ss)),
    associatedData: concatBytes(header.identityKey, me.identityPublicKey),
    signedPrekey: spk,
  };
}

function dhOrThrow(compute: () => Uint8Array[]): Uint8Array[] {
  try {
    return compute();
  } catch {
    // noble throws when a peer key is a low-order point (all-zero DH output).
    throw new PqxdhError('BAD_KEY', 'Cannot complete key agreement: a peer key is a low-order point');
  }
}
