/**
 * A device's long-term and prekey material (SPEC [E2E2]–[E2E4]): an Ed25519 identity key, a
 * signed X25519 prekey, a signed ML-KEM-768 prekey and a stock of one-time X25519 prekeys.
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

interface SerializedDeviceKeys {
  v: 1;
  identitySecret: string;
  signedPrekey: { id: number; secretKey: string; signature: string };
  pqPrekey: { id: number; secretKey: string; publicKey: string; signature: string };
  oneTimePrekeys: { id: number; secretKey: string }[];
  nextPrekeyId: number;
}

/** A device's private key state. Mutated when one-time prekeys are consumed or added. */
export class DeviceKeys {
  readonly #identitySecret: Uint8Array;
  readonly identityPublicKey: Uint8Array;
  #signedPrekey: SignedKey;
  #pqPrekey: SignedKey;
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
   * Replaces the signed X25519 prekey (rotation, X3DH §3.2 suggests weekly or monthly). The old
   * one is forgotten at once here; keeping it a while for late initial messages is left to callers.
   */
  rotateSignedPrekey(random: RandomSource = cryptoRandom): number {
    const keyPair = x25519KeyPair(random);
    const id = this.#allocateId();
    this.#signedPrekey = { id, keyPair, signature: ed25519Sign(this.#identitySecret, encodeX25519(keyPair.publicKey)) };
    return id;
  }

  /** Replaces the signed ML-KEM-768 prekey (last-resort PQ prekey of PQXDH §3.2). */
  rotatePqPrekey(random: RandomSource = cryptoRandom): number {
    const keyPair = mlKem768KeyPair(random);
    const id = this.#allocateId();
    this.#pqPrekey = { id, keyPair, signature: ed25519Sign(this.#identitySecret, encodeMlKem768(keyPair.publicKey)) };
    return id;
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

  /** The signed X25519 prekey pair with this id, if it is the current one. */
  signedPrekey(id: number): KeyPair | undefined {
    return this.#signedPrekey.id === id ? this.#signedPrekey.keyPair : undefined;
  }

  /** The ML-KEM-768 prekey pair with this id, if it is the current one. */
  pqPrekey(id: number): KeyPair | undefined {
    return this.#pqPrekey.id === id ? this.#pqPrekey.keyPair : undefined;
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
      v: 1,
      identitySecret: toBase64(this.#identitySecret),
      signedPrekey: {
        id: this.#signedPrekey.id,
        secretKey: toBase64(this.#signedPrekey.keyPair.secretKey),
        signature: toBase64(this.#signedPrekey.signature),
      },
      pqPrekey: {
        id: this.#pqPrekey.id,
        secretKey: toBase64(this.#pqPrekey.keyPair.secretKey),
        publicKey: toBase64(this.#pqPrekey.keyPair.publicKey),
        signature: toBase64(this.#pqPrekey.signature),
      },
      oneTimePrekeys: [...this.#oneTimePrekeys].map(([id, kp]) => ({ id, secretKey: toBase64(kp.secretKey) })),
      nextPrekeyId: this.#nextPrekeyId,
    };
    return JSON.stringify(data);
  }

  /** Restores {@link DeviceKeys.serialize} output; throws a `TypeError` naming the bad field. */
  static deserialize(json: string): DeviceKeys {
    const data = JSON.parse(json) as Partial<SerializedDeviceKeys>;
    if (data.v !== 1) throw new TypeError(`Cannot restore device keys: version is ${String(data.v)}, expected 1`);
    const need = <T>(value: T | undefined, name: string): T => {
      if (value === undefined || value === null) throw new TypeError(`Cannot restore device keys: ${name} is missing`);
      return value;
    };
    const spk = need(data.signedPrekey, 'signedPrekey');
    const pq = need(data.pqPrekey, 'pqPrekey');
    const spkSecret = fromBase64(spk.secretKey);
    const identitySecret = fromBase64(need(data.identitySecret, 'identitySecret'));
    const device = new DeviceKeys(
      identitySecret,
      { id: spk.id, keyPair: { secretKey: spkSecret, publicKey: x25519PublicKey(spkSecret) }, signature: fromBase64(spk.signature) },
      {
        id: pq.id,
        keyPair: { secretKey: fromBase64(pq.secretKey), publicKey: fromBase64(pq.publicKey) },
        signature: fromBase64(pq.signature),
      },
      need(data.nextPrekeyId, 'nextPrekeyId'),
    );
    for (const otk of need(data.oneTimePrekeys, 'oneTimePrekeys')) {
      const secretKey = fromBase64(otk.secretKey);
      device.#oneTimePrekeys.set(otk.id, { secretKey, publicKey: x25519PublicKey(secretKey) });
    }
    // A restored state whose signatures do not verify was corrupted or tampered with.
    if (!ed25519Verify(device.identityPublicKey, encodeX25519(device.#signedPrekey.keyPair.publicKey), device.#signedPrekey.signature)) {
      throw new TypeError('Cannot restore device keys: signed prekey signature does not verify');
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
