import assert from 'node:assert/strict';
import { test } from 'node:test';
import { visibleRange } from './visible-range.ts';

/** Offsets of `count` items of `height` pixels each. */
function uniform(count: number, height: number): Float64Array {
  return Float64Array.from({ length: count + 1 }, (_, i) => i * height);
}

test('[WEB5] visibleRange renders only the items that overlap the view and its overscan', () => {
  const offsets = uniform(10_000, 50);
  assert.deepEqual(visibleRange(offsets, 0, 500), { start: 0, end: 10 });
  assert.deepEqual(visibleRange(offsets, 1000, 500), { start: 20, end: 30 });
  assert.deepEqual(visibleRange(offsets, 1025, 500), { start: 20, end: 31 });
  assert.deepEqual(visibleRange(offsets, 1000, 500, 100), { start: 18, end: 32 });
  assert.deepEqual(visibleRange(offsets, 499_500, 500), { start: 9_990, end: 10_000 });
});

test('[WEB5] visibleRange handles empty lists, variable heights and views past the end', () => {
  assert.deepEqual(visibleRange(new Float64Array([0]), 0, 500), { start: 0, end: 0 });
  const offsets = Float64Array.from([0, 30, 230, 260, 900]);
  assert.deepEqual(visibleRange(offsets, 100, 100), { start: 1, end: 2 });
  assert.deepEqual(visibleRange(offsets, 240, 10), { start: 2, end: 3 });
  assert.deepEqual(visibleRange(offsets, 5000, 100), { start: 3, end: 4 }, 'at least the last item');
});
