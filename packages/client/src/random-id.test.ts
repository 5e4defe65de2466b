import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateRandomId } from './random-id.ts';

test('generateRandomId gives 32 hex characters, fresh each time', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const id = generateRandomId();
    assert.match(id, /^[0-9a-f]{32}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 1000);
});
