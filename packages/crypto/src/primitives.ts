/**
 * Thin wrappers over the audited `@noble` libraries. Everything above this module speaks in
 * `Uint8Array`s and these few functions, so that a change of primitive (or of library version)
 * touches one file. No `node:*`, `Buffer` or `process`: this runs in browsers too.
 *
 * @module
 */
import { gcm } from '@noble/ciphers/aes.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { extract as hkdfExtract, hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';

/** A source of random bytes; tests pass a deterministic one to pin fixed vectors. */
export type RandomSource = (byteLength: number) => Uint8Array;

/** Random bytes from WebCrypto's `getRandomValues`, present in browsers and in Node 20. */
export const cryptoRandom: RandomSource = (byteLength) => {
  const out = new Uint8Array(byteLength);
  // getRandomValues refuses more than 65536 bytes per call, so fill in slices.
  for (let offset = 0; offset < byteLength; offset += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(byteLength, offset + 65536)));
  }
  return out;
};

/** A secret key with its public key. */
export interface KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

// ---------------------------------------------------------------- X25519 (RFC 7748)

/** Length of X25519 keys and shared secrets in bytes. */
export const X25519_KEY_BYTES = 32;

/** Makes an X25519 key pair from 32 random bytes (RFC 7748 §6.1; clamping happens inside). */
export function x25519KeyPair(random: RandomSource = cryptoRandom): KeyPair {
  const secretKey = random(X25519_KEY_BYTES);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/** The X25519 public key of a secret key. */
export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secretKey);
}

/**
 * X25519 Diffie-Hellman (RFC 7748 §5). Throws when the result is all zeros, i.e. when the peer
 * sent a low-order point: a contributory check the X3DH spec (§2.3, §4.2) asks for.
 */
export function x25519Dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return x25519.getSharedSecret(secretKey, publicKey);
}

// ---------------------------------------------------------------- Ed25519 (RFC 8032)

/** Length of an Ed25519 seed (secret key) and public key in bytes. */
export const ED25519_KEY_BYTES = 32;
/** Length of an Ed25519 signature in bytes. */
export const ED25519_SIGNATURE_BYTES = 64;

/** Makes an Ed25519 key pair from a 32-byte seed (RFC 8032 §5.1.5). */
export function ed25519KeyPair(random: RandomSource = cryptoRandom): KeyPair {
  const secretKey = random(ED25519_KEY_BYTES);
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

/** The Ed25519 public key of a 32-byte seed. */
export function ed25519PublicKey(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secretKey);
}

/** Signs `message` with Ed25519 (deterministic, RFC 8032 §5.1.6). */
export function ed25519Sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, secretKey);
}

/**
 * Verifies an Ed25519 signature with RFC 8032's strict rules (not ZIP-215's lenient ones), so
 * that a signature accepted here is accepted by every RFC-conforming peer. Never throws.
 */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    // Malformed points make noble throw; to a caller that is simply an invalid signature.
    return false;
  }
}

/**
 * The X25519 public key of an Ed25519 identity (birational map Edwards→Montgomery, as
 * libsodium's `crypto_sign_ed25519_pk_to_curve25519`). Throws on an invalid Ed25519 point.
 */
export function ed25519PublicToX25519(publicKey: Uint8Array): Uint8Array {
  return ed25519.utils.toMontgomery(publicKey);
}

/** The X25519 secret scalar of an Ed25519 seed (libsodium's `crypto_sign_ed25519_sk_to_curve25519`). */
export function ed25519SecretToX25519(secretKey: Uint8Array): Uint8Array {
  return ed25519.utils.toMontgomerySecret(secretKey);
}

// ---------------------------------------------------------------- hashes, HMAC, HKDF

/** SHA-256 (FIPS 180-4). */
export function sha256Hash(data: Uint8Array): Uint8Array {
  return sha256(data);
}

/** SHA-512 (FIPS 180-4). */
export function sha512Hash(data: Uint8Array): Uint8Array {
  return sha512(data);
}

/** HMAC-SHA-256 (RFC 2104). */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(sha256, key, data);
}

/**
 * HKDF-SHA-256 (RFC 5869) extract-then-expand. An empty or absent salt means 32 zero bytes,
 * as the RFC says.
 */
export function hkdfSha256(
  ikm: Uint8Array,
  options: { salt?: Uint8Array; info?: Uint8Array; length: number },
): Uint8Array {
  return hkdf(sha256, ikm, options.salt, options.info, options.length);
}

/** HKDF-Extract with SHA-256 alone (RFC 5869 §2.2); exposed so tests can check the PRK. */
export function hkdfSha256Extract(ikm: Uint8Array, salt?: Uint8Array): Uint8Array {
  return hkdfExtract(sha256, ikm, salt);
}

// ---------------------------------------------------------------- AEAD (AES-256-GCM)

/** AES-256 key length in bytes. */
export const AEAD_KEY_BYTES = 32;
/** GCM nonce length in bytes (96 bits, NIST SP 800-38D's recommended size). */
export const AEAD_NONCE_BYTES = 12;
/** GCM tag length in bytes. */
export const AEAD_TAG_BYTES = 16;

/**
 * AES-256-GCM encryption with an explicit nonce. The caller must never reuse a (key, nonce)
 * pair; the ratchet guarantees it by deriving a fresh key for every message.
 */
export function aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad?: Uint8Array): Uint8Array {
  return gcm(key, nonce, ad).encrypt(plaintext);
}

/** AES-256-GCM decryption; returns `undefined` when the tag does not verify (never throws for that). */
export function aeadOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  ad?: Uint8Array,
): Uint8Array | undefined {
  if (ciphertext.length < AEAD_TAG_BYTES) return undefined;
  try {
    return gcm(key, nonce, ad).decrypt(ciphertext);
  } catch {
    return undefined;
  }
}

/**
 * AES-256-GCM with a random 96-bit nonce, output `nonce ‖ ciphertext ‖ tag`. For keys used more
 * than once (e.g. local storage); random 96-bit nonces are safe for up to about 2^32 messages a key.
 */
export function aeadEncrypt(
  key: Uint8Array,
  plaintext: Uint8Array,
  options: { ad?: Uint8Array; random?: RandomSource } = {},
): Uint8Array {
  const nonce = (options.random ?? cryptoRandom)(AEAD_NONCE_BYTES);
  return concatBytes(nonce, aeadSeal(key, nonce, plaintext, options.ad));
}

/** Opens the output of {@link aeadEncrypt}; `undefined` when it was tampered with or the key is wrong. */
export function aeadDecrypt(key: Uint8Array, sealed: Uint8Array, ad?: Uint8Array): Uint8Array | undefined {
  if (sealed.length < AEAD_NONCE_BYTES + AEAD_TAG_BYTES) return undefined;
  return aeadOpen(key, sealed.subarray(0, AEAD_NONCE_BYTES), sealed.subarray(AEAD_NONCE_BYTES), ad);
}

// ---------------------------------------------------------------- ML-KEM-768 (FIPS 203)

/** ML-KEM-768 encapsulation (public) key length in bytes. */
export const MLKEM768_PUBLIC_KEY_BYTES = 1184;
/** ML-KEM-768 ciphertext length in bytes. */
export const MLKEM768_CIPHERTEXT_BYTES = 1088;

/** Makes an ML-KEM-768 key pair from a 64-byte seed `d ‖ z` (FIPS 203 Algorithm 19). */
export function mlKem768KeyPair(random: RandomSource = cryptoRandom): KeyPair {
  const { secretKey, publicKey } = ml_kem768.keygen(random(64));
  return { secretKey, publicKey };
}

/**
 * Encapsulates a fresh shared secret to `publicKey` (FIPS 203 Algorithm 20, which also checks the
 * key's encoding). `random` supplies the 32-byte message `m`.
 */
export function mlKem768Encapsulate(
  publicKey: Uint8Array,
  random: RandomSource = cryptoRandom,
): { ciphertext: Uint8Array; sharedSecret: Uint8Array } {
  const { cipherText, sharedSecret } = ml_kem768.encapsulate(publicKey, random(32));
  return { ciphertext: cipherText, sharedSecret };
}

/**
 * Decapsulates (FIPS 203 Algorithm 21). A wrong ciphertext yields an unrelated pseudo-random
 * secret (implicit rejection), never an error, so the failure shows up as an AEAD failure later.
 */
export function mlKem768Decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return ml_kem768.decapsulate(ciphertext, secretKey);
}

// ---------------------------------------------------------------- bytes

/** Concatenates byte arrays into a new one. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Constant-time equality of two byte arrays (the length is not secret). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Standard base64 (RFC 4648 §4) of bytes, via `btoa`, present in browsers and Node. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunked so that String.fromCharCode never gets more arguments than the engine allows.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Decodes standard base64; throws a `TypeError` naming the problem when the text is not base64. */
export function fromBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new TypeError(`Cannot decode base64: text of ${text.length} characters is not canonical base64`);
  }
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** UTF-8 encoding of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Lower-case hex of bytes (for tests and fingerprints; never log keys). */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Bytes of a hex string; throws on odd length or non-hex characters. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new TypeError(`Cannot decode hex: text of ${hex.length} characters is not hex`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
