import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupReactions } from './secret-reactions.ts';
import { verifiedState } from './secret-verified.ts';

test('[WEB48] reactions group by emoji with who chose each', () => {
  assert.deepEqual(groupReactions({ '1': '👍', '2': '❤️', '3': '👍' }), [
    { emoji: '👍', userIds: [1, 3] },
    { emoji: '❤️', userIds: [2] },
  ]);
  assert.deepEqual(groupReactions({}), []);
});

test('[WEB67] a chat is verified while its safety number equals the verified one, changed when it differs', () => {
  assert.equal(verifiedState(null, '123'), 'unverified');
  assert.equal(verifiedState('123', null), 'unverified');
  assert.equal(verifiedState('123', '123'), 'verified');
  assert.equal(verifiedState('123', '456'), 'changed');
});
