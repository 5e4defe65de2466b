import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TypedEmitter, type OutboxEntry, type SamizdatClientEvents } from '@samizdat/client';
import type { Chat, Message, User } from '@samizdat/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { IndexedDbHistoryCache } from '../storage/idb-history-cache.ts';
import { ChatStore, type ChatClient } from './chat-store.ts';
import { OfflineCache } from './offline-cache.ts';

const alice: User = { id: 1, displayName: 'Alice', username: null, phone: null, isSelf: true, isContact: false, isBot: false };
const bob: User = { id: 2, displayName: 'Bob', username: null, phone: null, isSelf: false, isContact: false, isBot: false };

/** Waits for what the store does on its own time (the fake IndexedDB, the fetches), however loaded the machine. */
async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return;
    await new Promise((done) => setTimeout(done, 5));
  }
}

function message(chatId: number, id: number, text = `m${id}`): Message {
  return { chatId, id, senderId: 2, date: 1000 + id, text, randomId: `r${id}`, entities: [], replyToId: null, forward: null, editDate: null, reactions: [], views: null, signature: null, media: null };
}

function chat(id: number, top: Message | null): Chat {
  return {
    id, type: 'private', peerUserId: 2, title: null, about: '', username: null, memberCount: 2, pts: 0, topMessage: top, unreadCount: 0, readInboxMaxId: 0,
    readOutboxMaxId: 0, myRole: 'member', myRights: null, myMutedUntil: null, pinnedMessageId: null, slowModeSeconds: 0, hasSignatures: false, hasNoForwards: false,
    linkedChatId: null, lastActivityDate: 1000 + (top?.id ?? 0), mutedUntil: null, draft: null, blocked: null, pinnedAt: null,
  };
}

/** A client whose server holds `history` per chat; while `isOnline` is false, calls wait for `online` (as the SDK resends them). */
function fakeClient(server: { chats: Chat[]; history: Map<number, Message[]>; isOnline: boolean; online?: Promise<void> }) {
  const emitter = new TypedEmitter<SamizdatClientEvents>();
  const client = {
    connectionState: 'connected' as 'connected' | 'disconnected',
    outbox: [] as OutboxEntry[],
    on: emitter.on.bind(emitter),
    call: (async (method: string, params: Record<string, unknown>) => {
      if (!server.isOnline) await server.online;
      if (method === 'messages.getChats') return { chats: server.chats, users: [alice, bob] };
      if (method === 'messages.getHistory') {
        const chatId = (params['peer'] as { chatId: number }).chatId;
        const offsetId = (params['offsetId'] as number | undefined) ?? Number.MAX_SAFE_INTEGER;
        const page = (server.history.get(chatId) ?? []).filter((m) => m.id < offsetId).sort((a, b) => b.id - a.id).slice(0, (params['limit'] as number) ?? 50);
        return { messages: page, users: [bob] };
      }
      throw new Error(`unexpected ${method}`);
    }) as ChatClient['call'],
    sendMessage: () => new Promise<Message>(() => {}),
    sendMedia: () => new Promise<Message>(() => {}),
  } satisfies ChatClient;
  return { client, emitter };
}

test('[WEB50] [WEB51] [WEB52] a store started offline shows the cached list and history, then merges the server\'s by id once back', async () => {
  const indexedDB = new IDBFactory();
  const history = new Map([[10, [1, 2, 3].map((id) => message(10, id))], [11, [message(11, 1)]]]);
  const server: { chats: Chat[]; history: Map<number, Message[]>; isOnline: boolean; online?: Promise<void> } = { chats: [chat(10, message(10, 3)), chat(11, message(11, 1))], history, isOnline: true };
  // First run: online, opens chat 10; the cache saves the list and the history.
  const cache = new OfflineCache(new IndexedDbHistoryCache({ indexedDB }), { flushDelayMs: 0 });
  const first = fakeClient(server);
  const store = new ChatStore(first.client, alice, { cache });
  const stop = store.start();
  const detach = cache.attach(store, first.client);
  await store.refreshChats();
  await store.openConversation(10);
  await new Promise((done) => setTimeout(done, 5));
  // Chat 11 is not open: its cached history follows the events (it has none cached, so nothing).
  first.emitter.emit('message', message(10, 4));
  first.emitter.emit('messageEdited', message(10, 2, 'edited'));
  stop();
  detach();
  await cache.settled();

  // Meanwhile on the server: 1 deleted, 5 and 6 arrive.
  history.set(10, [2, 3, 4, 5, 6].map((id) => message(10, id, id === 2 ? 'edited' : `m${id}`)));
  server.chats = [chat(10, message(10, 6)), chat(11, message(11, 1))];
  server.isOnline = false;
  let goOnline = () => {};
  (server as { online?: Promise<void> }).online = new Promise<void>((resolve) => (goOnline = resolve));

  // Second run, offline: the list and chat 10's history come from the cache.
  const again = new OfflineCache(new IndexedDbHistoryCache({ indexedDB }), { flushDelayMs: 0 });
  const second = fakeClient(server);
  second.client.connectionState = 'disconnected';
  const offline = new ChatStore(second.client, alice, { cache: again });
  const stopOffline = offline.start();
  const account = await again.loadAccount(1);
  assert.ok(account !== null);
  offline.hydrate(account);
  assert.equal(offline.getSnapshot().isChatListCached, true);
  assert.deepEqual(offline.getSnapshot().chats.map((c) => c.topMessage?.id), [4, 1]);
  void offline.openConversation(10);
  await until(() => offline.getSnapshot().conversations.get(10)?.isCached === true);
  const cached = offline.getSnapshot().conversations.get(10);
  assert.equal(cached?.isCached, true);
  assert.deepEqual(cached?.messages.map((m) => [m.id, m.text]), [[1, 'm1'], [2, 'edited'], [3, 'm3'], [4, 'm4']]);

  // Back online: the list and the open history are fetched and merged, each message once.
  offline.setOpenChat(10);
  server.isOnline = true;
  goOnline();
  second.emitter.emit('connectionState', 'connected');
  await until(() => offline.getSnapshot().conversations.get(10)?.isCached === false && !offline.getSnapshot().isChatListCached);
  const snapshot = offline.getSnapshot();
  assert.equal(snapshot.isChatListCached, false);
  assert.equal(snapshot.chats[0]?.topMessage?.id, 6);
  assert.deepEqual(snapshot.conversations.get(10)?.messages.map((m) => m.id), [2, 3, 4, 5, 6]);
  assert.equal(snapshot.conversations.get(10)?.isCached, false);
  stopOffline();
});

test('[WEB52] histories of chats not open follow new messages, edits and deletions; signing out clears the cache and drops pending writes', async () => {
  const indexedDB = new IDBFactory();
  const storage = new IndexedDbHistoryCache({ indexedDB });
  await storage.updateHistory(20, () => [message(20, 1), message(20, 2)]);
  const cache = new OfflineCache(storage, { flushDelayMs: 0 });
  const { client, emitter } = fakeClient({ chats: [], history: new Map(), isOnline: true });
  const store = new ChatStore(client, alice, { cache });
  const detach = cache.attach(store, client);
  emitter.emit('message', message(20, 3));
  emitter.emit('message', message(20, 3));
  emitter.emit('messageEdited', message(20, 1, 'edited'));
  emitter.emit('messagesDeleted', { chatId: 20, messageIds: [2] });
  emitter.emit('message', message(21, 1));
  await cache.settled();
  assert.deepEqual((await storage.loadHistory(20))?.messages.map((m) => [m.id, m.text]), [[1, 'edited'], [3, 'm3']]);
  assert.equal(await storage.loadHistory(21), null, 'a chat never opened gets no partial history');
  await cache.clear();
  emitter.emit('message', message(20, 4));
  detach();
  await cache.settled();
  assert.equal(await storage.loadHistory(20), null);
  assert.equal(await storage.loadAccount(), null);
});
