import { gcm } from '@noble/ciphers/aes.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decryptFile,
  decryptFileChunk,
  encryptedFileSize,
  encryptedRange,
  encryptFile,
  encryptFileChunk,
  FILE_CHUNK_BYTES,
  FILE_CHUNK_OVERHEAD,
  FILE_ENCRYPTED_CHUNK_BYTES,
  FileCipherError,
  FileDecryptor,
  fileChunkCount,
  generateFileKey,
  plainFileSize,
} from './file-cipher.ts';
import { concatBytes, fromHex, sha256Hash, toHex } from './primitives.ts';

const C = FILE_CHUNK_BYTES;
const E = FILE_ENCRYPTED_CHUNK_BYTES;

/** Plaintext whose bytes differ from chunk to chunk, so a swapped chunk cannot go unnoticed. */
function plaintextOf(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + (i >>> 16)) & 0xff);
}

/** `readPlain` over an in-memory plaintext that records what was read. */
function reader(plain: Uint8Array, reads: [number, number][] = []) {
  return async (offset: number, length: number) => {
    reads.push([offset, length]);
    return plain.slice(offset, offset + length);
  };
}

/** Deterministic pseudo-random integers for window tests (xorshift32). */
function prng(seed: number) {
  let x = seed >>> 0 || 1;
  return (below: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % below;
  };
}

function assertFileError(fn: () => unknown, code: FileCipherError['code']) {
  assert.throws(fn, (e: unknown) => e instanceof FileCipherError && e.code === code);
}

async function assertFileErrorAsync(fn: () => Promise<unknown>, code: FileCipherError['code']) {
  await assert.rejects(fn, (e: unknown) => e instanceof FileCipherError && e.code === code);
}

const SIZES = [0, 1, C - 1, C, C + 1, 3 * C + 5];

test('[E2E21] files of 0, 1, 65535, 65536, 65537 and 3·65536+5 bytes round-trip with the expected sizes', () => {
  const key = generateFileKey();
  assert.equal(key.length, 32);
  for (const size of SIZES) {
    const plain = plaintextOf(size);
    const sealed = encryptFile(key, plain);
    const chunks = size === 0 ? 1 : Math.ceil(size / C);
    assert.equal(fileChunkCount(size), chunks, `chunks of ${size}`);
    assert.equal(sealed.length, size + chunks * FILE_CHUNK_OVERHEAD, `encrypted size of ${size}`);
    assert.equal(encryptedFileSize(size), sealed.length);
    assert.equal(plainFileSize(sealed.length), size);
    assert.deepEqual(decryptFile(key, sealed), plain, `round trip of ${size}`);
  }
});

test('[E2E21] plainFileSize refuses sizes no file encrypts to', () => {
  for (const bad of [-1, 0, 15, E + 1, E + 15, E + 16, 2 * E + 16, 1.5, Number.NaN]) {
    assertFileError(() => plainFileSize(bad), 'BAD_SIZE');
  }
  assert.equal(plainFileSize(16), 0);
  assert.equal(plainFileSize(E), C);
  assert.equal(plainFileSize(E + 17), C + 1);
  assertFileError(() => encryptedFileSize(-1), 'BAD_SIZE');
  assertFileError(() => encryptedFileSize(2 ** 48 + 1), 'BAD_SIZE');
});

test('[E2E21] encryptedRange returns exactly the slice of the whole encryption for random windows', async () => {
  const key = generateFileKey();
  const random = prng(0x5a17);
  for (const size of SIZES) {
    const plain = plaintextOf(size);
    const whole = encryptFile(key, plain);
    const windows: [number, number][] = [
      [0, whole.length],
      [0, 0],
      [whole.length, 0],
      [whole.length - 1, 1],
      [0, Math.min(E, whole.length)],
    ];
    if (whole.length > E) windows.push([E - 3, 7], [E, whole.length - E], [C, 2 * FILE_CHUNK_OVERHEAD]);
    for (let i = 0; i < 40; i++) {
      const offset = random(whole.length + 1);
      windows.push([offset, random(whole.length - offset + 1)]);
    }
    for (const [offset, length] of windows) {
      const reads: [number, number][] = [];
      const part = await encryptedRange(size, reader(plain, reads), key, offset, length);
      assert.deepEqual(part, whole.subarray(offset, offset + length), `size ${size}, window [${offset}, +${length})`);
      // Only the chunks overlapping the window are read.
      const first = Math.floor(offset / E);
      const last = Math.floor((offset + length - 1) / E);
      for (const [readOffset, readLength] of reads) {
        assert.ok(length > 0 && readOffset >= first * C && readOffset + readLength <= (last + 1) * C, `read [${readOffset}, +${readLength})`);
      }
    }
  }
});

test('[E2E21] encryptedRange is deterministic, refuses windows outside the file and short reads', async () => {
  const key = generateFileKey();
  const plain = plaintextOf(3 * C + 100);
  const once = await encryptedRange(plain.length, reader(plain), key, 1000, 2 * C);
  assert.deepEqual(await encryptedRange(plain.length, reader(plain), key, 1000, 2 * C), once);
  assert.deepEqual(await encryptedRange(plain.length, reader(plain), key, 1000, C + 67), once.subarray(0, C + 67));
  const total = encryptedFileSize(plain.length);
  for (const [offset, length] of [[-1, 2], [0, total + 1], [total, 1], [1.5, 2]] as const) {
    await assertFileErrorAsync(() => encryptedRange(plain.length, reader(plain), key, offset, length), 'BAD_RANGE');
  }
  await assertFileErrorAsync(() => encryptedRange(plain.length, async () => new Uint8Array(10), key, 0, 100), 'BAD_READ');
});

test('[E2E21] a flipped bit, swapped chunks, a dropped last chunk or a non-final chunk presented as final fail', () => {
  const key = generateFileKey();
  const plain = plaintextOf(3 * C + 5);
  const sealed = encryptFile(key, plain);
  const chunk = (i: number) => sealed.subarray(i * E, Math.min(sealed.length, (i + 1) * E));

  // One flipped bit anywhere in a chunk (ciphertext or tag).
  for (const at of [0, 1234, E - 1, 2 * E + 7, sealed.length - 1]) {
    const tampered = sealed.slice();
    tampered[at]! ^= 0x01;
    assertFileError(() => decryptFile(key, tampered), 'DECRYPT_FAILED');
  }
  // Two chunks swapped: each authenticates only at its own index.
  const swapped = concatBytes(chunk(1), chunk(0), chunk(2), chunk(3));
  assertFileError(() => decryptFile(key, swapped), 'DECRYPT_FAILED');
  assertFileError(() => decryptFileChunk(key, 0, false, chunk(1)), 'DECRYPT_FAILED');
  // The last chunk dropped: the file now ends with a chunk sealed as non-final.
  const dropped = sealed.subarray(0, 3 * E);
  assertFileError(() => decryptFile(key, dropped), 'DECRYPT_FAILED');
  // ... and with the announced size the stream is seen to be cut short.
  const decryptor = new FileDecryptor(key, sealed.length);
  decryptor.push(dropped);
  assertFileError(() => decryptor.finish(), 'TRUNCATED');
  // A non-final chunk presented as final, and the final chunk presented as non-final.
  assertFileError(() => decryptFileChunk(key, 0, true, chunk(0)), 'DECRYPT_FAILED');
  assertFileError(() => decryptFileChunk(key, 3, false, chunk(3)), 'DECRYPT_FAILED');
  // A wrong key, a too-short chunk.
  assertFileError(() => decryptFile(generateFileKey(), sealed), 'DECRYPT_FAILED');
  assertFileError(() => decryptFileChunk(key, 3, true, chunk(3).subarray(0, 15)), 'DECRYPT_FAILED');
  // The chunks themselves still open at their right positions.
  assert.deepEqual(decryptFileChunk(key, 1, false, chunk(1)), plain.subarray(C, 2 * C));
  assert.deepEqual(decryptFileChunk(key, 3, true, chunk(3)), plain.subarray(3 * C));
});

test('[E2E21] FileDecryptor fed 1-byte, 7-byte and 100000-byte pieces gives the plaintext', () => {
  const key = generateFileKey();
  for (const size of [0, 5, C, 3 * C + 5]) {
    const plain = plaintextOf(size);
    const sealed = encryptFile(key, plain);
    // 1-byte pieces are slow in bulk; they are exercised on the small files and across one boundary.
    const pieceSizes = size <= C ? [1, 7, 100000] : [7, 100000, 65551, 65553];
    for (const piece of pieceSizes) {
      const decryptor = new FileDecryptor(key, sealed.length);
      assert.equal(decryptor.plainSize, size);
      const out: Uint8Array[] = [];
      for (let at = 0; at < sealed.length; at += piece) out.push(decryptor.push(sealed.subarray(at, at + piece)));
      out.push(decryptor.finish());
      assert.deepEqual(concatBytes(...out), plain, `size ${size} in ${piece}-byte pieces`);
    }
  }
  // Single bytes across the first chunk boundary of a larger file.
  const plain = plaintextOf(C + 10);
  const sealed = encryptFile(key, plain);
  const decryptor = new FileDecryptor(key, sealed.length);
  assert.deepEqual(decryptor.push(sealed.subarray(0, E - 3)), new Uint8Array(0));
  const out: Uint8Array[] = [];
  for (let at = E - 3; at < sealed.length; at++) out.push(decryptor.push(sealed.subarray(at, at + 1)));
  assert.deepEqual(concatBytes(...out, decryptor.finish()), plain);
});

test('[E2E21] FileDecryptor refuses extra bytes, an impossible size and any input after a failure', () => {
  const key = generateFileKey();
  const sealed = encryptFile(key, plaintextOf(100));
  const decryptor = new FileDecryptor(key, sealed.length);
  assertFileError(() => decryptor.push(concatBytes(sealed, Uint8Array.of(0))), 'TOO_LONG');
  assertFileError(() => decryptor.push(sealed), 'TOO_LONG');
  assertFileError(() => new FileDecryptor(key, E + 5), 'BAD_SIZE');
  assertFileError(() => new FileDecryptor(new Uint8Array(16), sealed.length), 'BAD_KEY');
  const tampered = sealed.slice();
  tampered[3]! ^= 0x80;
  const failed = new FileDecryptor(key, sealed.length);
  assertFileError(() => failed.push(tampered), 'DECRYPT_FAILED');
  assertFileError(() => failed.finish(), 'DECRYPT_FAILED');
  // An empty file still carries a tag: nothing at all is a truncation, not an empty file.
  const empty = new FileDecryptor(key, encryptedFileSize(0));
  assertFileError(() => empty.finish(), 'TRUNCATED');
});

test('[E2E21] chunk lengths must fit their position', () => {
  const key = generateFileKey();
  assertFileError(() => encryptFileChunk(key, 0, false, new Uint8Array(C - 1)), 'BAD_CHUNK');
  assertFileError(() => encryptFileChunk(key, 0, true, new Uint8Array(C + 1)), 'BAD_CHUNK');
  assertFileError(() => encryptFileChunk(key, 2, true, new Uint8Array(0)), 'BAD_CHUNK');
  assertFileError(() => encryptFileChunk(key, 2 ** 32, true, new Uint8Array(1)), 'BAD_CHUNK');
  assertFileError(() => encryptFileChunk(new Uint8Array(31), 0, true, new Uint8Array(1)), 'BAD_KEY');
  assert.equal(encryptFileChunk(key, 0, true, new Uint8Array(0)).length, FILE_CHUNK_OVERHEAD);
});

test('[E2E21] fixed key and plaintext give a fixed encryption (pinned vector, checked against plain AES-256-GCM)', () => {
  const key = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
  const plain = Uint8Array.from({ length: C + 10 }, (_, i) => i & 0xff);
  const sealed = encryptFile(key, plain);
  assert.equal(sealed.length, C + 10 + 2 * 16);
  // Independent route: each chunk is plain AES-256-GCM under the nonces written out by hand.
  const first = gcm(key, fromHex('000000000000000000000000')).encrypt(plain.subarray(0, C));
  const last = gcm(key, fromHex('000000000000000000000101')).encrypt(plain.subarray(C));
  assert.deepEqual(sealed, concatBytes(first, last));
  // Pinned once from that independent route.
  assert.equal(toHex(sealed.subarray(E)), '680c8275cebfbce90573af8ea3fb5f3d64040ba299213738aa19');
  assert.equal(toHex(sha256Hash(sealed)), 'a9fff3471aee7036289e8d1449c85027cb97951c44f85e320a7035bb7916a5b3');
  // The empty file is the tag of an empty final chunk 0 (nonce ends in 01).
  assert.equal(toHex(encryptFile(key, new Uint8Array(0))), '367ef8288831557408e102950a16e26a');
  assert.equal(toHex(gcm(key, fromHex('000000000000000000000001')).encrypt(new Uint8Array(0))), '367ef8288831557408e102950a16e26a');
});
