import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesInParts, isValidPartSize, partCountOf, planParts, planRanges } from './file-parts.ts';

test('[SDK30] part sizes are powers of two from 1 KiB to 512 KiB', () => {
  for (let size = 1024; size <= 512 * 1024; size *= 2) assert.equal(isValidPartSize(size), true, String(size));
  for (const size of [0, 512, 1000, 1536, 3 * 1024, 1024 * 1024, -1024, 1024.5, Number.NaN]) assert.equal(isValidPartSize(size), false, String(size));
});

test('[SDK30] planParts cuts a file into full parts and a shorter last one that cover it exactly', () => {
  const parts = planParts(2500, 1024);
  assert.deepEqual(parts, [
    { index: 0, offset: 0, length: 1024 },
    { index: 1, offset: 1024, length: 1024 },
    { index: 2, offset: 2048, length: 452 },
  ]);
  assert.equal(partCountOf(2048, 1024), 2, 'an exact multiple has no empty last part');
  assert.deepEqual(planParts(2048, 1024).at(-1), { index: 1, offset: 1024, length: 1024 });
  assert.deepEqual(planParts(1, 1024), [{ index: 0, offset: 0, length: 1 }]);
  // 2 GiB in 512 KiB parts: 4096 of them, the offsets past 2^31 still exact.
  assert.equal(partCountOf(2 ** 31, 512 * 1024), 4096);
  assert.deepEqual(planParts(2 ** 31 + 1, 512 * 1024).at(-1), { index: 4096, offset: 2 ** 31, length: 1 });
});

test('[SDK30] bytesInParts counts the bytes of received parts once each, the short last part as short', () => {
  assert.equal(bytesInParts([0, 2, 2], 2500, 1024), 1024 + 452);
  assert.equal(bytesInParts([5, -1, 1.5], 2500, 1024), 0, 'indexes outside the file count nothing');
  assert.equal(bytesInParts([0, 1, 2], 2500, 1024), 2500);
});

test('[SDK32] planRanges covers [from, size) with inclusive ranges of at most chunk bytes', () => {
  assert.deepEqual(planRanges(0, 10, 4), [
    { start: 0, end: 3 },
    { start: 4, end: 7 },
    { start: 8, end: 9 },
  ]);
  assert.deepEqual(planRanges(7, 10, 4), [{ start: 7, end: 9 }]);
  assert.deepEqual(planRanges(10, 10, 4), []);
});
