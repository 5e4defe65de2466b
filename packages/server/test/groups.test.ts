import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Sqlite from 'better-sqlite3';
import { ManualClock } from '../src/index.ts';
import { RawClient, rejects, startTestServer, testUsers } from './harness.ts';

describe('groups', () => {
  const clock = new ManualClock(Date.now());
  let t: Awaited<ReturnType<typeof startTestServer>>;
  const users = testUsers(() => t.server.wsUrl, 2);
  const user = users.user;
  let counter = 0;
  const rid = () => `group-${++counter}-xxxxxx`;
  before(async () => {
    t = await startTestServer({ clock, connectionLimits: { frames: { capacity: 10_000, perSecond: 10_000 }, maxInFlight: 512 } });
  });
  after(async () => {
    users.closeAll();
    await t.stop();
  });
  const now = () => Math.floor(clock.nowMs() / 1000);

  test('[GRP1] creating a group tells each member in their own sequence and pushes its messages on the chat sequence', async () => {
    const owner = await user('Owner');
    const member = await user('Member');
    const created = await owner.client.call('chats.createGroup', { title: '  Protest logistics ', userIds: [member.id] });
    assert.equal(created.chat.title, 'Protest logistics');
    assert.equal(created.chat.memberCount, 2);
    assert.equal(created.chat.myRole, 'owner');
    await member.client.waitForUpdates((updates) => updates.some((u) => u.type === 'chatJoined' && u.chatId === created.chat.id));
    const sent = await owner.client.call('messages.send', { peer: { type: 'chat', chatId: created.chat.id }, text: 'meet at 6', randomId: rid() });
    assert.deepEqual(sent.updates.map((u: { chatId: number }) => u.chatId), [created.chat.id]);
    await member.client.waitForChatUpdates((updates) => updates.some((u) => u.update.type === 'newMessage'));
    const pushed = member.client.chatUpdates.find((u) => u.update.type === 'newMessage')!;
    assert.equal(pushed.update.pts, sent.updates[0].update.pts);
    const { chats, users } = await member.client.call('messages.getChats', {});
    assert.ok(users.some((u: { id: number }) => u.id === owner.id), 'the author of the last message is among the users');
    assert.equal(chats[0].id, created.chat.id);
    assert.equal(chats[0].unreadCount, 1);
    assert.equal(chats[0].pts, sent.updates[0].update.pts);
    await rejects(owner.client.call('chats.createGroup', { title: '   ', userIds: [] }), 'CHAT_TITLE_EMPTY');
    await rejects(owner.client.call('chats.createGroup', { title: 'x', userIds: [999_999] }), 'PEER_ID_INVALID');
  });

  test('[GRP2] invite links join people until they expire, are used up or revoked', async () => {
    const owner = await user('Owner');
    const [a, b, c, d] = [await user('A'), await user('B'), await user('C'), await user('D')];
    const { chat } = await owner.client.call('chats.createGroup', { title: 'Link group', userIds: [] });
    const limited = (await owner.client.call('chats.exportInviteLink', { chatId: chat.id, usageLimit: 1 })).invite;
    assert.match(limited.link, /^http:\/\/127\.0\.0\.1:\d+\/\+[\w-]+$/);
    const preview = await a.client.call('chats.checkInviteLink', { hash: limited.hash });
    assert.deepEqual(preview, { chatId: null, type: 'group', title: 'Link group', about: '', memberCount: 1 });
    const joined = await a.client.call('chats.joinByLink', { hash: limited.hash });
    assert.equal(joined.chat.memberCount, 2);
    await rejects(a.client.call('chats.joinByLink', { hash: limited.hash }), 'USER_ALREADY_PARTICIPANT');
    await rejects(b.client.call('chats.joinByLink', { hash: limited.hash }), 'INVITE_HASH_EXPIRED');
    const expiring = (await owner.client.call('chats.exportInviteLink', { chatId: chat.id, expireDate: now() + 60 })).invite;
    await b.client.call('chats.joinByLink', { hash: expiring.hash });
    clock.advance(61_000);
    await rejects(c.client.call('chats.joinByLink', { hash: expiring.hash }), 'INVITE_HASH_EXPIRED');
    const revoked = (await owner.client.call('chats.exportInviteLink', { chatId: chat.id })).invite;
    await owner.client.call('chats.revokeInviteLink', { chatId: chat.id, hash: revoked.hash });
    await rejects(d.client.call('chats.joinByLink', { hash: revoked.hash }), 'INVITE_HASH_EXPIRED');
    await rejects(d.client.call('chats.joinByLink', { hash: 'no-such-link' }), 'INVITE_HASH_INVALID');
    const links = (await owner.client.call('chats.getInviteLinks', { chatId: chat.id })).invites;
    assert.equal(links.length, 3);
  });

  test('[GRP3] a public group is found by @username, joined without a link, and a private one is not joinable', async () => {
    const owner = await user('Owner');
    const joiner = await user('Joiner');
    const { chat } = await owner.client.call('chats.createGroup', { title: 'Open city', userIds: [] });
    await rejects(joiner.client.call('chats.join', { chatId: chat.id }), 'CHANNEL_PRIVATE');
    await owner.client.call('chats.setUsername', { chatId: chat.id, username: 'open_city_group' });
    await rejects(joiner.client.call('account.setUsername', { username: 'Open_City_Group' }), 'USERNAME_OCCUPIED');
    const found = await joiner.client.call('chats.resolveUsername', { username: '@open_city_group' });
    assert.equal(found.chat.id, chat.id);
    assert.equal(found.chat.myRole, null);
    const joined = await joiner.client.call('chats.join', { chatId: chat.id });
    assert.equal(joined.chat.myRole, 'member');
    const search = await joiner.client.call('chats.search', { query: 'open ci' });
    assert.deepEqual(search.chats.map((c: { id: number }) => c.id), [chat.id]);
  });

  test('[GRP4] admins act within their rights, bans keep people out, unbans let them back', async () => {
    const owner = await user('Owner');
    const admin = await user('Admin');
    const member = await user('Member');
    const { chat } = await owner.client.call('chats.createGroup', { title: 'Rights', userIds: [admin.id, member.id] });
    await owner.client.call('chats.setAdmin', { chatId: chat.id, userId: admin.id, rights: { changeInfo: false, deleteMessages: false, banUsers: true, inviteUsers: true, pinMessages: false, addAdmins: true, postMessages: false } });
    const grantTooMuch = await rejects(
      admin.client.call('chats.setAdmin', { chatId: chat.id, userId: member.id, rights: { changeInfo: true, deleteMessages: false, banUsers: false, inviteUsers: false, pinMessages: false, addAdmins: false, postMessages: false } }),
      'CHAT_ADMIN_REQUIRED',
    );
    assert.match(grantTooMuch.message, /changeInfo/);
    await rejects(admin.client.call('chats.ban', { chatId: chat.id, userId: owner.id, untilDate: null }), 'CHAT_ADMIN_REQUIRED');
    const link = (await owner.client.call('chats.exportInviteLink', { chatId: chat.id })).invite;
    await admin.client.call('chats.ban', { chatId: chat.id, userId: member.id, untilDate: null });
    await member.client.waitForUpdates((updates) => updates.some((u) => u.type === 'chatLeft' && u.chatId === chat.id));
    await rejects(member.client.call('chats.joinByLink', { hash: link.hash }), 'USER_BANNED_IN_CHANNEL');
    await rejects(member.client.call('messages.getHistory', { peer: { type: 'chat', chatId: chat.id } }), 'USER_BANNED_IN_CHANNEL');
    const banned = await owner.client.call('chats.getMembers', { chatId: chat.id, filter: 'banned' });
    assert.deepEqual(banned.members.map((m: { userId: number }) => m.userId), [member.id]);
    await admin.client.call('chats.unban', { chatId: chat.id, userId: member.id });
    await member.client.call('chats.joinByLink', { hash: link.hash });
    const admins = await member.client.call('chats.getMembers', { chatId: chat.id, filter: 'admins' });
    assert.deepEqual(admins.members.map((m: { userId: number; role: string }) => [m.userId, m.role]).sort(), [[owner.id, 'owner'], [admin.id, 'admin']].sort());
  });

  test('[GRP4] a temporary ban ends by itself', async () => {
    const owner = await user('Owner');
    const member = await user('Member');
    const { chat } = await owner.client.call('chats.createGroup', { title: 'Cooling off', userIds: [member.id] });
    const link = (await owner.client.call('chats.exportInviteLink', { chatId: chat.id })).invite;
    await owner.client.call('chats.ban', { chatId: chat.id, userId: member.id, untilDate: now() + 600 });
    await rejects(member.client.call('chats.joinByLink', { hash: link.hash }), 'USER_BANNED_IN_CHANNEL');
    clock.advance(601_000);
    await member.client.call('chats.joinByLink', { hash: link.hash });
  });

  test('[GRP5] slow mode lets a member send once per interval with a retry-after, and admins are exempt', async () => {
    const owner = await user('Owner');
    const member = await user('Member');
    const { chat } = await owner.client.call('chats.createGroup', { title: 'Slow', userIds: [member.id] });
    await rejects(owner.client.call('chats.setSettings', { chatId: chat.id }), 'CHAT_NOT_MODIFIED');
    await owner.client.call('chats.setSettings', { chatId: chat.id, slowModeSeconds: 30 });
    const peer = { type: 'chat', chatId: chat.id };
    await member.client.call('messages.send', { peer, text: 'one', randomId: rid() });
    const wait = await rejects(member.client.call('messages.send', { peer, text: 'two', randomId: rid() }), 'SLOWMODE_WAIT');
    assert.equal(wait.retryAfterSeconds, 30);
    await owner.client.call('messages.send', { peer, text: 'admin 1', randomId: rid() });
    await owner.client.call('messages.send', { peer, text: 'admin 2', randomId: rid() });
    clock.advance(30_000);
    await member.client.call('messages.send', { peer, text: 'two', randomId: rid() });
    // Two sends at once cannot both pass one interval.
    clock.advance(30_000);
    const both = await Promise.allSettled([
      member.client.call('messages.send', { peer, text: 'race a', randomId: rid() }),
      member.client.call('messages.send', { peer, text: 'race b', randomId: rid() }),
    ]);
    assert.deepEqual(both.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  });

  test('[GRP6] leaving stops the pushes and tells the leaver’s devices', async () => {
    const owner = await user('Owner');
    const member = await user('Member');
    const { chat } = await owner.client.call('chats.createGroup', { title: 'Leaving', userIds: [member.id] });
    const second = await RawClient.open(t.server.wsUrl);
    users.track(second);
    await second.hello(member.token);
    await member.client.call('chats.leave', { chatId: chat.id });
    await second.waitForUpdates((updates) => updates.some((u) => u.type === 'chatLeft' && u.chatId === chat.id));
    const before = member.client.chatUpdates.length + second.chatUpdates.length;
    await owner.client.call('messages.send', { peer: { type: 'chat', chatId: chat.id }, text: 'after you left', randomId: rid() });
    await new Promise((done) => setTimeout(done, 100));
    assert.equal(member.client.chatUpdates.length + second.chatUpdates.length, before);
    await rejects(member.client.call('messages.getHistory', { peer: { type: 'chat', chatId: chat.id } }), 'CHANNEL_PRIVATE');
    const owners = await owner.client.call('chats.getMembers', { chatId: chat.id });
    assert.equal(owners.count, 1);
  });

  test('[GRP7] joining a group with a long history writes two update rows and nothing per message or member', async () => {
    const owner = await user('Owner');
    const { chat } = await owner.client.call('chats.createGroup', { title: 'Long history', userIds: [] });
    await owner.client.call('chats.setUsername', { chatId: chat.id, username: 'long_history_group' });
    const peer = { type: 'chat', chatId: chat.id };
    for (let chunk = 0; chunk < 1000; chunk += 200) {
      await Promise.all(Array.from({ length: 200 }, (_, i) => owner.client.call('messages.send', { peer, text: `old ${chunk + i}`, randomId: rid() })));
    }
    const joiner = await user('Joiner');
    const db = new Sqlite(t.server.databasePath, { readonly: true });
    const count = () => Object.fromEntries(
      ['updates', 'chat_updates', 'chat_members', 'messages', 'hidden_messages', 'message_views'].map((table) => [table, (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n]),
    );
    const before = count();
    const joined = await joiner.client.call('chats.join', { chatId: chat.id });
    const after = count();
    db.close();
    assert.deepEqual(
      Object.fromEntries(Object.keys(before).map((table) => [table, after[table]! - before[table]!])),
      { updates: 1, chat_updates: 1, chat_members: 1, messages: 0, hidden_messages: 0, message_views: 0 },
    );
    assert.equal(joined.chat.unreadCount, 0, 'history from before joining counts as read');
    const history = await joiner.client.call('messages.getHistory', { peer, limit: 5 });
    assert.deepEqual(history.messages.map((m: { text: string }) => m.text), ['old 999', 'old 998', 'old 997', 'old 996', 'old 995']);
  });

  test('[GRP8] a group holds at most 200,000 members', async () => {
    const owner = await user('Owner');
    const joiner = await user('Joiner');
    const { chat } = await owner.client.call('chats.createGroup', { title: 'Full', userIds: [] });
    await owner.client.call('chats.setUsername', { chatId: chat.id, username: 'full_group_test' });
    const db = new Sqlite(t.server.databasePath);
    db.prepare('UPDATE chats SET member_count = 200000 WHERE id = ?').run(chat.id);
    db.close();
    await rejects(joiner.client.call('chats.join', { chatId: chat.id }), 'USERS_TOO_MUCH');
  });
});
