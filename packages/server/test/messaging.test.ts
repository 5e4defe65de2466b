import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Sqlite from 'better-sqlite3';
import type { Update } from '@samizdat/protocol';
import { RawClient, signUpTestUser, startTestServer, rejects } from './harness.ts';

let counter = 0;
const randomId = () => `rid-${process.pid}-${++counter}`;

describe('1:1 cloud chats', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>;
  const clients: RawClient[] = [];
  before(async () => {
    t = await startTestServer({ connectionLimits: { frames: { capacity: 5000, perSecond: 5000 }, maxInFlight: 256 } });
  });
  after(async () => {
    for (const client of clients) client.close();
    await t.stop();
  });

  async function user(phone: string, name: string) {
    const client = await RawClient.open(t.server.wsUrl);
    clients.push(client);
    const auth = await signUpTestUser(client, phone, name);
    return { client, auth, id: auth.user.id as number, token: auth.token as string };
  }

  async function device(token: string) {
    const client = await RawClient.open(t.server.wsUrl);
    clients.push(client);
    await client.hello(token);
    return client;
  }

  test('[MSG1] a message of 4096 characters is sent, 4097 is MESSAGE_TOO_LONG and blank is MESSAGE_EMPTY', async () => {
    const a = await user('+9996610101', 'A');
    const b = await user('+9996620101', 'B');
    const peer = { type: 'user', userId: b.id };
    const sent = await a.client.call('messages.send', { peer, text: 'x'.repeat(4096), randomId: randomId() });
    assert.equal(sent.message.text.length, 4096);
    const error = await rejects(a.client.call('messages.send', { peer, text: 'x'.repeat(4097), randomId: randomId() }), 'MESSAGE_TOO_LONG');
    assert.match(error.message, /4097 characters, limit is 4096/);
    await rejects(a.client.call('messages.send', { peer, text: ' \n ', randomId: randomId() }), 'MESSAGE_EMPTY');
    await rejects(a.client.call('messages.send', { peer, text: 'hi', randomId: 'short' }), 'RANDOM_ID_INVALID');
    await rejects(a.client.call('messages.send', { peer: { type: 'user', userId: 999_999 }, text: 'hi', randomId: randomId() }), 'PEER_ID_INVALID');
  });

  test('[MSG2] a send retried with the same randomId returns the original message and pts, never a second one', async () => {
    const a = await user('+9996610102', 'A');
    const b = await user('+9996620102', 'B');
    const peer = { type: 'user', userId: b.id };
    const id = randomId();
    const [first, second] = await Promise.all([
      a.client.call('messages.send', { peer, text: 'once', randomId: id }),
      a.client.call('messages.send', { peer, text: 'once', randomId: id }),
    ]);
    const third = await a.client.call('messages.send', { peer, text: 'once', randomId: id });
    assert.deepEqual(second, first);
    assert.deepEqual(third, first);
    const history = await b.client.call('messages.getHistory', { peer: { type: 'user', userId: a.id } });
    assert.equal(history.messages.length, 1);
    await b.client.waitForUpdates((updates) => updates.length >= 1);
    await new Promise((done) => setTimeout(done, 50));
    assert.equal(b.client.updates.filter((u) => u.type === 'newMessage').length, 1);
  });

  test('[MSG3] pipelined sends to a new chat are stored in the order they arrived', async () => {
    const a = await user('+9996610109', 'A');
    const b = await user('+9996620109', 'B');
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => a.client.call('messages.send', { peer: { type: 'user', userId: b.id }, text: `p${i}`, randomId: randomId() })),
    );
    assert.deepEqual(results.map((r) => r.message.id), Array.from({ length: 30 }, (_, i) => i + 1));
    assert.deepEqual(results.map((r) => r.updates[0].update.pts), Array.from({ length: 30 }, (_, i) => i + 1));
  });

  test('[UPD1] every session of both users gets the new message with the next pts of its own user', async () => {
    const a = await user('+9996610103', 'A');
    const b = await user('+9996620103', 'B');
    const a2 = await device(a.token);
    const b2 = await device(b.token);
    const sent = await a.client.call('messages.send', { peer: { type: 'user', userId: b.id }, text: 'to all devices', randomId: randomId() });
    for (const client of [a.client, a2, b.client, b2]) {
      await client.waitForUpdates((updates) => updates.some((u) => u.type === 'newMessage'));
      const update = client.updates.find((u) => u.type === 'newMessage') as Extract<Update, { type: 'newMessage' }>;
      assert.equal(update.message.text, 'to all devices');
      assert.equal(update.pts, 1);
      assert.equal(update.message.id, sent.message.id);
    }
    assert.deepEqual(sent.updates.map((u: { chatId: null; update: Update }) => [u.chatId, u.update.pts]), [[null, 1]]);
  });

  test('[MSG4] history pages newest first by id, and the chat list shows last message and unread count', async () => {
    const a = await user('+9996610104', 'A');
    const b = await user('+9996620104', 'B');
    const c = await user('+9996630104', 'C');
    for (let i = 1; i <= 25; i++) {
      await a.client.call('messages.send', { peer: { type: 'user', userId: b.id }, text: `m${i}`, randomId: randomId() });
    }
    await b.client.call('messages.send', { peer: { type: 'user', userId: a.id }, text: 'reply', randomId: randomId() });
    const page1 = await b.client.call('messages.getHistory', { peer: { type: 'user', userId: a.id }, limit: 10 });
    assert.deepEqual(page1.messages.map((m: { id: number }) => m.id), [26, 25, 24, 23, 22, 21, 20, 19, 18, 17]);
    const page2 = await b.client.call('messages.getHistory', { peer: { type: 'chat', chatId: page1.messages[0].chatId }, offsetId: 17, limit: 10 });
    assert.deepEqual(page2.messages.map((m: { text: string }) => m.text), ['m16', 'm15', 'm14', 'm13', 'm12', 'm11', 'm10', 'm9', 'm8', 'm7']);
    assert.ok(page1.users.some((u: { id: number }) => u.id === a.id));
    await c.client.call('messages.send', { peer: { type: 'user', userId: b.id }, text: 'from c', randomId: randomId() });
    const { chats } = await b.client.call('messages.getChats', {});
    assert.equal(chats.length, 2);
    assert.equal(chats[0].peerUserId, c.id);
    assert.equal(chats[0].topMessage.text, 'from c');
    assert.equal(chats[0].unreadCount, 1);
    assert.equal(chats[1].peerUserId, a.id);
    assert.equal(chats[1].topMessage.text, 'reply');
    assert.equal(chats[1].unreadCount, 25);
    const aChats = await a.client.call('messages.getChats', {});
    assert.equal(aChats.chats[0].unreadCount, 1);
    // A third party cannot read the chat by id.
    await rejects(c.client.call('messages.getHistory', { peer: { type: 'chat', chatId: chats[1].id } }), 'PEER_ID_INVALID');
  });

  test('[MSG5] reading a chat updates the reader’s other devices and tells the sender', async () => {
    const a = await user('+9996610105', 'A');
    const b = await user('+9996620105', 'B');
    const b2 = await device(b.token);
    const sent = await a.client.call('messages.send', { peer: { type: 'user', userId: b.id }, text: 'read me', randomId: randomId() });
    const read = await b.client.call('messages.readHistory', { peer: { type: 'user', userId: a.id }, maxId: sent.message.id });
    assert.deepEqual(read.updates, [{ chatId: null, update: { type: 'readHistoryInbox', pts: 2, chatId: sent.message.chatId, maxId: sent.message.id } }]);
    await b2.waitForUpdates((updates) => updates.some((u) => u.type === 'readHistoryInbox'));
    await a.client.waitForUpdates((updates) => updates.some((u) => u.type === 'readHistoryOutbox'));
    assert.deepEqual(a.client.updates.at(-1), { type: 'readHistoryOutbox', pts: 2, chatId: sent.message.chatId, maxId: sent.message.id });
    const again = await b.client.call('messages.readHistory', { peer: { type: 'user', userId: a.id }, maxId: sent.message.id });
    assert.deepEqual(again.updates, []);
    const chats = await b.client.call('messages.getChats', {});
    assert.equal(chats.chats[0].unreadCount, 0);
    assert.equal((await a.client.call('messages.getChats', {})).chats[0].readOutboxMaxId, sent.message.id);
  });

  test('messages to oneself land in a saved-messages chat with one update per message', async () => {
    const a = await user('+9996610106', 'A');
    const sent = await a.client.call('messages.send', { peer: { type: 'user', userId: a.id }, text: 'note to self', randomId: randomId() });
    assert.deepEqual(sent.updates.map((u: { update: Update }) => u.update.pts), [1]);
    const { chats } = await a.client.call('messages.getChats', {});
    assert.equal(chats[0].peerUserId, a.id);
    assert.equal(chats[0].unreadCount, 0);
  });

  test('[UPD2] the difference returns exactly the missed updates in order, in slices of at most 1,000', async () => {
    const a = await user('+9996610107', 'A');
    const b = await user('+9996620107', 'B');
    const peer = { type: 'user', userId: b.id };
    for (let chunk = 0; chunk < 1200; chunk += 200) {
      await Promise.all(
        Array.from({ length: 200 }, (_, i) => a.client.call('messages.send', { peer, text: `n${chunk + i}`, randomId: randomId() })),
      );
    }
    const first = await b.client.call('updates.getDifference', { pts: 100 });
    assert.equal(first.type, 'difference');
    assert.equal(first.updates.length, 1000);
    assert.equal(first.isFinal, false);
    assert.deepEqual(first.updates.map((u: Update) => u.pts), Array.from({ length: 1000 }, (_, i) => 101 + i));
    const second = await b.client.call('updates.getDifference', { pts: first.state.pts });
    assert.equal(second.updates.length, 100);
    assert.equal(second.isFinal, true);
    assert.equal(second.state.pts, 1200);
    const texts = [...first.updates, ...second.updates].map((u: { message: { id: number } }) => u.message.id);
    assert.deepEqual(texts, Array.from({ length: 1100 }, (_, i) => 101 + i));
    const small = await b.client.call('updates.getDifference', { pts: 1190, limit: 4 });
    assert.deepEqual(small.updates.map((u: Update) => u.pts), [1191, 1192, 1193, 1194]);
    assert.equal(small.state.pts, 1194);
    const none = await b.client.call('updates.getDifference', { pts: 1200 });
    assert.deepEqual([none.updates.length, none.isFinal], [0, true]);
    await rejects(b.client.call('updates.getDifference', { pts: 1201 }), 'PTS_INVALID');
    assert.deepEqual((await b.client.call('updates.getState')).pts, 1200);
  });

  test('[UPD2] a device more than 100,000 updates behind is told tooLong', async () => {
    const a = await user('+9996610108', 'A');
    // Building 100,001 real updates through the API would take minutes; write them straight into the store.
    const db = new Sqlite(t.server.databasePath);
    const insert = db.prepare('INSERT INTO updates (user_id, pts, type, chat_id, ref_id, date) VALUES (?, ?, ?, 1, 1, 0)');
    db.transaction(() => {
      for (let pts = 1; pts <= 100_001; pts++) insert.run(a.id, pts, 'readHistoryInbox');
      db.prepare('UPDATE users SET pts = ? WHERE id = ?').run(100_001, a.id);
    })();
    db.close();
    const tooLong = await a.client.call('updates.getDifference', { pts: 0 });
    assert.deepEqual(tooLong.type, 'tooLong');
    assert.equal(tooLong.state.pts, 100_001);
    const fine = await a.client.call('updates.getDifference', { pts: 1 });
    assert.equal(fine.type, 'difference');
    assert.equal(fine.updates.length, 1000);
  });
});
