import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Sqlite from 'better-sqlite3';
import type { Update } from '@samizdat/protocol';
import { RawClient, rejects, startTestServer, testUsers } from './harness.ts';

describe('channels', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>;
  const users = testUsers(() => t.server.wsUrl, 3);
  const user = users.user;
  let counter = 0;
  const rid = () => `chan-${++counter}-xxxxxx`;
  before(async () => {
    t = await startTestServer({ connectionLimits: { frames: { capacity: 10_000, perSecond: 10_000 }, maxInFlight: 512 } });
  });
  after(async () => {
    users.closeAll();
    await t.stop();
  });
  function tableCounts() {
    const db = new Sqlite(t.server.databasePath, { readonly: true });
    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    const result = { updates: count('updates'), chat_updates: count('chat_updates'), messages: count('messages') };
    db.close();
    return result;
  }

  test('[CHN1] a post costs one update row whether 3 or 30 subscribe, and reaches every online subscriber', async () => {
    const owner = await user('Editor');
    const costs: number[][] = [];
    for (const size of [3, 30]) {
      const { chat } = await owner.client.call('chats.createChannel', { title: `News ${size}`, username: `news_${size}_channel` });
      const subscribers = [];
      for (let i = 0; i < size; i++) {
        const subscriber = await user(`Reader ${i}`);
        await subscriber.client.call('chats.join', { chatId: chat.id });
        subscribers.push(subscriber);
      }
      const before = tableCounts();
      const post = await owner.client.call('messages.send', { peer: { type: 'chat', chatId: chat.id }, text: `Post to ${size}`, randomId: rid() });
      const after = tableCounts();
      costs.push([after.updates - before.updates, after.chat_updates - before.chat_updates, after.messages - before.messages]);
      for (const subscriber of subscribers) {
        await subscriber.client.waitForChatUpdates((updates) => updates.some((u) => u.update.type === 'newMessage' && u.update.message.id === post.message.id));
      }
    }
    assert.deepEqual(costs, [[0, 1, 1], [0, 1, 1]]);
  });

  test('[CHN1] subscribers coming and going are not pushed to every reader; a new admin is', async () => {
    const owner = await user('Editor');
    const { chat } = await owner.client.call('chats.createChannel', { title: 'Quiet joins', username: 'quiet_joins' });
    const first = await user('First');
    await first.client.call('chats.join', { chatId: chat.id });
    const before = tableCounts();
    const second = await user('Second');
    const joined = await second.client.call('chats.join', { chatId: chat.id });
    await second.client.call('chats.leave', { chatId: chat.id });
    assert.equal(tableCounts().chat_updates, before.chat_updates, 'no chat update for a subscriber');
    assert.equal(joined.updates.find((u: { update: Update }) => u.update.type === 'chatJoined').update.chatPts, joined.chat.pts);
    await owner.client.call('chats.setAdmin', { chatId: chat.id, userId: first.id, rights: { changeInfo: false, deleteMessages: false, banUsers: false, inviteUsers: false, pinMessages: false, addAdmins: false, postMessages: true } });
    await first.client.waitForChatUpdates((updates) => updates.some((u) => u.update.type === 'chatMember'));
    assert.equal(first.client.chatUpdates.filter((u) => u.update.type === 'chatMember').length, 1);
  });

  test('[CHN2] a public channel is found by search and username; a private one only through a link', async () => {
    const owner = await user('Editor');
    const reader = await user('Reader');
    const open = await owner.client.call('chats.createChannel', { title: 'Free Press Daily', username: 'freepressdaily', about: 'News' });
    const closed = await owner.client.call('chats.createChannel', { title: 'Free Press Insiders' });
    const found = await reader.client.call('chats.search', { query: 'free press' });
    assert.deepEqual(found.chats.map((c: { id: number }) => c.id), [open.chat.id]);
    await owner.client.call('chats.setUsername', { chatId: open.chat.id, username: 'free_press_daily' });
    const byUnderscore = await reader.client.call('chats.search', { query: 'free_pr' });
    assert.deepEqual(byUnderscore.chats.map((c: { id: number }) => c.id), [open.chat.id], '_ is a literal in a search, not a wildcard');
    assert.deepEqual((await reader.client.call('chats.search', { query: '%' })).chats, []);
    const preview = await reader.client.call('messages.getHistory', { peer: { type: 'chat', chatId: open.chat.id } });
    assert.deepEqual(preview.messages, []);
    await rejects(reader.client.call('chats.join', { chatId: closed.chat.id }), 'CHANNEL_PRIVATE');
    const link = (await owner.client.call('chats.exportInviteLink', { chatId: closed.chat.id })).invite;
    const joined = await reader.client.call('chats.joinByLink', { hash: link.hash });
    assert.equal(joined.chat.type, 'channel');
    assert.equal(joined.chat.myRole, 'member');
  });

  test('[CHN3] each subscriber counts once in a post’s views, from any device, however often', async () => {
    const owner = await user('Editor');
    const { chat } = await owner.client.call('chats.createChannel', { title: 'Views', username: 'views_channel' });
    const post = await owner.client.call('messages.send', { peer: { type: 'chat', chatId: chat.id }, text: 'count me', randomId: rid() });
    const peer = { type: 'chat', chatId: chat.id };
    const readers = [await user('R1'), await user('R2')];
    for (const reader of readers) await reader.client.call('chats.join', { chatId: chat.id });
    const secondDevice = await RawClient.open(t.server.wsUrl);
    users.track(secondDevice);
    await secondDevice.hello(readers[0]!.token);
    for (const client of [readers[0]!.client, secondDevice, readers[0]!.client, readers[1]!.client]) {
      await client.call('messages.getViews', { peer, messageIds: [post.message.id], increment: true });
    }
    const seen = await owner.client.call('messages.getViews', { peer, messageIds: [post.message.id], increment: false });
    assert.deepEqual(seen.views, [{ messageId: post.message.id, views: 2 }]);
    const history = await readers[1]!.client.call('messages.getHistory', { peer });
    assert.equal(history.messages[0].views, 2);
  });

  test('[CHN4] with signatures on, posts carry the posting admin’s name', async () => {
    const owner = await user('Anna Editor');
    const { chat } = await owner.client.call('chats.createChannel', { title: 'Signed' });
    const peer = { type: 'chat', chatId: chat.id };
    const unsigned = await owner.client.call('messages.send', { peer, text: 'anonymous', randomId: rid() });
    assert.equal(unsigned.message.signature, null);
    await owner.client.call('chats.setSettings', { chatId: chat.id, hasSignatures: true });
    const signed = await owner.client.call('messages.send', { peer, text: 'signed', randomId: rid() });
    assert.equal(signed.message.signature, 'Anna Editor');
  });

  test('[CHN5] a channel with a discussion group gets a comment thread for each post', async () => {
    const owner = await user('Editor');
    const reader = await user('Commenter');
    const { chat: channel } = await owner.client.call('chats.createChannel', { title: 'Commented', username: 'commented_channel' });
    const { chat: group } = await owner.client.call('chats.createGroup', { title: 'Commented chat', userIds: [] });
    await owner.client.call('chats.setUsername', { chatId: group.id, username: 'commented_chat' });
    await owner.client.call('chats.setLinkedChat', { chatId: channel.id, linkedChatId: group.id });
    const post = await owner.client.call('messages.send', { peer: { type: 'chat', chatId: channel.id }, text: 'What do you think?', randomId: rid() });
    const thread = await reader.client.call('messages.getDiscussion', { peer: { type: 'chat', chatId: channel.id }, messageId: post.message.id });
    assert.equal(thread.chatId, group.id);
    await reader.client.call('chats.join', { chatId: group.id });
    const groupPeer = { type: 'chat', chatId: group.id };
    await reader.client.call('messages.send', { peer: groupPeer, text: 'first comment', replyToId: thread.messageId, randomId: rid() });
    const reply = await reader.client.call('messages.send', { peer: groupPeer, text: 'second', replyToId: thread.messageId, randomId: rid() });
    const nested = await owner.client.call('messages.send', { peer: groupPeer, text: 'reply to a comment', replyToId: reply.message.id, randomId: rid() });
    await owner.client.call('messages.send', { peer: groupPeer, text: 'off topic', randomId: rid() });
    const comments = await reader.client.call('messages.getHistory', { peer: groupPeer, threadId: thread.messageId });
    assert.deepEqual(comments.messages.map((m: { text: string }) => m.text), ['reply to a comment', 'second', 'first comment']);
    assert.equal(nested.message.replyToId, reply.message.id);
    const copy = (await reader.client.call('messages.getHistory', { peer: groupPeer, offsetId: thread.messageId + 1, limit: 1 })).messages[0];
    assert.deepEqual(copy.forward, { fromChatId: channel.id, fromMessageId: post.message.id, fromUserId: null, fromName: 'Commented', date: post.message.date });
  });

  test('[CHN6] a subscriber who was away catches up from the channel’s own sequence, in order', async () => {
    const owner = await user('Editor');
    const reader = await user('Away');
    const { chat } = await owner.client.call('chats.createChannel', { title: 'Catch-up', username: 'catchup_channel' });
    const joined = await reader.client.call('chats.join', { chatId: chat.id });
    const from = joined.chat.pts;
    reader.client.close();
    const peer = { type: 'chat', chatId: chat.id };
    for (let i = 0; i < 30; i++) await owner.client.call('messages.send', { peer, text: `post ${i}`, randomId: rid() });
    await owner.client.call('messages.edit', { peer, messageId: 3, text: 'post 2 (corrected)' });
    await owner.client.call('messages.delete', { peer, messageIds: [5], forEveryone: true });
    const back = await RawClient.open(t.server.wsUrl);
    users.track(back);
    await back.hello(reader.token);
    const { chats } = await back.call('messages.getChats', {});
    const listed = chats.find((c: { id: number }) => c.id === chat.id);
    assert.equal(listed.pts, from + 32);
    const slice1 = await back.call('updates.getChatDifference', { chatId: chat.id, pts: from, limit: 20 });
    const slice2 = await back.call('updates.getChatDifference', { chatId: chat.id, pts: slice1.state.pts });
    const all: Update[] = [...slice1.updates, ...slice2.updates];
    assert.deepEqual(all.map((u) => u.pts), Array.from({ length: 32 }, (_, i) => from + 1 + i));
    assert.equal(slice2.isFinal, true);
    const types = all.map((u) => u.type);
    assert.equal(types.filter((type) => type === 'newMessage').length, 29);
    assert.deepEqual(all[4], { type: 'deleteMessages', pts: from + 5, chatId: chat.id, messageIds: [5] }, 'a deleted post keeps its place as a deletion');
    assert.equal((all[2] as { message: { text: string } }).message.text, 'post 2 (corrected)');
  });
});
