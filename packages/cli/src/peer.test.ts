import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RpcError, type Chat, type User } from '@samizdat/protocol';
import { parsePeerInput, resolveChat, resolvePeer, resolveUser, type MethodCaller } from './peer.ts';

const bob: User = { id: 7, displayName: 'Bob', username: 'bobby', phone: null, isSelf: false, isContact: false, isBot: false };
const self: User = { id: 1, displayName: 'Me', username: null, phone: null, isSelf: true, isContact: false, isBot: false };

function chat(fields: Partial<Chat> & Pick<Chat, 'id' | 'type'>): Chat {
  return {
    peerUserId: null, title: null, about: '', username: null, memberCount: 0, pts: 0, topMessage: null, unreadCount: 0,
    readInboxMaxId: 0, readOutboxMaxId: 0, myRole: null, myRights: null, myMutedUntil: null, pinnedMessageId: null,
    slowModeSeconds: 0, hasSignatures: false, hasNoForwards: false, linkedChatId: null, lastActivityDate: 0, mutedUntil: null, draft: null, blocked: null, pinnedAt: null,
    ...fields,
  };
}

const news = chat({ id: 9, type: 'channel', title: 'News', username: 'news_room', memberCount: 3 });

/** A caller that answers from `answers` by method name and records every call. */
function fakeCaller(answers: Record<string, (params: Record<string, unknown>) => unknown>): { caller: MethodCaller; calls: string[] } {
  const calls: string[] = [];
  const caller = {
    async call(method: string, params: Record<string, unknown>) {
      calls.push(`${method} ${JSON.stringify(params)}`);
      const answer = answers[method];
      if (answer === undefined) throw new Error(`unexpected call ${method}`);
      return answer(params);
    },
  } as MethodCaller;
  return { caller, calls };
}

const notOccupied = () => {
  throw new RpcError('USERNAME_NOT_OCCUPIED');
};

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
  const { caller, calls } = fakeCaller({ 'users.resolveUsername': () => ({ user: bob }) });
  assert.deepEqual(await resolvePeer(caller, '@bobby', self), { peer: { type: 'user', userId: 7 }, user: bob, chat: null });
  assert.deepEqual(await resolvePeer(caller, 'me', self), { peer: { type: 'user', userId: 1 }, user: self, chat: null });
  assert.deepEqual(calls, ['users.resolveUsername {"username":"bobby"}']);
});

test('resolvePeer falls back to chats.resolveUsername when no user has the name', async () => {
  const { caller, calls } = fakeCaller({ 'users.resolveUsername': notOccupied, 'chats.resolveUsername': () => ({ chat: news }) });
  assert.deepEqual(await resolvePeer(caller, '@news_room', self), { peer: { type: 'chat', chatId: 9 }, user: null, chat: news });
  assert.deepEqual(calls, ['users.resolveUsername {"username":"news_room"}', 'chats.resolveUsername {"username":"news_room"}']);
});

test('resolvePeer fails with USERNAME_NOT_OCCUPIED when neither a user nor a chat has the name', async () => {
  const { caller } = fakeCaller({ 'users.resolveUsername': notOccupied, 'chats.resolveUsername': notOccupied });
  await assert.rejects(resolvePeer(caller, '@nosuchname', self), {
    code: 'USERNAME_NOT_OCCUPIED',
    message: 'Cannot resolve username: no user, group or channel is @nosuchname',
  });
});

test('resolveChat takes a chat id as it is and a @username through chats.resolveUsername only', async () => {
  const { caller, calls } = fakeCaller({ 'chats.resolveUsername': () => ({ chat: news }) });
  assert.deepEqual(await resolveChat(caller, '12'), { chatId: 12, chat: null });
  assert.deepEqual(await resolveChat(caller, '@News_Room'), { chatId: 9, chat: news });
  assert.deepEqual(calls, ['chats.resolveUsername {"username":"news_room"}']);
  await assert.rejects(resolveChat(caller, '+9996610001'), { code: 'USAGE_INVALID' });
});

test('resolveUser names the other member of a private chat id and refuses a group', async () => {
  const { caller } = fakeCaller({
    'chats.get': (params) =>
      params.chatId === 3
        ? { chat: chat({ id: 3, type: 'private', peerUserId: 7 }), users: [bob] }
        : { chat: chat({ id: 5, type: 'group', title: 'Team' }), users: [] },
  });
  assert.deepEqual(await resolveUser(caller, '3', self), bob);
  await assert.rejects(resolveUser(caller, '5', self), { code: 'PEER_ID_INVALID', message: 'Cannot use "5" as a user: chat 5 is a group' });
});
