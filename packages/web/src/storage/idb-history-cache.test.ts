import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Chat, Message, User } from '@samizdat/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { IndexedDbClientStore } from './idb-client-store.ts';
import { DATABASE_NAME, STATE_KEY } from './idb-database.ts';
import { IndexedDbHistoryCache } from './idb-history-cache.ts';

const self: User = { id: 1, displayName: 'Alice', username: null, phone: null, isSelf: true, isContact: false, isBot: false };

function message(chatId: number, id: number, text = `m${id}`): Message {
  return { chatId, id, senderId: 1, date: 1000 + id, text, randomId: `r${id}`, entities: [], replyToId: null, forward: null, editDate: null, reactions: [], views: null, signature: null, media: null };
}

function chat(id: number): Chat {
  return {
    id, type: 'private', peerUserId: 2, title: null, about: '', username: null, memberCount: 2, pts: 0, topMessage: message(id, 5), unreadCount: 0, readInboxMaxId: 0,
    readOutboxMaxId: 0, myRole: 'member', myRights: null, myMutedUntil: null, pinnedMessageId: null, slowModeSeconds: 0, hasSignatures: false, hasNoForwards: false,
    linkedChatId: null, lastActivityDate: 1000, mutedUntil: null, draft: null, blocked: null, pinnedAt: null,
  };
}

test('[WEB50] the history cache keeps the chat list and a chat history across connections, and signing out clears both', async () => {
  const indexedDB = new IDBFactory();
  const cache = new IndexedDbHistoryCache({ indexedDB });
  assert.equal(await cache.loadAccount(), null);
  await cache.saveAccount({ userId: 1, self, chats: [chat(10), chat(11)], users: [self], savedAt: 5 });
  await cache.updateHistory(10, () => [message(10, 1), message(10, 2)]);
  await cache.close();
  const reopened = new IndexedDbHistoryCache({ indexedDB });
  assert.deepEqual((await reopened.loadAccount())?.chats.map((c) => c.id), [10, 11]);
  assert.deepEqual((await reopened.loadHistory(10))?.messages.map((m) => m.id), [1, 2]);
  await reopened.clear();
  assert.equal(await reopened.loadAccount(), null);
  assert.equal(await reopened.loadHistory(10), null);
});

test('[WEB53] the history cache keeps the newest messages of each chat and drops the least recently saved chats beyond its bound', async () => {
  const cache = new IndexedDbHistoryCache({ indexedDB: new IDBFactory(), maxChats: 3, maxMessages: 5 });
  await cache.updateHistory(1, () => Array.from({ length: 12 }, (_, i) => message(1, i + 1)));
  assert.deepEqual((await cache.loadHistory(1))?.messages.map((m) => m.id), [8, 9, 10, 11, 12]);
  for (const chatId of [2, 3, 1, 4]) await cache.updateHistory(chatId, () => [message(chatId, 1)]);
  assert.deepEqual(await cache.cachedChatIds(), [4, 1, 3]);
  assert.equal(await cache.loadHistory(2), null, 'the least recently saved chat went');
  assert.notEqual(await cache.loadHistory(1), null);
});

test('[WEB50] the history cache ignores records it cannot parse', async () => {
  const cache = new IndexedDbHistoryCache({ indexedDB: new IDBFactory() });
  await cache.updateHistory(7, () => [message(7, 1), { id: 'nope' } as unknown as Message]);
  assert.deepEqual((await cache.loadHistory(7))?.messages.map((m) => m.id), [1]);
});

test('[WEB50] upgrading the database from version 1 adds the history store and keeps the session and secret records', async () => {
  const indexedDB = new IDBFactory();
  await new Promise<void>((resolve, reject) => {
    const request = indexedDB.open(DATABASE_NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore('client');
      request.result.createObjectStore('secret');
      request.transaction!.objectStore('client').put({ token: 't', userId: 1, outbox: [] }, STATE_KEY);
      request.transaction!.objectStore('secret').put({ kept: true }, STATE_KEY);
    };
    request.onsuccess = () => {
      request.result.close();
      resolve();
    };
    request.onerror = () => reject(request.error);
  });
  const cache = new IndexedDbHistoryCache({ indexedDB });
  await cache.updateHistory(3, () => [message(3, 1)]);
  assert.deepEqual(await new IndexedDbClientStore({ indexedDB }).load(), { token: 't', userId: 1, outbox: [] });
  const db = await new Promise<IDBDatabase>((resolve) => {
    const request = indexedDB.open(DATABASE_NAME);
    request.onsuccess = () => resolve(request.result);
  });
  assert.deepEqual([...db.objectStoreNames].sort(), ['client', 'history', 'secret']);
  const secret = await new Promise((resolve) => {
    const request = db.transaction('secret').objectStore('secret').get(STATE_KEY);
    request.onsuccess = () => resolve(request.result);
  });
  assert.deepEqual(secret, { kept: true });
  db.close();
});
