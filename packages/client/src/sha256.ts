import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/**
 * SHA-256 as the file transfer needs it: incremental for a whole file read part by part (WebCrypto
 * cannot hash in steps), and one-shot for each part, where the platform's native digest is used
 * when there is one, as it is several times faster than JavaScript and does not block the thread.
 */

/** An incremental SHA-256: feed the file in order, then read the hex digest once. */
export interface Sha256Hasher {
  update(bytes: Uint8Array): void;
  /** The lowercase hex digest of everything fed; the hasher cannot be used afterwards. */
  digestHex(): string;
}

/** Starts an incremental SHA-256 (pure JavaScript, `@noble/hashes`). */
export function createSha256(): Sha256Hasher {
  const hash = sha256.create();
  return {
    update: (bytes) => void hash.update(bytes),
    digestHex: () => bytesToHex(hash.digest()),
  };
}

/** The lowercase hex SHA-256 of `bytes`: WebCrypto when present (not in insecure browser contexts), else JavaScript. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (subtle === undefined) return bytesToHex(sha256(bytes));
  // `digest` takes a BufferSource; a view over a SharedArrayBuffer is not one, so such bytes are copied.
  const input = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  return bytesToHex(new Uint8Array(await subtle.digest('SHA-256', input)));
}
