import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Nonces drawn per call into the system's CSPRNG. */
const NONCES_PER_DRAW = 256;

let noncePool = Buffer.alloc(0);
let noncePoolOffset = 0;

/**
 * A fresh random nonce. One call into the CSPRNG per message cost as much as the rest of sealing
 * it, so nonces are drawn 256 at a time and handed out in turn, each once; they are as random as
 * before, from the same source.
 */
function freshNonce(): Buffer {
  if (noncePoolOffset === noncePool.length) {
    noncePool = randomBytes(NONCE_BYTES * NONCES_PER_DRAW);
    noncePoolOffset = 0;
  }
  const nonce = noncePool.subarray(noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
  return nonce;
}

/**
 * AES-256-GCM with a random 96-bit nonce; the result is nonce ‖ ciphertext ‖ tag. `context` is
 * bound as associated data, so a sealed value moved to another row (another chat, another
 * message id) fails to open instead of showing the wrong text.
 */
export function seal(key: Uint8Array, plaintext: Uint8Array, context: string): Uint8Array {
  const nonce = freshNonce();
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** Opens what {@link seal} made with the same key and context; throws when either differs or the bytes were changed. */
export function open(key: Uint8Array, sealed: Uint8Array, context: string): Uint8Array {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new Error(`Cannot open sealed value: ${sealed.length} bytes is too short`);
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE_BYTES));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
}

/** Fresh random key material. */
export function randomKey(bytes = 32): Uint8Array {
  return randomBytes(bytes);
}
