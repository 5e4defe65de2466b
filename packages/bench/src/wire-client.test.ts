import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testPhone } from './wire-client.ts';

test('testPhone gives 100,000 distinct test numbers whose code is the digit after +99966', () => {
  assert.equal(testPhone(0), '+9996600000');
  assert.equal(testPhone(12_345), '+9996612345');
  assert.equal(testPhone(99_999), '+9996699999');
  assert.throws(() => testPhone(100_000), RangeError);
  assert.equal(new Set(Array.from({ length: 100_000 }, (_, index) => testPhone(index))).size, 100_000);
});
