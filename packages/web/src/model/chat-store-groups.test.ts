import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TypedEmitter, type OutboxEntry, type SamizdatClientEvents } from '@samizdat/client';
import type { Chat, Message, User } from '@samizdat/protocol';
import { ChatStore, type ChatClient } from './chat-store.ts';

const alice: User = { id: 1, displayName: 'Alice', username: null, phone: null, isSelf: true, isContact: false, isBot: false };
const carol: User = { id: 3, displayName: 'Carol', username: null, phone: null, isSelf: false, isContact: false, isBot: false };

function group(overrides: Partial<Chat> = {}): Chat {
  return {
    id: 20, type: 'group', peerUserId: null, title: 'Book Club', about: '', username: null, memberCount: 3, pts: 1, topMessage: null, unreadCount: 0, readInboxMaxId: 0,
    readOutboxMaxId: 0, myRole: 'member', myRights: null, myMutedUntil: null, pinnedMessageId: null, slowModeSeconds: 0, hasSignatures: false, hasNoForwards: false,
    linkedChatId: null, lastActivityDate: 1000, mutedUntil: null, draft: null, blocked: null, pinnedAt: null, ...overrides,
  };
}

function message(id: number, senderId: number): Message {
  return { chatId: 20, id, senderId, date: 1000 + id, text: `m${id}`, randomId: `r${id}`, entities: [], replyToId: null, forward: null, editDate: null, reactions: [], views: null, signature: null, media: null };
}

/** A client whose list is `listed()` at the time of each call, recording the calls made. */
function fakeClient(listed: () => Chat[]) {
  const emitter = new TypedEmitter<SamizdatClientEvents>();
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  const client = {
    connectionState: 'connected' as const,
    outbox: [] as OutboxEntry[],
    on: emitter.on.bind(emitter),
    call: (async (method: string, params: Record<string, unknown>) => {
      calls.push({ method, params });
      if (method === 'messages.getChats') return { chats: listed(), users: [alice] };
      if (method === 'users.getUsers') return { users: [carol] };
      throw new Error(`unexpected ${method}`);
    }) as ChatClient['call'],
    sendMessage: async () => {
      throw new Error('not here');
    },
    sendMedia: async () => {
      throw new Error('not here');
    },
  } satisfies ChatClient;
  return { client, emitter, calls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test('[WEB36] a group\'s own sequence keeps the list current: a member change refetches it, so a promotion shows', async () => {
  let listed = [group()];
  const { client, emitter } = fakeClient(() => listed);
  const store = new ChatStore(client, alice);
  store.start();
  await store.refreshChats();
  assert.equal(store.getSnapshot().chats[0]?.myRole, 'member');
  listed = [group({ myRole: 'admin' })];
  emitter.emit('chatUpdate', { chatId: 20, update: { type: 'chatMember', pts: 2, chatId: 20, userId: 1, member: null } });
  await settle();
  assert.equal(store.getSnapshot().chats[0]?.myRole, 'admin');
});

test('[WEB36] a chat a call returned is listed at once, and replaced, not doubled, by the next listing', async () => {
  const { client } = fakeClient(() => [group({ title: 'Renamed' })]);
  const store = new ChatStore(client, alice);
  store.addChat(group());
  assert.deepEqual(store.getSnapshot().chats.map((chat) => chat.title), ['Book Club']);
  store.addChat(group({ memberCount: 4 }));
  assert.equal(store.getSnapshot().chats.length, 1);
  assert.equal(store.getSnapshot().chats[0]?.memberCount, 4);
  await store.refreshChats();
  assert.deepEqual(store.getSnapshot().chats.map((chat) => chat.title), ['Renamed']);
});

test('[WEB36] the unknown sender of a live group message is fetched by id, once', async () => {
  const { client, emitter, calls } = fakeClient(() => [group()]);
  const store = new ChatStore(client, alice);
  store.start();
  await store.refreshChats();
  emitter.emit('message', message(1, 3));
  emitter.emit('message', message(2, 3));
  await settle();
  assert.deepEqual(calls.filter((call) => call.method === 'users.getUsers').map((call) => call.params), [{ userIds: [3] }]);
  assert.equal(store.getSnapshot().users.get(3)?.displayName, 'Carol');
  emitter.emit('message', message(3, 3));
  await settle();
  assert.equal(calls.filter((call) => call.method === 'users.getUsers').length, 1);
});
