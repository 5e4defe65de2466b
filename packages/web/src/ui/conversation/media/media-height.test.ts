import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Media } from '@samizdat/protocol';
import { estimateMediaHeight, photoDisplaySize } from './media-height.ts';

const file = { id: 'f', size: 1, mimeType: 'image/png', name: 'a.png', sha256: '00' };
const media = (change: Partial<Media>): Media => ({ kind: 'photo', file, width: null, height: null, duration: null, waveform: null, thumbnail: null, ...change });

test('[WEB21] a photo keeps its proportions within 320 px a side, and the timeline guesses media heights before measuring', () => {
  assert.deepEqual(photoDisplaySize(640, 400), { width: 320, height: 200 });
  assert.deepEqual(photoDisplaySize(300, 1200), { width: 120, height: 320 });
  assert.deepEqual(photoDisplaySize(100, 50), { width: 120, height: 60 });
  assert.deepEqual(photoDisplaySize(null, null), { width: 240, height: 180 });
  assert.equal(estimateMediaHeight(media({ width: 640, height: 400 })), 200);
  assert.equal(estimateMediaHeight(media({ kind: 'document' })), 52);
  assert.equal(estimateMediaHeight(null), 0);
});
