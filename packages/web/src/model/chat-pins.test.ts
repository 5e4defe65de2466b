import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TypedEmitter, type OutboxEntry, type SamizdatClientEvents } from '@samizdat/client';
import type { Chat, Message, Peer, User } from '@samizdat/protocol';
import { ChatStore, sortChats, type ChatClient } from './chat-store.ts';

const alice: User = { id: 1, displayName: 'Alice', username: null, phone: null, isSelf: true, isContact: false, isBot: false };

function chat(overrides: Partial<Chat> = {}): Chat {
  return {
    id: 10, type: 'group', peerUserId: null, title: 'Group', about: '', username: null, memberCount: 2, pts: 0, topMessage: null, unreadCount: 0, readInboxMaxId: 0,
    readOutboxMaxId: 0, myRole: 'member', myRights: null, myMutedUntil: null, pinnedMessageId: null, slowModeSeconds: 0, hasSignatures: false, hasNoForwards: false,
    linkedChatId: null, lastActivityDate: 1000, mutedUntil: null, draft: null, blocked: null, pinnedAt: null, ...overrides,
  };
}

function fakeClient(chats: Chat[]) {
  const emitter = new TypedEmitter<SamizdatClientEvents>();
  const calls: { method: string; params: unknown }[] = [];
  const client = {
    connectionState: 'connected' as const,
    outbox: [] as OutboxEntry[],
    on: emitter.on.bind(emitter),
    call: (async (method: string, params: unknown) => {
      calls.push({ method, params });
      if (method === 'messages.getChats') return { chats, users: [alice] };
      if (method === 'messages.setChatPinned') return { updates: [] };
      throw new Error(`unexpected ${method}`);
    }) as ChatClient['call'],
    sendMessage: (_peer: Peer, _text: string) => new Promise<Message>(() => undefined),
    sendMedia: (_peer: Peer, _media: unknown) => new Promise<Message>(() => undefined),
  } satisfies ChatClient;
  return { client, emitter, calls };
}

test('[WEB60] pinned chats sort first, newest pin first, then by activity (a cached chat without pinnedAt counts as unpinned)', () => {
  const sorted = sortChats([
    chat({ id: 1, lastActivityDate: 5000 }),
    chat({ id: 2, lastActivityDate: 100, pinnedAt: 50 }),
    chat({ id: 3, lastActivityDate: 200, pinnedAt: 60 }),
    { ...chat({ id: 4, lastActivityDate: 6000 }), pinnedAt: undefined } as unknown as Chat,
  ]);
  assert.deepEqual(sorted.map((c) => c.id), [3, 2, 4, 1]);
});

test('[WEB60] a chatPinned update from another device moves the chat to the top, and unpinning puts it back', async () => {
  const { client, emitter, calls } = fakeClient([chat({ id: 10, lastActivityDate: 3000 }), chat({ id: 11, lastActivityDate: 2000 }), chat({ id: 12, lastActivityDate: 1000 })]);
  const store = new ChatStore(client, alice);
  const stop = store.start();
  await store.refreshChats();
  assert.deepEqual(store.getSnapshot().chats.map((c) => c.id), [10, 11, 12]);
  emitter.emit('update', { type: 'chatPinned', pts: 3, chatId: 12, pinnedAt: 4000 });
  assert.deepEqual(store.getSnapshot().chats.map((c) => c.id), [12, 10, 11]);
  assert.equal(store.getSnapshot().chats[0]?.pinnedAt, 4000);
  emitter.emit('update', { type: 'chatPinned', pts: 4, chatId: 12, pinnedAt: null });
  assert.deepEqual(store.getSnapshot().chats.map((c) => c.id), [10, 11, 12]);
  await store.setChatPinned(11, true);
  assert.deepEqual(calls.at(-1), { method: 'messages.setChatPinned', params: { chatId: 11, pinned: true } });
  stop();
});
