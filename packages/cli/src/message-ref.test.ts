import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RpcError } from '@samizdat/protocol';
import { CliError } from './cli-error.ts';
import { parseMessageRef } from './message-ref.ts';

test('download reads PEER:MESSAGE_ID for every kind of PEER', () => {
  assert.deepEqual(parseMessageRef('@alice_1:42'), { peerInput: '@alice_1', messageId: 42 });
  assert.deepEqual(parseMessageRef('+9996610001:7'), { peerInput: '+9996610001', messageId: 7 });
  assert.deepEqual(parseMessageRef('5:12'), { peerInput: '5', messageId: 12 });
  assert.deepEqual(parseMessageRef('me:3'), { peerInput: 'me', messageId: 3 });
  assert.deepEqual(parseMessageRef(' 5:#12 '), { peerInput: '5', messageId: 12 }, 'the id as history prints it');
});

test('download refuses a reference without a peer or a positive id', () => {
  for (const input of ['42', ':42', 'me:', 'me:0', 'me:x', 'me:1.5', '@alice']) {
    assert.throws(() => parseMessageRef(input), (error: unknown) => error instanceof CliError && error.code === 'USAGE_INVALID', input);
  }
  assert.throws(() => parseMessageRef('@a:1'), (error: unknown) => error instanceof RpcError && error.code === 'USERNAME_INVALID');
});
