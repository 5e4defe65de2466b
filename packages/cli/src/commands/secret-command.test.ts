import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SecretHistoryEntry, SecretMessage } from '@samizdat/client';
import { parseForwardIds } from './forward-command.ts';
import { findSecretMessage, parseTtl } from './secret-command.ts';

function message(id: string): SecretMessage {
  return { kind: 'message', id, senderUserId: 1, senderDeviceId: 1, sentAt: 0, text: id, ttlSeconds: 0, readAt: null, expiresAt: null, editedAt: null, reactions: {} };
}

const history: SecretHistoryEntry[] = [
  { kind: 'service', at: 0, action: { type: 'started' } },
  message('1a2b3c4d00000000000000000000aaaa'),
  message('1a2b3c4d00000000000000000000bbbb'),
  message('9f8e7d6c00000000000000000000cccc'),
];

test('a secret message is found by its full id or a unique prefix of 4 characters or more, # allowed', () => {
  assert.equal(findSecretMessage({ history }, '9f8e').id, '9f8e7d6c00000000000000000000cccc');
  assert.equal(findSecretMessage({ history }, '#9f8e7d6c').id, '9f8e7d6c00000000000000000000cccc');
  assert.equal(findSecretMessage({ history }, '1a2b3c4d00000000000000000000bbbb').id, '1a2b3c4d00000000000000000000bbbb');
  assert.throws(() => findSecretMessage({ history }, '1a2b3c4d'), (error: Error & { code?: string }) => error.code === 'MESSAGE_ID_INVALID' && /2 messages start with it/.test(error.message));
  assert.throws(() => findSecretMessage({ history }, 'ffff'), { code: 'MESSAGE_ID_INVALID' });
  assert.throws(() => findSecretMessage({ history }, '9f8'), { code: 'USAGE_INVALID' });
});

test('the self-destruct timer takes off, seconds, or a number with a unit, within 5 s and a week', () => {
  assert.equal(parseTtl('off'), 0);
  assert.equal(parseTtl('0'), 0);
  assert.equal(parseTtl('30'), 30);
  assert.equal(parseTtl('30s'), 30);
  assert.equal(parseTtl('5m'), 300);
  assert.equal(parseTtl('2h'), 7200);
  assert.equal(parseTtl('1d'), 86_400);
  assert.equal(parseTtl('1w'), 604_800);
  for (const bad of ['4', '2w', '8d', '-5', '1.5', 'soon', '']) assert.throws(() => parseTtl(bad), /Expected off/, bad);
});

test('forward refuses secret message ids, short or full, and still reads plain ids', () => {
  assert.deepEqual(parseForwardIds('12,13'), [12, 13]);
  for (const secret of ['1a2b3c4d', '#1a2b3c4d', '12,1a2b3c4d00000000000000000000aaaa', 'AbCdEfGhIjKlMnOp']) {
    assert.throws(() => parseForwardIds(secret), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'SECRET_FORWARD_FORBIDDEN');
      assert.match(error.message, /^Messages of a secret chat cannot be forwarded/);
      return true;
    });
  }
  assert.throws(() => parseForwardIds('12,x'), /Expected positive integer ids/);
});
