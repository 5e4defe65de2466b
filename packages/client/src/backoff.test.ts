import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeBackoffDelayMs } from './backoff.ts';

describe('computeBackoffDelayMs', () => {
  const bounds = { minDelayMs: 250, maxDelayMs: 10_000 };

  test('[SDK14] the first retry waits exactly minDelayMs whatever the jitter', () => {
    assert.equal(computeBackoffDelayMs(0, { ...bounds, random: () => 0 }), 250);
    assert.equal(computeBackoffDelayMs(0, { ...bounds, random: () => 0.999 }), 250);
  });

  test('[SDK14] the ceiling doubles with each attempt', () => {
    const ceilings = [0, 1, 2, 3, 4].map((attempt) => computeBackoffDelayMs(attempt, { ...bounds, random: () => 1 }));
    assert.deepEqual(ceilings, [250, 500, 1000, 2000, 4000]);
  });

  test('[SDK14] no delay exceeds maxDelayMs, however many attempts failed', () => {
    for (const attempt of [6, 10, 50, 2000]) {
      assert.equal(computeBackoffDelayMs(attempt, { ...bounds, random: () => 1 }), 10_000);
    }
  });

  test('[SDK14] jitter spreads delays over the whole range between the floor and the ceiling', () => {
    assert.equal(computeBackoffDelayMs(3, { ...bounds, random: () => 0 }), 250);
    assert.equal(computeBackoffDelayMs(3, { ...bounds, random: () => 0.5 }), 1125);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const delay = computeBackoffDelayMs(5, bounds);
      assert.ok(delay >= 250 && delay <= 8000, `delay ${delay} within bounds`);
      seen.add(delay);
    }
    assert.ok(seen.size > 50, 'real randomness gives many distinct delays');
  });

  test('[SDK14] the defaults are 250 ms and 10 s', () => {
    assert.equal(computeBackoffDelayMs(0, { random: () => 0 }), 250);
    assert.equal(computeBackoffDelayMs(100, { random: () => 1 }), 10_000);
  });

  test('[SDK14] a minDelayMs above maxDelayMs is capped by maxDelayMs', () => {
    assert.equal(computeBackoffDelayMs(0, { minDelayMs: 5000, maxDelayMs: 1000, random: () => 0.5 }), 1000);
  });
});
