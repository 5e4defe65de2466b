/**
 * A device's long-term and prekey material (SPEC [E2E2]–[E2E4], [E2E22]): an Ed25519 identity key, a
 * signed X25519 prekey, a signed ML-KEM-768 prekey (each with the rotated-out ones still in their
 * grace period) and a stock of one-time X25519 prekeys.
 *
 * @module
 */
import {
  concatBytes,
  cryptoRandom,
  ed25519KeyPair,
  ed25519PublicKey,
  ed25519PublicToX25519,
  ed25519SecretToX25519,
  ed25519Sign,
  ed25519Verify,
  fromBase64,
  mlKem768KeyPair,
  type KeyPair,
  type RandomSource,
  toBase64,
  x25519KeyPair,
  x25519PublicKey,
} from './primitives.ts';

/** Type byte of an X25519 public key in signed encodings (Signal's `EncodeEC` uses 0x05 too). */
export const KEY_TYPE_X25519 = 0x05;
/** Type byte of an ML-KEM-768 public key in signed encodings (our own constant; see SPEC [E2E3]). */
export const KEY_TYPE_MLKEM768 = 0x0a;

/** `EncodeEC(pk)` of the PQXDH spec §2.2: type byte then the u-coordinate. */
export function encodeX25519(publicKey: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(KEY_TYPE_X25519), publicKey);
}

/** `EncodeKEM(pk)` of the PQXDH spec §2.2: type byte then the FIPS 203 encapsulation key. */
export function encodeMlKem768(publicKey: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(KEY_TYPE_MLKEM768), publicKey);
}

/** The JSON-friendly public bundle a device uploads; every byte string is standard base64. */
export interface PublicBundle {
  /** Ed25519 identity public key. */
  identityKey: string;
  signedPrekey: { id: number; publicKey: string; signature: string };
  pqPrekey: { id: number; publicKey: string; signature: string };
  oneTimePrekeys: { id: number; publicKey: string }[];
}

/**
 * How long a rotated-out signed prekey or PQ prekey stays usable for late initial messages: 30 days,
 * the server's lifetime for undelivered envelopes (server SPEC [E2E-S4]), so that any initial
 * message the server can still deliver was made from a prekey we still hold (SPEC [E2E22]).
 */
export const PREKEY_GRACE_MS = 30 * 24 * 60 * 60 * 1000;

/** Options for {@link DeviceKeys.rotateSignedPrekey} and {@link DeviceKeys.rotatePqPrekey}. */
export interface RotatePrekeyOptions {
  /**
   * Randomness for the new key.
   * @default cryptoRandom
   */
  random?: RandomSource;
  /**
   * Current time in ms since the epoch; recorded as the old key's retirement time and used to
   * prune keys retired more than {@link PREKEY_GRACE_MS} ago.
   * @default Date.now()
   */
  now?: number;
}

/** Options for {@link DeviceKeys.generate}. */
export interface GenerateDeviceKeysOptions {
  /**
   * How many one-time prekeys to make.
   * @default 100
   */
  oneTimePrekeyCount?: number;
  /**
   * Randomness; tests pass a deterministic source to pin vectors.
   * @default cryptoRandom
   */
  random?: RandomSource;
}

interface SignedKey {
  id: number;
  keyPair: KeyPair;
  signature: Uint8Array;
}

/** A rotated-out prekey kept for the grace period, with when it was replaced (ms since the epoch). */
interface RetiredKey extends SignedKey {
  retiredAt: number;
}

interface SerializedSignedPrekey {
  id: number;
  secretKey: string;
  signature: string;
}

interface SerializedPqPrekey {
  id: number;
  secretKey: string;
  publicKey: string;
  signature: string;
}

/** Version 2 adds the retired prekeys; version 1 (no retired keys) is still read. */
interface SerializedDeviceKeys {
  v: 2;
  identitySecret: string;
  signedPrekey: SerializedSignedPrekey;
  pqPrekey: SerializedPqPrekey;
  retiredSignedPrekeys: (SerializedSignedPrekey & { retiredAt: number })[];
  retiredPqPrekeys: (SerializedPqPrekey & { retiredAt: number })[];
  oneTimePrekeys: { id: number; secretKey: string }[];
  nextPrekeyId: number;
}

type SerializedDeviceKeysV1 = Omit<SerializedDeviceKeys, 'v' | 'retiredSignedPrekeys' | 'retiredPqPrekeys'> & { v: 1 };

/** A device's private key state. Mutated when one-time prekeys are consumed or added. */
export class DeviceKeys {
  readonly #identitySecret: Uint8Array;
  readonly identityPublicKey: Uint8Array;
  #signedPrekey: SignedKey;
  #pqPrekey: SignedKey;
  /** Rotated-out prekeys still accepted for late initial messages, oldest first (SPEC [E2E22]). */
  #retiredSignedPrekeys: RetiredKey[] = [];
  #retiredPqPrekeys: RetiredKey[] = [];
  readonly #oneTimePrekeys = new Map<number, KeyPair>();
  #nextPrekeyId: number;

  private constructor(identitySecret: Uint8Array, signedPrekey: SignedKey, pqPrekey: SignedKey, nextPrekeyId: number) {
    this.#identitySecret = identitySecret;
    this.identityPublicKey = ed25519PublicKey(identitySecret);
    this.#signedPrekey = signedPrekey;
    this.#pqPrekey = pqPrekey;
    this.#nextPrekeyId = nextPrekeyId;
  }

  /** Makes a fresh identity, signed prekey, PQ prekey and `oneTimePrekeyCount` one-time prekeys. */
  static generate(options: GenerateDeviceKeysOptions = {}): DeviceKeys {
    const random = options.random ?? cryptoRandom;
    const identity = ed25519KeyPair(random);
    const spk = x25519KeyPair(random);
    const pq = mlKem768KeyPair(random);
    // Prekey ids start at 1; 0 is never used so that "no id" cannot be confused with a real one.
    const device = new DeviceKeys(
      identity.secretKey,
      { id: 1, keyPair: spk, signature: ed25519Sign(identity.secretKey, encodeX25519(spk.publicKey)) },
      { id: 2, keyPair: pq, signature: ed25519Sign(identity.secretKey, encodeMlKem768(pq.publicKey)) },
      3,
    );
    device.addOneTimePrekeys(options.oneTimePrekeyCount ?? 100, random);
    return device;
  }

  /** The X25519 form of the identity secret, used as IK in the DH computations (SPEC [E2E2]). */
  identityDhSecret(): Uint8Array {
    return ed25519SecretToX25519(this.#identitySecret);
  }

  /** The X25519 form of the identity public key. */
  identityDhPublicKey(): Uint8Array {
    return ed25519PublicToX25519(this.identityPublicKey);
  }

  /** Adds `count` fresh one-time prekeys and returns their ids. */
  addOneTimePrekeys(count: number, random: RandomSource = cryptoRandom): number[] {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const id = this.#allocateId();
      this.#oneTimePrekeys.set(id, x25519KeyPair(random));
      ids.push(id);
    }
    return ids;
  }

  /** Number of one-time prekeys still unused, so a client knows when to upload more. */
  get oneTimePrekeyCount(): number {
    return this.#oneTimePrekeys.size;
  }

  /**
   * Replaces the signed X25519 prekey (rotation; X3DH §3.2 suggests weekly or monthly) and returns
   * the new id. The old key stays usable through {@link DeviceKeys.signedPrekey} for
   * {@link PREKEY_GRACE_MS}, so initial messages made from a bundle fetched before the rotation
   * still open (SPEC [E2E22]); keys retired longer ago are pruned.
   *
   * @param options `{ random, now }`; a bare {@link RandomSource} is still accepted (older callers).
   */
  rotateSignedPrekey(options: RotatePrekeyOptions | RandomSource = {}): number {
    const { random, now } = rotateOptions(options);
    const keyPair = x25519KeyPair(random);
    const id = this.#allocateId();
    this.#retiredSignedPrekeys.push({ ...this.#signedPrekey, retiredAt: now });
    this.#signedPrekey = { id, keyPair, signature: ed25519Sign(this.#identitySecret, encodeX25519(keyPair.publicKey)) };
    this.pruneRetiredPrekeys(now);
    return id;
  }

  /**
   * Replaces the signed ML-KEM-768 prekey (last-resort PQ prekey of PQXDH §3.2) and returns the
   * new id; the old one stays usable like {@link DeviceKeys.rotateSignedPrekey}'s.
   *
   * @param options `{ random, now }`; a bare {@link RandomSource} is still accepted (older callers).
   */
  rotatePqPrekey(options: RotatePrekeyOptions | RandomSource = {}): number {
    const { random, now } = rotateOptions(options);
    const keyPair = mlKem768KeyPair(random);
    const id = this.#allocateId();
    this.#retiredPqPrekeys.push({ ...this.#pqPrekey, retiredAt: now });
    this.#pqPrekey = { id, keyPair, signature: ed25519Sign(this.#identitySecret, encodeMlKem768(keyPair.publicKey)) };
    this.pruneRetiredPrekeys(now);
    return id;
  }

  /**
   * Forgets rotated-out prekeys retired {@link PREKEY_GRACE_MS} or more before `now`, after which
   * initial messages naming them fail with `UNKNOWN_PREKEY`. Rotation calls it; a device that
   * rotates rarely should also call it now and then (e.g. at start-up) so old keys do not linger.
   *
   * @returns how many keys were dropped.
   */
  pruneRetiredPrekeys(now: number = Date.now()): number {
    const keep = (key: RetiredKey) => now - key.retiredAt < PREKEY_GRACE_MS;
    const before = this.#retiredSignedPrekeys.length + this.#retiredPqPrekeys.length;
    this.#retiredSignedPrekeys = this.#retiredSignedPrekeys.filter(keep);
    this.#retiredPqPrekeys = this.#retiredPqPrekeys.filter(keep);
    return before - this.#retiredSignedPrekeys.length - this.#retiredPqPrekeys.length;
  }

  /** Ids of the rotated-out prekeys still held, oldest first (for diagnostics and tests). */
  retiredPrekeyIds(): { signedPrekeys: number[]; pqPrekeys: number[] } {
    return {
      signedPrekeys: this.#retiredSignedPrekeys.map((k) => k.id),
      pqPrekeys: this.#retiredPqPrekeys.map((k) => k.id),
    };
  }

  /** The bundle to publish on the server. */
  publicBundle(): PublicBundle {
    return {
      identityKey: toBase64(this.identityPublicKey),
      signedPrekey: {
        id: this.#signedPrekey.id,
        publicKey: toBase64(this.#signedPrekey.keyPair.publicKey),
        signature: toBase64(this.#signedPrekey.signature),
      },
      pqPrekey: {
        id: this.#pqPrekey.id,
        publicKey: toBase64(this.#pqPrekey.keyPair.publicKey),
        signature: toBase64(this.#pqPrekey.signature),
      },
      oneTimePrekeys: [...this.#oneTimePrekeys].map(([id, kp]) => ({ id, publicKey: toBase64(kp.publicKey) })),
    };
  }

  /**
   * The signed X25519 prekey pair with this id: the current one or one rotated out less than
   * {@link PREKEY_GRACE_MS} ago (and not yet pruned).
   */
  signedPrekey(id: number): KeyPair | undefined {
    if (this.#signedPrekey.id === id) return this.#signedPrekey.keyPair;
    return this.#retiredSignedPrekeys.find((k) => k.id === id)?.keyPair;
  }

  /** The ML-KEM-768 prekey pair with this id: the current one or a retired one still in its grace period. */
  pqPrekey(id: number): KeyPair | undefined {
    if (this.#pqPrekey.id === id) return this.#pqPrekey.keyPair;
    return this.#retiredPqPrekeys.find((k) => k.id === id)?.keyPair;
  }

  /**
   * Removes and returns the one-time prekey with this id (X3DH §3.4: it is deleted once used, so
   * a second initial message naming it cannot be accepted).
   */
  takeOneTimePrekey(id: number): KeyPair | undefined {
    const kp = this.#oneTimePrekeys.get(id);
    this.#oneTimePrekeys.delete(id);
    return kp;
  }

  /** Looks up a one-time prekey without consuming it (to decide before committing). */
  peekOneTimePrekey(id: number): KeyPair | undefined {
    return this.#oneTimePrekeys.get(id);
  }

  /** Private state as a JSON string (base64 fields). It holds secret keys: store it encrypted. */
  serialize(): string {
    const data: SerializedDeviceKeys = {
      v: 2,
      identitySecret: toBase64(this.#identitySecret),
      signedPrekey: serializeSignedPrekey(this.#signedPrekey),
      pqPrekey: serializePqPrekey(this.#pqPrekey),
      retiredSignedPrekeys: this.#retiredSignedPrekeys.map((k) => ({ ...serializeSignedPrekey(k), retiredAt: k.retiredAt })),
      retiredPqPrekeys: this.#retiredPqPrekeys.map((k) => ({ ...serializePqPrekey(k), retiredAt: k.retiredAt })),
      oneTimePrekeys: [...this.#oneTimePrekeys].map(([id, kp]) => ({ id, secretKey: toBase64(kp.secretKey) })),
      nextPrekeyId: this.#nextPrekeyId,
    };
    return JSON.stringify(data);
  }

  /**
   * Restores {@link DeviceKeys.serialize} output (version 2, or version 1 from before retired
   * prekeys were kept); throws a `TypeError` naming the bad field.
   */
  static deserialize(json: string): DeviceKeys {
    const data = JSON.parse(json) as Partial<SerializedDeviceKeys> | Partial<SerializedDeviceKeysV1>;
    if (data.v !== 1 && data.v !== 2) throw new TypeError(`Cannot restore device keys: version is ${String(data.v)}, expected 1 or 2`);
    const need = <T>(value: T | undefined, name: string): T => {
      if (value === undefined || value === null) throw new TypeError(`Cannot restore device keys: ${name} is missing`);
      return value;
    };
    const identitySecret = fromBase64(need(data.identitySecret, 'identitySecret'));
    const device = new DeviceKeys(
      identitySecret,
      restoreSignedPrekey(need(data.signedPrekey, 'signedPrekey')),
      restorePqPrekey(need(data.pqPrekey, 'pqPrekey')),
      need(data.nextPrekeyId, 'nextPrekeyId'),
    );
    if (data.v === 2) {
      const retiredAt = (k: { retiredAt: number }, name: string) => {
        if (!Number.isFinite(k.retiredAt)) throw new TypeError(`Cannot restore device keys: ${name}.retiredAt is not a time`);
        return k.retiredAt;
      };
      device.#retiredSignedPrekeys = need(data.retiredSignedPrekeys, 'retiredSignedPrekeys').map((k) => ({
        ...restoreSignedPrekey(k),
        retiredAt: retiredAt(k, 'retiredSignedPrekeys'),
      }));
      device.#retiredPqPrekeys = need(data.retiredPqPrekeys, 'retiredPqPrekeys').map((k) => ({
        ...restorePqPrekey(k),
        retiredAt: retiredAt(k, 'retiredPqPrekeys'),
      }));
    }
    for (const otk of need(data.oneTimePrekeys, 'oneTimePrekeys')) {
      const secretKey = fromBase64(otk.secretKey);
      device.#oneTimePrekeys.set(otk.id, { secretKey, publicKey: x25519PublicKey(secretKey) });
    }
    // A restored state whose signatures do not verify was corrupted or tampered with.
    for (const spk of [device.#signedPrekey, ...device.#retiredSignedPrekeys]) {
      if (!ed25519Verify(device.identityPublicKey, encodeX25519(spk.keyPair.publicKey), spk.signature)) {
        throw new TypeError(`Cannot restore device keys: signed prekey ${spk.id} signature does not verify`);
      }
    }
    return device;
  }

  #allocateId(): number {
    const id = this.#nextPrekeyId;
    // Ids are unsigned 32-bit on the wire; 0xffffffff means "no one-time prekey".
    this.#nextPrekeyId = id >= 0xfffffffe ? 1 : id + 1;
    return id;
  }
}

function rotateOptions(options: RotatePrekeyOptions | RandomSource): { random: RandomSource; now: number } {
  if (typeof options === 'function') return { random: options, now: Date.now() };
  return { random: options.random ?? cryptoRandom, now: options.now ?? Date.now() };
}

function serializeSignedPrekey(key: SignedKey): SerializedSignedPrekey {
  return { id: key.id, secretKey: toBase64(key.keyPair.secretKey), signature: toBase64(key.signature) };
}

function serializePqPrekey(key: SignedKey): SerializedPqPrekey {
  return {
    id: key.id,
    secretKey: toBase64(key.keyPair.secretKey),
    publicKey: toBase64(key.keyPair.publicKey),
    signature: toBase64(key.signature),
  };
}

function restoreSignedPrekey(data: SerializedSignedPrekey): SignedKey {
  const secretKey = fromBase64(data.secretKey);
  return { id: data.id, keyPair: { secretKey, publicKey: x25519PublicKey(secretKey) }, signature: fromBase64(data.signature) };
}

function restorePqPrekey(data: SerializedPqPrekey): SignedKey {
  return {
    id: data.id,
    keyPair: { secretKey: fromBase64(data.secretKey), publicKey: fromBase64(data.publicKey) },
    signature: fromBase64(data.signature),
  };
}
