import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM with a random 96-bit nonce; the result is nonce ‖ ciphertext ‖ tag. `context` is
 * bound as associated data, so a sealed value moved to another row (another chat, another
 * message id) fails to open instead of showing the wrong text.
 */
export function seal(key: Uint8Array, plaintext: Uint8Array, context: string): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
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
