import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TypedEmitter, type OutboxEntry, type SamizdatClientEvents } from '@samizdat/client';
import type { Chat, Message, Peer, User } from '@samizdat/protocol';
import { ChatStore, type ChatClient } from './chat-store.ts';

const alice: User = { id: 1, displayName: 'Alice', username: null, phone: null, isSelf: true, isContact: false, isBot: false };
const bob: User = { id: 2, displayName: 'Bob', username: 'bob_b', phone: null, isSelf: false, isContact: false, isBot: false };

function message(id: number, senderId: number, overrides: Partial<Message> = {}): Message {
  return { chatId: 10, id, senderId, date: 1000 + id, text: `m${id}`, randomId: `r${id}`, entities: [], replyToId: null, forward: null, editDate: null, reactions: [], views: null, signature: null, media: null, ...overrides };
}

function chat(overrides: Partial<Chat> = {}): Chat {
  return {
    id: 10, type: 'private', peerUserId: 2, title: null, about: '', username: null, memberCount: 2, pts: 0, topMessage: null, unreadCount: 0, readInboxMaxId: 0,
    readOutboxMaxId: 0, myRole: 'member', myRights: null, myMutedUntil: null, pinnedMessageId: null, slowModeSeconds: 0, hasSignatures: false, hasNoForwards: false,
    linkedChatId: null, lastActivityDate: 1000, mutedUntil: null, draft: null, blocked: null, pinnedAt: null, ...overrides,
  };
}

/** A client that answers from tables and lets the test emit the SDK's events. */
function fakeClient(options: { chats: Chat[]; history?: Message[] }) {
  const emitter = new TypedEmitter<SamizdatClientEvents>();
  const calls: string[] = [];
  const sends = new Map<string, (message: Message) => void>();
  const client = {
    connectionState: 'connected' as const,
    outbox: [] as OutboxEntry[],
    on: emitter.on.bind(emitter),
    call: (async (method: string, params: Record<string, unknown>) => {
      calls.push(method);
      if (method === 'messages.getChats') return { chats: options.chats, users: [alice, bob] };
      if (method === 'messages.getHistory') {
        const offsetId = (params['offsetId'] as number | undefined) ?? Number.MAX_SAFE_INTEGER;
        const page = (options.history ?? []).filter((m) => m.id < offsetId).sort((a, b) => b.id - a.id).slice(0, (params['limit'] as number) ?? 50);
        return { messages: page, users: [bob] };
      }
      if (method === 'messages.readHistory') return { updates: [] };
      throw new Error(`unexpected ${method}`);
    }) as ChatClient['call'],
    sendMessage: (_peer: Peer, _text: string, { randomId }: { randomId?: string } = {}) => new Promise<Message>((resolve) => sends.set(randomId ?? '', resolve)),
    sendMedia: (_peer: Peer, _media: unknown, _caption?: string, { randomId }: { randomId?: string } = {}) => new Promise<Message>((resolve) => sends.set(randomId ?? '', resolve)),
  } satisfies ChatClient;
  return { client, emitter, calls, sends };
}

test('[WEB9] an incoming message moves its chat up with one more unread, once, however often it arrives', async () => {
  const { client, emitter } = fakeClient({ chats: [chat({ id: 11, peerUserId: 3, lastActivityDate: 2000 }), chat({ topMessage: message(1, 2) })] });
  const store = new ChatStore(client, alice);
  const stop = store.start();
  await store.refreshChats();
  assert.deepEqual(store.getSnapshot().chats.map((c) => c.id), [11, 10]);
  emitter.emit('message', message(2, 2, { date: 3000 }));
  emitter.emit('message', message(2, 2, { date: 3000 }));
  const [top] = store.getSnapshot().chats;
  assert.equal(top?.id, 10);
  assert.equal(top?.unreadCount, 1);
  assert.equal(top?.topMessage?.text, 'm2');
  emitter.emit('update', { type: 'readHistoryInbox', pts: 5, chatId: 10, maxId: 2 });
  assert.equal(store.getSnapshot().chats[0]?.unreadCount, 0);
  stop();
});

test('[WEB9] a sent message shows as pending, then once as stored, whether the ack or the update comes first', async () => {
  const { client, emitter, sends } = fakeClient({ chats: [chat()] });
  const store = new ChatStore(client, alice);
  const stop = store.start();
  await store.refreshChats();
  await store.openConversation(10);
  const sent = store.send({ type: 'chat', chatId: 10 }, 'hello');
  const [pending] = store.getSnapshot().pending;
  assert.equal(pending?.entry.text, 'hello');
  const stored = message(7, 1, { randomId: pending!.entry.randomId, text: 'hello' });
  emitter.emit('message', stored);
  sends.get(pending!.entry.randomId)?.(stored);
  await sent;
  const snapshot = store.getSnapshot();
  assert.equal(snapshot.pending.length, 0);
  assert.deepEqual(snapshot.conversations.get(10)?.messages.map((m) => m.id), [7]);
  assert.equal(snapshot.chats[0]?.unreadCount, 0, 'own messages are never unread');
  emitter.emit('update', { type: 'readHistoryOutbox', pts: 9, chatId: 10, maxId: 7 });
  assert.equal(store.getSnapshot().chats[0]?.readOutboxMaxId, 7);
  stop();
});

test('[WEB9] history loads page by page, older pages below the newest, until the first message', async () => {
  const history = Array.from({ length: 120 }, (_, i) => message(i + 1, i % 2 === 0 ? 1 : 2));
  const { client } = fakeClient({ chats: [chat({ topMessage: history.at(-1)! })], history });
  const store = new ChatStore(client, alice);
  await store.refreshChats();
  await store.openConversation(10);
  const ids = () => store.getSnapshot().conversations.get(10)?.messages.map((m) => m.id) ?? [];
  assert.deepEqual([ids()[0], ids().length], [71, 50]);
  await store.loadOlder(10);
  await store.loadOlder(10);
  assert.deepEqual([ids()[0], ids().length], [1, 120]);
  assert.equal(store.getSnapshot().conversations.get(10)?.hasOlder, false);
});

test('[WEB9] edits and deletions change an open conversation live', async () => {
  const { client, emitter } = fakeClient({ chats: [chat({ topMessage: message(2, 2) })], history: [message(1, 2), message(2, 2)] });
  const store = new ChatStore(client, alice);
  const stop = store.start();
  await store.refreshChats();
  await store.openConversation(10);
  emitter.emit('messageEdited', message(1, 2, { text: 'changed', editDate: 5000 }));
  emitter.emit('messagesDeleted', { chatId: 10, messageIds: [2] });
  assert.deepEqual(store.getSnapshot().conversations.get(10)?.messages.map((m) => [m.id, m.text]), [[1, 'changed']]);
  stop();
});

test('[WEB9] a message to a chat not in the list makes the store fetch the list again', async () => {
  const chats = [chat()];
  const { client, emitter, calls } = fakeClient({ chats });
  const store = new ChatStore(client, alice);
  const stop = store.start();
  await store.refreshChats();
  chats.push(chat({ id: 12, peerUserId: 3, topMessage: message(1, 3, { chatId: 12 }), lastActivityDate: 5000 }));
  emitter.emit('message', message(1, 3, { chatId: 12 }));
  await store.refreshChats();
  assert.equal(calls.filter((method) => method === 'messages.getChats').length >= 2, true);
  assert.deepEqual(store.getSnapshot().chats.map((c) => c.id), [12, 10]);
  stop();
});
