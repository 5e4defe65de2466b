import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeWaveform, encodeWaveform, formatBytes, formatDuration } from './media-format.ts';

test('[WEB21] sizes and durations read as people write them', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(3500), '3.4 KB');
  assert.equal(formatBytes(12 * 1024 * 1024), '12 MB');
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(0.3), '0:01');
  assert.equal(formatDuration(65.4), '1:05');
  assert.equal(formatDuration(3725), '1:02:05');
});

test('[WEB22] a waveform is at most 100 samples of 0-31 and decodes back', () => {
  const levels = Array.from({ length: 250 }, (_, i) => (i % 50) / 49);
  const encoded = encodeWaveform(levels);
  assert.ok(encoded.length <= 200);
  const samples = decodeWaveform(encoded);
  assert.equal(samples.length, 100);
  assert.ok(samples.every((sample) => sample >= 0 && sample <= 31));
  assert.deepEqual(decodeWaveform(encodeWaveform([0, 0.5, 1])), [0, 16, 31]);
  assert.deepEqual(decodeWaveform('%%%'), []);
  assert.deepEqual(decodeWaveform(null), []);
});
