import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Sqlite from 'better-sqlite3';
import type { Update } from '@samizdat/protocol';
import { ManualClock } from '../src/index.ts';
import { RawClient, rejects, startTestServer, testUsers } from './harness.ts';

describe('the message model', () => {
  const clock = new ManualClock(Date.now());
  let t: Awaited<ReturnType<typeof startTestServer>>;
  const users = testUsers(() => t.server.wsUrl, 4);
  const user = users.user;
  let counter = 0;
  const rid = () => `model-${++counter}-xxxxxx`;
  before(async () => {
    t = await startTestServer({ clock, connectionLimits: { frames: { capacity: 10_000, perSecond: 10_000 }, maxInFlight: 512 } });
  });
  after(async () => {
    users.closeAll();
    await t.stop();
  });
  async function pair() {
    const a = await user('Ann');
    const b = await user('Ben');
    return { a, b, toB: { type: 'user', userId: b.id }, toA: { type: 'user', userId: a.id } };
  }
  const send = (client: RawClient, peer: unknown, text: string, extra: object = {}) =>
    client.call('messages.send', { peer, text, randomId: rid(), ...extra }).then((r) => r.message);

  test('[MM1] a reply names the message it answers; a reply to nothing is MESSAGE_ID_INVALID', async () => {
    const { a, b, toB, toA } = await pair();
    const question = await send(a.client, toB, 'coming tonight?');
    const answer = await send(b.client, toA, 'yes', { replyToId: question.id });
    assert.equal(answer.replyToId, question.id);
    await rejects(send(b.client, toA, 'to nothing', { replyToId: 999 }), 'MESSAGE_ID_INVALID');
  });

  test('[MM2] forwarding keeps where a message first came from, at most 100 at once, never out of a no-forwards chat', async () => {
    const { a, b, toB } = await pair();
    const c = await user('Cat');
    const original = await send(a.client, toB, 'pass it on');
    const once = await b.client.call('messages.forward', { fromPeer: { type: 'user', userId: a.id }, messageIds: [original.id], toPeer: { type: 'user', userId: c.id }, randomIds: [rid()] });
    assert.deepEqual(once.messages[0].forward, { fromChatId: null, fromMessageId: null, fromUserId: a.id, fromName: 'Ann', date: original.date });
    assert.equal(once.messages[0].text, 'pass it on');
    const twice = await c.client.call('messages.forward', { fromPeer: { type: 'user', userId: b.id }, messageIds: [once.messages[0].id], toPeer: { type: 'user', userId: a.id }, randomIds: [rid()] });
    assert.equal(twice.messages[0].forward.fromUserId, a.id, 'a forward of a forward names the first author');
    const many = Array.from({ length: 101 }, (_, i) => i + 1);
    await rejects(b.client.call('messages.forward', { fromPeer: { type: 'user', userId: a.id }, messageIds: many, toPeer: toB, randomIds: many.map(() => rid()) }), 'PARAMS_INVALID');
    const { chat } = await a.client.call('chats.createGroup', { title: 'Closed', userIds: [b.id] });
    const secret = await send(a.client, { type: 'chat', chatId: chat.id }, 'do not share');
    await a.client.call('chats.setSettings', { chatId: chat.id, hasNoForwards: true });
    await rejects(b.client.call('messages.forward', { fromPeer: { type: 'chat', chatId: chat.id }, messageIds: [secret.id], toPeer: { type: 'user', userId: c.id }, randomIds: [rid()] }), 'CHAT_FORWARDS_RESTRICTED');
  });

  test('[MM3] the author edits within 48 hours and the edit shows; nobody else can', async () => {
    const { a, b, toB, toA } = await pair();
    const message = await send(a.client, toB, 'typo hree');
    const edited = await a.client.call('messages.edit', { peer: toB, messageId: message.id, text: 'typo here' });
    assert.equal(edited.message.text, 'typo here');
    assert.equal(edited.message.editDate, Math.floor(clock.nowMs() / 1000));
    await b.client.waitForUpdates((updates) => updates.some((u) => u.type === 'editMessage'));
    await rejects(a.client.call('messages.edit', { peer: toB, messageId: message.id, text: 'typo here' }), 'MESSAGE_NOT_MODIFIED');
    await rejects(b.client.call('messages.edit', { peer: toA, messageId: message.id, text: 'hijack' }), 'MESSAGE_AUTHOR_REQUIRED');
    clock.advance(48 * 3600 * 1000 + 1000);
    await rejects(a.client.call('messages.edit', { peer: toB, messageId: message.id, text: 'too late' }), 'MESSAGE_EDIT_TIME_EXPIRED');
  });

  test('[MM4] delete for me hides a message from me only; delete for everyone wipes it for all, text included', async () => {
    const { a, b, toB, toA } = await pair();
    const mine = await send(a.client, toB, 'HIDE-ME-ONLY');
    const gone = await send(a.client, toB, 'WIPE-ME-EVERYWHERE');
    await a.client.call('messages.delete', { peer: toB, messageIds: [mine.id], forEveryone: false });
    const aSees = (await a.client.call('messages.getHistory', { peer: toB })).messages.map((m: { id: number }) => m.id);
    const bSees = (await b.client.call('messages.getHistory', { peer: toA })).messages.map((m: { id: number }) => m.id);
    assert.deepEqual([aSees, bSees], [[gone.id], [gone.id, mine.id]]);
    await b.client.call('messages.delete', { peer: toA, messageIds: [gone.id], forEveryone: true });
    await a.client.waitForUpdates((updates) => updates.some((u) => u.type === 'deleteMessages' && u.messageIds.includes(gone.id)));
    assert.deepEqual((await a.client.call('messages.getHistory', { peer: toB })).messages, []);
    const db = new Sqlite(t.server.databasePath, { readonly: true });
    const row = db.prepare('SELECT length(text_sealed) AS n, is_deleted FROM messages WHERE chat_id = ? AND id = ?').get(gone.chatId, gone.id) as { n: number; is_deleted: number };
    db.close();
    assert.deepEqual(row, { n: 0, is_deleted: 1 }, 'the sealed text is gone from the store');
    const { chat } = await a.client.call('chats.createGroup', { title: 'G', userIds: [b.id] });
    const theirs = await send(a.client, { type: 'chat', chatId: chat.id }, 'admin-only delete');
    await rejects(b.client.call('messages.delete', { peer: { type: 'chat', chatId: chat.id }, messageIds: [theirs.id], forEveryone: true }), 'MESSAGE_AUTHOR_REQUIRED');
  });

  test('[MM5] one reaction per user per message, up to 11 distinct emoji, and only emoji', async () => {
    const owner = await user('Owner');
    const { chat } = await owner.client.call('chats.createGroup', { title: 'Reactions', userIds: [] });
    await owner.client.call('chats.setUsername', { chatId: chat.id, username: 'reaction_group' });
    const peer = { type: 'chat', chatId: chat.id };
    const message = await send(owner.client, peer, 'react!');
    const emoji = ['👍', '❤️', '🔥', '😂', '😮', '😢', '🎉', '🙏', '👏', '🤔', '💯', '👎'];
    const reactors = [];
    for (let i = 0; i < 12; i++) {
      const reactor = await user(`R${i}`);
      await reactor.client.call('chats.join', { chatId: chat.id });
      reactors.push(reactor);
    }
    for (let i = 0; i < 11; i++) await reactors[i]!.client.call('messages.react', { peer, messageId: message.id, emoji: emoji[i] });
    await rejects(reactors[11]!.client.call('messages.react', { peer, messageId: message.id, emoji: '👎' }), 'REACTIONS_TOO_MANY');
    await reactors[11]!.client.call('messages.react', { peer, messageId: message.id, emoji: '👍' });
    await reactors[0]!.client.call('messages.react', { peer, messageId: message.id, emoji: '🔥' });
    const result = await reactors[1]!.client.call('messages.react', { peer, messageId: message.id, emoji: null });
    const reactions = result.updates[0].update.reactions as { emoji: string; count: number }[];
    assert.deepEqual(reactions[0], { emoji: '🔥', count: 2 });
    assert.ok(reactions.some((r) => r.emoji === '👍' && r.count === 1), 'a new reactor may use an emoji already there');
    assert.equal(reactions.reduce((sum, r) => sum + r.count, 0), 11);
    assert.ok(!reactions.some((r) => r.emoji === '❤️'));
    await rejects(owner.client.call('messages.react', { peer, messageId: message.id, emoji: 'lol' }), 'REACTION_INVALID');
  });

  test('[MM6] pinning and unpinning notify the chat and show on it', async () => {
    const { a, b, toB, toA } = await pair();
    const message = await send(a.client, toB, 'the address');
    await b.client.call('messages.pin', { peer: toA, messageId: message.id });
    await a.client.waitForUpdates((updates) => updates.some((u) => u.type === 'pinnedMessage' && u.messageId === message.id));
    assert.equal((await a.client.call('messages.getChats', {})).chats[0].pinnedMessageId, message.id);
    await a.client.call('messages.pin', { peer: toB, messageId: null });
    await b.client.waitForUpdates((updates) => updates.some((u) => u.type === 'pinnedMessage' && u.messageId === null));
  });

  test('[MM7] in a group, readers are named (up to 100 members) and the sender learns the message was read', async () => {
    const owner = await user('Owner');
    const r1 = await user('Reader 1');
    const r2 = await user('Reader 2');
    const { chat } = await owner.client.call('chats.createGroup', { title: 'Receipts', userIds: [r1.id, r2.id] });
    const peer = { type: 'chat', chatId: chat.id };
    const message = await send(owner.client, peer, 'did you read this?');
    await r1.client.call('messages.readHistory', { peer, maxId: message.id });
    await owner.client.waitForChatUpdates((updates) => updates.some((u) => u.update.type === 'readHistoryOutbox' && u.update.maxId === message.id));
    await r2.client.call('messages.readHistory', { peer, maxId: message.id });
    const readers = await owner.client.call('messages.getReadParticipants', { peer, messageId: message.id });
    assert.deepEqual({ count: readers.count, userIds: [...readers.userIds].sort() }, { count: 2, userIds: [r1.id, r2.id].sort() });
    assert.equal(owner.client.chatUpdates.filter((u) => u.update.type === 'readHistoryOutbox').length, 1, 'only the first read moves the chat');
  });

  test('[MM8] typing shows to the others for 6 seconds and is never stored', async () => {
    const { a, b, toB } = await pair();
    const before = new Sqlite(t.server.databasePath, { readonly: true });
    const rows = () => (before.prepare('SELECT (SELECT COUNT(*) FROM updates) + (SELECT COUNT(*) FROM chat_updates) AS n').get() as { n: number }).n;
    const count = rows();
    await a.client.call('messages.setTyping', { peer: toB, action: 'typing' });
    await new Promise((done) => setTimeout(done, 50));
    const typing = b.client.frames.find((f) => f.type === 'typing');
    assert.deepEqual(typing, { type: 'typing', chatId: typing?.type === 'typing' ? typing.chatId : 0, userId: a.id, action: 'typing', expiresAt: Math.floor(clock.nowMs() / 1000) + 6 });
    assert.ok(!a.client.frames.some((f) => f.type === 'typing'), 'the typer is not told about themself');
    assert.equal(rows(), count);
    before.close();
  });

  test('[MM9] online and last seen are shown only as the user’s privacy allows', async () => {
    const { a, b } = await pair();
    const stranger = await user('Stranger');
    const status = async (viewer: RawClient) => (await viewer.call('users.getStatuses', { userIds: [a.id] })).statuses[0].status.type;
    assert.equal(await status(stranger.client), 'online');
    await a.client.call('account.setPrivacy', { lastSeenVisibility: 'contacts' });
    await a.client.call('contacts.add', { userId: b.id });
    assert.equal(await status(b.client), 'online');
    assert.equal(await status(stranger.client), 'hidden');
    await a.client.call('account.setPrivacy', { lastSeenVisibility: 'nobody' });
    assert.equal(await status(b.client), 'hidden');
    await a.client.call('account.setPrivacy', { lastSeenVisibility: 'everybody' });
    await send(b.client, { type: 'user', userId: a.id }, 'so we are peers');
    a.client.close();
    const went = Date.now();
    while (!b.client.frames.some((f) => f.type === 'presence' && f.userId === a.id && f.status.type === 'offline') && Date.now() - went < 3000) {
      await new Promise((done) => setTimeout(done, 10));
    }
    assert.equal(await status(stranger.client), 'offline');
    assert.ok(b.client.frames.some((f) => f.type === 'presence' && f.userId === a.id && f.status.type === 'offline'), 'a chat peer hears of it');
  });

  test('[MM10] a draft typed on one device shows on the others and in the chat list; mute too', async () => {
    const { a, b, toB } = await pair();
    const other = await RawClient.open(t.server.wsUrl);
    users.track(other);
    await other.hello(a.token);
    await a.client.call('messages.saveDraft', { peer: toB, text: 'half a thought' });
    await other.waitForUpdates((updates) => updates.some((u) => u.type === 'draft' && u.draft?.text === 'half a thought'));
    const until = Math.floor(clock.nowMs() / 1000) + 3600;
    await a.client.call('account.setMute', { peer: toB, mutedUntil: until });
    await other.waitForUpdates((updates) => updates.some((u) => u.type === 'chatMuted' && u.mutedUntil === until));
    await send(b.client, { type: 'user', userId: a.id }, 'so the chat shows');
    const listed = (await other.call('messages.getChats', {})).chats[0];
    assert.deepEqual([listed.draft.text, listed.mutedUntil], ['half a thought', until]);
    await a.client.call('messages.saveDraft', { peer: toB, text: '' });
    await other.waitForUpdates((updates) => updates.some((u) => u.type === 'draft' && u.draft === null));
  });

  test('[MM11] search finds messages by text in a chat, though the text is sealed at rest', async () => {
    const { a, toB } = await pair();
    for (let i = 0; i < 30; i++) await send(a.client, toB, i % 10 === 0 ? `Meeting point ${i}` : `chatter ${i}`);
    const found = await a.client.call('messages.search', { peer: toB, query: 'MEETING' });
    assert.deepEqual(found.messages.map((m: { text: string }) => m.text), ['Meeting point 20', 'Meeting point 10', 'Meeting point 0']);
    const page = await a.client.call('messages.search', { peer: toB, query: 'meeting', limit: 1, offsetId: found.messages[0].id });
    assert.deepEqual(page.messages.map((m: { text: string }) => m.text), ['Meeting point 10']);
  });

  test('[MM12] entities are kept as offsets, checked against the text, and links, mentions and hashtags are found', async () => {
    const { a, toB } = await pair();
    const message = await send(a.client, toB, 'Bold move: see https://example.org/a?b=1, ask @someone_here #freedom', {
      entities: [{ type: 'bold', offset: 0, length: 4 }, { type: 'textUrl', offset: 5, length: 4, url: 'https://example.org/' }],
    });
    assert.deepEqual(message.entities.map((e: { type: string; offset: number; length: number }) => [e.type, e.offset, e.length]), [
      ['bold', 0, 4], ['textUrl', 5, 4], ['url', 15, 25], ['mention', 46, 13], ['hashtag', 60, 8],
    ]);
    await rejects(send(a.client, toB, 'short', { entities: [{ type: 'bold', offset: 3, length: 5 }] }), 'ENTITY_BOUNDS_INVALID');
  });

  test('[MM13] a device away during edits, reactions, pins and deletions ends in the same state after catching up', async () => {
    const { a, b, toB, toA } = await pair();
    const { pts } = await b.client.call('updates.getState');
    b.client.close();
    const m1 = await send(a.client, toB, 'one');
    const m2 = await send(a.client, toB, 'two');
    await a.client.call('messages.edit', { peer: toB, messageId: m1.id, text: 'one (edited)' });
    await a.client.call('messages.react', { peer: toB, messageId: m1.id, emoji: '👍' });
    await a.client.call('messages.pin', { peer: toB, messageId: m1.id });
    await a.client.call('messages.delete', { peer: toB, messageIds: [m2.id], forEveryone: true });
    const back = await RawClient.open(t.server.wsUrl);
    users.track(back);
    await back.hello(b.token);
    const difference = await back.call('updates.getDifference', { pts });
    const types = (difference.updates as Update[]).map((u) => u.type);
    assert.deepEqual(types, ['newMessage', 'deleteMessages', 'editMessage', 'messageReactions', 'pinnedMessage', 'deleteMessages']);
    const edited = (difference.updates as Update[])[0] as Extract<Update, { type: 'newMessage' }>;
    assert.deepEqual([edited.message.text, edited.message.reactions], ['one (edited)', [{ emoji: '👍', count: 1 }]]);
    const history = await back.call('messages.getHistory', { peer: toA });
    assert.deepEqual(history.messages.map((m: { text: string }) => m.text), ['one (edited)']);
  });
});
