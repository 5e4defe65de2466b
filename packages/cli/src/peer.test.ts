import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { User } from '@samizdat/protocol';
import { parsePeerInput, resolvePeer, type MethodCaller } from './peer.ts';

test('parsePeerInput reads @username, +phone, a chat id and me', () => {
  assert.deepEqual(parsePeerInput('@Alice_1'), { kind: 'username', username: 'alice_1' });
  assert.deepEqual(parsePeerInput('+999 661-0001'), { kind: 'phone', phone: '+9996610001' });
  assert.deepEqual(parsePeerInput('42'), { kind: 'chat', chatId: 42 });
  assert.deepEqual(parsePeerInput('me'), { kind: 'self' });
});

test('parsePeerInput rejects a malformed username with USERNAME_INVALID and a bare word with USAGE_INVALID', () => {
  assert.throws(() => parsePeerInput('@ab'), { code: 'USERNAME_INVALID' });
  assert.throws(() => parsePeerInput('+12'), { code: 'PHONE_NUMBER_INVALID' });
  assert.throws(() => parsePeerInput('alice'), { code: 'USAGE_INVALID' });
  assert.throws(() => parsePeerInput('0'), { code: 'USAGE_INVALID' });
});

test('resolvePeer turns a username into the user peer the server resolved', async () => {
  const bob: User = { id: 7, displayName: 'Bob', username: 'bobby', phone: null, isSelf: false };
  const self: User = { id: 1, displayName: 'Me', username: null, phone: null, isSelf: true };
  const calls: string[] = [];
  const caller = {
    async call(method: string, params: unknown) {
      calls.push(`${method} ${JSON.stringify(params)}`);
      return { user: bob };
    },
  } as MethodCaller;
  assert.deepEqual(await resolvePeer(caller, '@bobby', self), { peer: { type: 'user', userId: 7 }, user: bob });
  assert.deepEqual(await resolvePeer(caller, 'me', self), { peer: { type: 'user', userId: 1 }, user: self });
  assert.deepEqual(calls, ['users.resolveUsername {"username":"bobby"}']);
});
