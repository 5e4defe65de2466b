/**
 * Encryption of secret-chat attachments (SPEC [E2E21]): the STREAM construction of Hoang,
 * Reyhanitabar, Rogaway and Vizár ("Online Authenticated-Encryption and its Nonce-Reuse
 * Misuse-Resistance", CRYPTO 2015, §7) over AES-256-GCM.
 *
 * A file is encrypted under a fresh random 32-byte key that travels inside an end-to-end message.
 * The plaintext is cut into {@link FILE_CHUNK_BYTES} chunks; chunk `i` is sealed on its own with
 * the nonce `0⁵⁶ ‖ u32be(i) ‖ final`, so any chunk can be encrypted or decrypted without the others
 * (uploads and downloads by offset, resumable, in constant memory), while a reordered, dropped,
 * duplicated or truncated chunk fails its tag. The ciphertext of a chunk is `ciphertext ‖ tag`, so
 * the encrypted file is exactly {@link FILE_CHUNK_OVERHEAD} bytes a chunk longer than the plaintext.
 *
 * @module
 */
import {
  AEAD_KEY_BYTES,
  AEAD_NONCE_BYTES,
  AEAD_TAG_BYTES,
  aeadOpen,
  aeadSeal,
  concatBytes,
  cryptoRandom,
  type RandomSource,
} from './primitives.ts';

/** Plaintext bytes per chunk; every chunk but the last is exactly this long. */
export const FILE_CHUNK_BYTES = 65536;
/** Bytes each chunk grows by when encrypted: the GCM tag. */
export const FILE_CHUNK_OVERHEAD = AEAD_TAG_BYTES;
/** Length of a file key (AES-256). */
export const FILE_KEY_BYTES = AEAD_KEY_BYTES;
/** Length of a full encrypted chunk. */
export const FILE_ENCRYPTED_CHUNK_BYTES = FILE_CHUNK_BYTES + FILE_CHUNK_OVERHEAD;
/**
 * Largest number of chunks in a file: the chunk index is a u32 in the nonce, and a counter that
 * wrapped would reuse a nonce.
 */
export const FILE_MAX_CHUNKS = 2 ** 32;
/** Largest plaintext size in bytes (2^48, 256 TiB; a safe integer, like every size here). */
export const FILE_MAX_PLAIN_BYTES = FILE_MAX_CHUNKS * FILE_CHUNK_BYTES;

/** Why a file-cipher operation was refused. */
export type FileCipherErrorCode =
  /** A chunk's tag did not verify: tampered, reordered, truncated, wrong key or wrong position. */
  | 'DECRYPT_FAILED'
  /** A size no encrypted file can have, or a plaintext larger than {@link FILE_MAX_PLAIN_BYTES}. */
  | 'BAD_SIZE'
  /** An offset/length window that is not inside the file. */
  | 'BAD_RANGE'
  /** A chunk index out of range, or a plaintext chunk whose length does not fit its position. */
  | 'BAD_CHUNK'
  /** A key that is not {@link FILE_KEY_BYTES} long. */
  | 'BAD_KEY'
  /** The `readPlain` callback returned a different number of bytes than asked for. */
  | 'BAD_READ'
  /** The ciphertext stream ended before the announced encrypted size. */
  | 'TRUNCATED'
  /** More ciphertext arrived than the announced encrypted size. */
  | 'TOO_LONG';

/** A file encryption or decryption failure. */
export class FileCipherError extends Error {
  override readonly name = 'FileCipherError';
  constructor(
    readonly code: FileCipherErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A fresh random file key. Never reuse one for a second file: the nonces restart at chunk 0. */
export function generateFileKey(random: RandomSource = cryptoRandom): Uint8Array {
  return random(FILE_KEY_BYTES);
}

/** Number of chunks of a plaintext of `plainSize` bytes; an empty file is one empty final chunk. */
export function fileChunkCount(plainSize: number): number {
  checkPlainSize(plainSize);
  return plainSize === 0 ? 1 : Math.ceil(plainSize / FILE_CHUNK_BYTES);
}

/** Size of the encrypted file for a plaintext of `plainSize` bytes. */
export function encryptedFileSize(plainSize: number): number {
  return plainSize + fileChunkCount(plainSize) * FILE_CHUNK_OVERHEAD;
}

/**
 * Size of the plaintext of an encrypted file of `encryptedSize` bytes.
 * @throws {FileCipherError} `BAD_SIZE` when no plaintext encrypts to that size (e.g. fewer than 16
 *   bytes, or a last chunk of 1–16 bytes after full chunks).
 */
export function plainFileSize(encryptedSize: number): number {
  if (!Number.isSafeInteger(encryptedSize) || encryptedSize < FILE_CHUNK_OVERHEAD) {
    throw new FileCipherError('BAD_SIZE', `Cannot decrypt file: ${encryptedSize} is not a possible encrypted size`);
  }
  const fullChunks = Math.floor(encryptedSize / FILE_ENCRYPTED_CHUNK_BYTES);
  const rest = encryptedSize % FILE_ENCRYPTED_CHUNK_BYTES;
  let plainSize: number;
  if (rest === 0) {
    plainSize = fullChunks * FILE_CHUNK_BYTES;
  } else if (rest < FILE_CHUNK_OVERHEAD || (rest === FILE_CHUNK_OVERHEAD && fullChunks > 0)) {
    // A last chunk shorter than a tag cannot exist, and an empty last chunk only exists when it is
    // the only one (the empty file): a file of exactly n full chunks ends with a full final chunk.
    throw new FileCipherError('BAD_SIZE', `Cannot decrypt file: ${encryptedSize} is not a possible encrypted size`);
  } else {
    plainSize = fullChunks * FILE_CHUNK_BYTES + rest - FILE_CHUNK_OVERHEAD;
  }
  if (plainSize > FILE_MAX_PLAIN_BYTES) {
    throw new FileCipherError('BAD_SIZE', `Cannot decrypt file: ${encryptedSize} bytes is more than the largest encrypted file`);
  }
  return plainSize;
}

/**
 * The STREAM nonce of chunk `index`: 7 zero bytes ‖ u32 big-endian index ‖ 1 if final else 0.
 * Exported for tests and other implementations; callers do not need it.
 */
export function fileChunkNonce(index: number, isFinal: boolean): Uint8Array {
  checkIndex(index);
  const nonce = new Uint8Array(AEAD_NONCE_BYTES);
  new DataView(nonce.buffer).setUint32(7, index, false);
  nonce[11] = isFinal ? 1 : 0;
  return nonce;
}

/**
 * Encrypts chunk `index` of a file. A non-final chunk must be exactly {@link FILE_CHUNK_BYTES}
 * long; the final one at most that, and empty only as chunk 0 (the empty file).
 * @returns `ciphertext ‖ tag`, {@link FILE_CHUNK_OVERHEAD} bytes longer than `plaintext`.
 */
export function encryptFileChunk(key: Uint8Array, index: number, isFinal: boolean, plaintext: Uint8Array): Uint8Array {
  checkKey(key);
  // Only the empty file has an empty chunk; elsewhere it would make two encodings of one size.
  const fits = isFinal
    ? plaintext.length <= FILE_CHUNK_BYTES && (plaintext.length > 0 || index === 0)
    : plaintext.length === FILE_CHUNK_BYTES;
  if (!fits) {
    throw new FileCipherError(
      'BAD_CHUNK',
      `Cannot encrypt file chunk ${index}: ${plaintext.length} bytes for a ${isFinal ? 'final' : 'non-final'} chunk`,
    );
  }
  return aeadSeal(key, fileChunkNonce(index, isFinal), plaintext);
}

/**
 * Decrypts chunk `index` of a file.
 * @throws {FileCipherError} `DECRYPT_FAILED` when the tag does not verify: the chunk was modified,
 *   comes from another position or file, or its final flag differs (a non-final chunk presented as
 *   the last one, i.e. a truncated file, or the other way round).
 */
export function decryptFileChunk(key: Uint8Array, index: number, isFinal: boolean, chunk: Uint8Array): Uint8Array {
  checkKey(key);
  const nonce = fileChunkNonce(index, isFinal);
  // Non-final chunks are full by construction; refusing other lengths keeps chunk boundaries fixed.
  const lengthOk = isFinal
    ? chunk.length <= FILE_ENCRYPTED_CHUNK_BYTES && (chunk.length > FILE_CHUNK_OVERHEAD || index === 0)
    : chunk.length === FILE_ENCRYPTED_CHUNK_BYTES;
  const plaintext = lengthOk ? aeadOpen(key, nonce, chunk) : undefined;
  if (plaintext === undefined) {
    throw new FileCipherError('DECRYPT_FAILED', `Cannot decrypt file chunk ${index}: authentication failed`);
  }
  return plaintext;
}

/**
 * Returns exactly the bytes `[offset, offset + length)` of the encrypted file of a plaintext of
 * `plainSize` bytes, reading (through `readPlain`) and encrypting only the chunks that overlap that
 * window. The result is deterministic, so a retried upload of a part sends the same bytes.
 *
 * @param readPlain returns exactly `length` plaintext bytes from `offset`; called once per call
 *   with the span of the overlapping chunks (never for an empty file).
 * @throws {FileCipherError} `BAD_RANGE` for a window outside the encrypted file, `BAD_READ` when
 *   `readPlain` returns a wrong length.
 */
export async function encryptedRange(
  plainSize: number,
  readPlain: (offset: number, length: number) => Promise<Uint8Array>,
  key: Uint8Array,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  checkKey(key);
  const total = encryptedFileSize(plainSize);
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > total) {
    throw new FileCipherError('BAD_RANGE', `Cannot encrypt range: [${offset}, ${offset}+${length}) is not inside ${total} bytes`);
  }
  const out = new Uint8Array(length);
  if (length === 0) return out;
  const chunks = fileChunkCount(plainSize);
  const first = Math.floor(offset / FILE_ENCRYPTED_CHUNK_BYTES);
  const last = Math.floor((offset + length - 1) / FILE_ENCRYPTED_CHUNK_BYTES);
  // One read for the whole span keeps I/O simple; the span is at most one chunk per side wider
  // than the window the caller asked for.
  const plainStart = first * FILE_CHUNK_BYTES;
  const plainEnd = Math.min(plainSize, (last + 1) * FILE_CHUNK_BYTES);
  const span = plainEnd > plainStart ? await readPlain(plainStart, plainEnd - plainStart) : new Uint8Array(0);
  if (span.length !== plainEnd - plainStart) {
    throw new FileCipherError('BAD_READ', `Cannot encrypt range: read ${span.length} bytes at ${plainStart}, expected ${plainEnd - plainStart}`);
  }
  for (let i = first; i <= last; i++) {
    const from = (i - first) * FILE_CHUNK_BYTES;
    const sealed = encryptFileChunk(key, i, i === chunks - 1, span.subarray(from, Math.min(span.length, from + FILE_CHUNK_BYTES)));
    const chunkStart = i * FILE_ENCRYPTED_CHUNK_BYTES;
    const lo = Math.max(offset, chunkStart);
    const hi = Math.min(offset + length, chunkStart + sealed.length);
    out.set(sealed.subarray(lo - chunkStart, hi - chunkStart), lo - offset);
  }
  return out;
}

/** Encrypts a whole in-memory file (small attachments, tests); large files use {@link encryptedRange}. */
export function encryptFile(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
  checkKey(key);
  const chunks = fileChunkCount(plaintext.length);
  const out = new Uint8Array(encryptedFileSize(plaintext.length));
  for (let i = 0; i < chunks; i++) {
    const piece = plaintext.subarray(i * FILE_CHUNK_BYTES, Math.min(plaintext.length, (i + 1) * FILE_CHUNK_BYTES));
    out.set(encryptFileChunk(key, i, i === chunks - 1, piece), i * FILE_ENCRYPTED_CHUNK_BYTES);
  }
  return out;
}

/** Decrypts a whole in-memory encrypted file; throws {@link FileCipherError} like {@link FileDecryptor}. */
export function decryptFile(key: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const decryptor = new FileDecryptor(key, ciphertext.length);
  const plaintext = decryptor.push(ciphertext);
  decryptor.finish();
  return plaintext;
}

/**
 * Incremental decryption of a downloaded file: feed the ciphertext in order, in pieces of any
 * size, and write out what each call returns. Each chunk is authenticated before its plaintext is
 * returned, but only {@link FileDecryptor.finish} proves that nothing was cut off the end: keep
 * the output provisional (e.g. a temporary file) until it returns. After any error the decryptor
 * refuses further input.
 */
export class FileDecryptor {
  readonly #key: Uint8Array;
  /** Size of the encrypted file announced by the sender (inside the end-to-end message). */
  readonly encryptedSize: number;
  /** Size of the plaintext this file decrypts to. */
  readonly plainSize: number;
  readonly #chunks: number;
  readonly #buffer = new Uint8Array(FILE_ENCRYPTED_CHUNK_BYTES);
  #buffered = 0;
  #index = 0;
  #received = 0;
  #failure: FileCipherError | undefined;

  /** @throws {FileCipherError} `BAD_KEY`, or `BAD_SIZE` for an impossible encrypted size. */
  constructor(key: Uint8Array, encryptedSize: number) {
    checkKey(key);
    this.plainSize = plainFileSize(encryptedSize);
    this.encryptedSize = encryptedSize;
    this.#chunks = fileChunkCount(this.plainSize);
    this.#key = key.slice();
  }

  /** Ciphertext bytes accepted so far. */
  get receivedBytes(): number {
    return this.#received;
  }

  /**
   * Accepts the next ciphertext bytes and returns the plaintext of every chunk they completed
   * (possibly empty).
   * @throws {FileCipherError} `DECRYPT_FAILED` for a chunk that does not authenticate, `TOO_LONG`
   *   when more than {@link FileDecryptor.encryptedSize} bytes arrive.
   */
  push(bytes: Uint8Array): Uint8Array {
    this.#throwIfFailed();
    if (this.#received + bytes.length > this.encryptedSize) {
      this.#fail(new FileCipherError('TOO_LONG', `Cannot decrypt file: more than the announced ${this.encryptedSize} bytes`));
    }
    const pieces: Uint8Array[] = [];
    let at = 0;
    while (at < bytes.length) {
      const want = this.#chunkLength(this.#index) - this.#buffered;
      const take = Math.min(want, bytes.length - at);
      this.#buffer.set(bytes.subarray(at, at + take), this.#buffered);
      this.#buffered += take;
      this.#received += take;
      at += take;
      if (take === want) pieces.push(this.#openBufferedChunk());
    }
    // The common case (at most one chunk per push) needs no copy.
    return pieces.length === 1 ? pieces[0]! : concatBytes(...pieces);
  }

  /**
   * Ends the stream. Returns the remaining plaintext (always empty: {@link FileDecryptor.push}
   * returns each chunk as soon as it is complete), so callers can treat it like a final flush.
   * @throws {FileCipherError} `TRUNCATED` when fewer than {@link FileDecryptor.encryptedSize} bytes arrived.
   */
  finish(): Uint8Array {
    this.#throwIfFailed();
    if (this.#received !== this.encryptedSize) {
      this.#fail(new FileCipherError('TRUNCATED', `Cannot decrypt file: got ${this.#received} of ${this.encryptedSize} bytes`));
    }
    return new Uint8Array(0);
  }

  #chunkLength(index: number): number {
    if (index < this.#chunks - 1) return FILE_ENCRYPTED_CHUNK_BYTES;
    return this.encryptedSize - (this.#chunks - 1) * FILE_ENCRYPTED_CHUNK_BYTES;
  }

  #openBufferedChunk(): Uint8Array {
    const index = this.#index;
    try {
      const plaintext = decryptFileChunk(this.#key, index, index === this.#chunks - 1, this.#buffer.subarray(0, this.#buffered));
      this.#index++;
      this.#buffered = 0;
      return plaintext;
    } catch (e) {
      return this.#fail(e as FileCipherError);
    }
  }

  #fail(error: FileCipherError): never {
    this.#failure = error;
    throw error;
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure;
  }
}

function checkKey(key: Uint8Array): void {
  if (key.length !== FILE_KEY_BYTES) {
    throw new FileCipherError('BAD_KEY', `File key must be ${FILE_KEY_BYTES} bytes, got ${key.length}`);
  }
}

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= FILE_MAX_CHUNKS) {
    throw new FileCipherError('BAD_CHUNK', `File chunk index ${index} is not a u32`);
  }
}

function checkPlainSize(plainSize: number): void {
  if (!Number.isSafeInteger(plainSize) || plainSize < 0 || plainSize > FILE_MAX_PLAIN_BYTES) {
    throw new FileCipherError('BAD_SIZE', `File size ${plainSize} is not between 0 and ${FILE_MAX_PLAIN_BYTES}`);
  }
}
