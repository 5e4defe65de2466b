import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RpcError, type MethodName, type MethodParams, type MethodResult, type User } from '@samizdat/protocol';
import { CliError } from './cli-error.ts';
import { formatTargetArgument, parseTargetInput, resolveTarget } from './safety-target.ts';

const isUsage = (error: unknown) => error instanceof CliError && error.code === 'USAGE_INVALID';

test('a TARGET is a chat (@username or chat id), a message (PEER:MESSAGE_ID) or a user (user:…)', () => {
  assert.deepEqual(parseTargetInput('@news_room'), { kind: 'chat', chatInput: '@news_room' });
  assert.deepEqual(parseTargetInput(' 12 '), { kind: 'chat', chatInput: '12' });
  assert.deepEqual(parseTargetInput('12:5'), { kind: 'message', ref: { peerInput: '12', messageId: 5 } });
  assert.deepEqual(parseTargetInput('@news_room:#7'), { kind: 'message', ref: { peerInput: '@news_room', messageId: 7 } });
  assert.deepEqual(parseTargetInput('+15551234567:3'), { kind: 'message', ref: { peerInput: '+15551234567', messageId: 3 } });
  assert.deepEqual(parseTargetInput('user:@Alice_1'), { kind: 'user', user: { type: 'username', username: 'alice_1' } });
  assert.deepEqual(parseTargetInput('user:+1 555 123 4567'), { kind: 'user', user: { type: 'phone', phone: '+15551234567' } });
  assert.deepEqual(parseTargetInput('USER:7'), { kind: 'user', user: { type: 'id', userId: 7 } });
});

test('a TARGET that is none of them fails before the server is asked', () => {
  for (const input of ['', 'news', '0', '-3', '+15551234567', 'me', 'user:', 'user:bob', 'user:0', '12:0', '12:x', ':5']) {
    assert.throws(() => parseTargetInput(input), isUsage, JSON.stringify(input));
  }
  assert.throws(() => parseTargetInput('+15551234567'), /a user is written user:\+15551234567/);
  assert.throws(() => parseTargetInput('@ab'), (error: unknown) => error instanceof RpcError && error.code === 'USERNAME_INVALID');
  assert.throws(() => parseTargetInput('user:@ab'), (error: unknown) => error instanceof RpcError && error.code === 'USERNAME_INVALID');
  assert.throws(() => parseTargetInput('user:+12'), (error: unknown) => error instanceof RpcError && error.code === 'PHONE_NUMBER_INVALID');
});

test('mod queue prints targets in the form mod act reads back', () => {
  for (const target of [
    { type: 'chat', chatId: 12 },
    { type: 'message', chatId: 12, messageId: 5 },
    { type: 'user', userId: 7 },
  ] as const) {
    const argument = formatTargetArgument(target);
    const parsed = parseTargetInput(argument);
    assert.equal(parsed.kind, target.type, argument);
  }
  assert.equal(formatTargetArgument({ type: 'message', chatId: 12, messageId: 5 }), '12:5');
  assert.equal(formatTargetArgument({ type: 'user', userId: 7 }), 'user:7');
});

/** A caller that answers from a table and records what was asked. */
function fakeCaller(answers: Partial<Record<MethodName, (params: never) => unknown>>) {
  const calls: string[] = [];
  return {
    calls,
    async call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
      calls.push(method);
      const answer = answers[method];
      if (answer === undefined) throw new Error(`unexpected call ${method}`);
      return answer(params as never) as MethodResult<M>;
    },
  };
}

const self = { id: 1 } as User;

test('resolving: ids are taken as they are; names and private-chat messages are looked up', async () => {
  const idsOnly = fakeCaller({});
  assert.deepEqual(await resolveTarget(idsOnly, '12', self), { type: 'chat', chatId: 12 });
  assert.deepEqual(await resolveTarget(idsOnly, '12:5', self), { type: 'message', chatId: 12, messageId: 5 });
  assert.deepEqual(await resolveTarget(idsOnly, 'user:7', self), { type: 'user', userId: 7 });
  assert.deepEqual(idsOnly.calls, []);

  const caller = fakeCaller({
    'chats.resolveUsername': () => ({ chat: { id: 30 } }),
    'users.resolvePhone': () => ({ user: { id: 8 } }),
    'users.resolveUsername': (params: { username: string }) => {
      if (params.username === 'alice_1') return { user: { id: 9 } };
      throw new RpcError('USERNAME_NOT_OCCUPIED', 'nobody');
    },
    'messages.getHistory': (params: { offsetId: number }) => ({ messages: params.offsetId === 43 ? [{ id: 42, chatId: 77 }] : [{ id: 3, chatId: 77 }], users: [] }),
  });
  assert.deepEqual(await resolveTarget(caller, '@news_room', self), { type: 'chat', chatId: 30 });
  assert.deepEqual(await resolveTarget(caller, 'user:+15551234567', self), { type: 'user', userId: 8 });
  assert.deepEqual(await resolveTarget(caller, 'user:@alice_1', self), { type: 'user', userId: 9 });
  assert.deepEqual(await resolveTarget(caller, '@alice_1:42', self), { type: 'message', chatId: 77, messageId: 42 }, 'the private chat id comes from the message');
  await assert.rejects(resolveTarget(caller, '@alice_1:9', self), (error: unknown) => error instanceof RpcError && error.code === 'MESSAGE_ID_INVALID');
  await assert.rejects(resolveTarget(fakeCaller({ 'users.resolvePhone': () => ({ user: self }) }), 'user:+15550000001', self), isUsage, 'not oneself');
});
