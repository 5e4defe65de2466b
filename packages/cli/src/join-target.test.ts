import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJoinTarget } from './join-target.ts';

test('parseJoinTarget takes the hash of an invite link, a bare hash or +hash, and @username', () => {
  assert.deepEqual(parseJoinTarget('http://127.0.0.1:8080/+AbC_d-9'), { kind: 'invite', hash: 'AbC_d-9' });
  assert.deepEqual(parseJoinTarget('https://samizdat.example/+AbC_d-9/'), { kind: 'invite', hash: 'AbC_d-9' });
  assert.deepEqual(parseJoinTarget('AbC_d-9'), { kind: 'invite', hash: 'AbC_d-9' });
  assert.deepEqual(parseJoinTarget('+AbC_d-9'), { kind: 'invite', hash: 'AbC_d-9' });
  assert.deepEqual(parseJoinTarget('@News_Room'), { kind: 'username', username: 'news_room' });
});

test('parseJoinTarget rejects a link without /+HASH and a hash with other characters with INVITE_HASH_INVALID', () => {
  assert.throws(() => parseJoinTarget('http://127.0.0.1:8080/joinchat'), { code: 'INVITE_HASH_INVALID' });
  assert.throws(() => parseJoinTarget('not a hash'), { code: 'INVITE_HASH_INVALID' });
  assert.throws(() => parseJoinTarget('@ab'), { code: 'USERNAME_INVALID' });
});
