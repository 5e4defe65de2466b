import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSha256, sha256Hex } from './sha256.ts';

const encode = (text: string) => new TextEncoder().encode(text);

// FIPS 180-2 / NIST CSRC example vectors for SHA-256.
const VECTORS: [string, string][] = [
  ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
];

test('[SDK30] sha256Hex matches the published SHA-256 vectors', async () => {
  for (const [input, digest] of VECTORS) assert.equal(await sha256Hex(encode(input)), digest, JSON.stringify(input));
});

test('[SDK30] the incremental hash of a file fed in any cuts equals the one-shot hash', async () => {
  const bytes = new Uint8Array(100_003).map((_, index) => (index * 31 + 7) & 0xff);
  const whole = await sha256Hex(bytes);
  for (const cut of [1, 63, 64, 65, 1024, 40_000]) {
    const hasher = createSha256();
    for (let offset = 0; offset < bytes.length; offset += cut) hasher.update(bytes.subarray(offset, offset + cut));
    assert.equal(hasher.digestHex(), whole, `cut ${cut}`);
  }
  // One million times "a" (NIST), fed in uneven pieces.
  const hasher = createSha256();
  const piece = encode('a'.repeat(999));
  for (let fed = 0; fed < 1_000_000; fed += 999) hasher.update(fed + 999 <= 1_000_000 ? piece : piece.subarray(0, 1_000_000 - fed));
  assert.equal(hasher.digestHex(), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
});

test('[SDK30] sha256Hex hashes only the bytes of a view, not its whole buffer', async () => {
  const buffer = encode('xxabcxx');
  assert.equal(await sha256Hex(buffer.subarray(2, 5)), VECTORS[1]?.[1]);
});
