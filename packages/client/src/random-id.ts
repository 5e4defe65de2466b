/** How many random bytes a generated `randomId` carries: 128 bits, as a UUID. */
export const RANDOM_ID_BYTES = 16;

/**
 * A fresh idempotency key for `messages.send`: 16 bytes from `crypto.getRandomValues` (global in
 * Node 20 and in browsers), as 32 lowercase hex characters.
 */
export function generateRandomId(): string {
  const bytes = new Uint8Array(RANDOM_ID_BYTES);
  globalThis.crypto.getRandomValues(bytes);
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
