import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Sqlite from 'better-sqlite3';
import { BLOCK_CATEGORIES, METHODS, type ModerationQueueItem, type Update } from '@samizdat/protocol';
import { grantRole } from '../src/index.ts';
import { RawClient, rejects, startTestServer, testUsers, type TestUser } from './harness.ts';

describe('moderation', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>;
  const users = testUsers(() => t.server.wsUrl, 6);
  const user = users.user;
  let counter = 0;
  const rid = () => `moderation-${++counter}-xxxxxx`;
  let moderator: TestUser;
  let second: TestUser;
  before(async () => {
    t = await startTestServer();
    moderator = await user('Moderator One');
    second = await user('Moderator Two');
    await grantRole(t.server.databasePath, 'moderator', { userId: moderator.id });
    await grantRole(t.server.databasePath, 'moderator', { phone: second.phone });
  });
  after(async () => {
    users.closeAll();
    await t.stop();
  });
  const query = <T>(sql: string, ...args: unknown[]): T[] => {
    const db = new Sqlite(t.server.databasePath, { readonly: true });
    try {
      return db.prepare(sql).all(...args) as T[];
    } finally {
      db.close();
    }
  };
  const send = (from: TestUser, peer: object, text: string) => from.call('messages.send', { peer, text, randomId: rid() });
  const queueHas = async (target: object) =>
    ((await moderator.call('moderation.getQueue', { limit: 100 })).items as ModerationQueueItem[]).some((item) => JSON.stringify(item.target) === JSON.stringify(target));
  const publicChannel = async (owner: TestUser, username: string) => (await owner.call('chats.createChannel', { title: `Channel ${username}`, username })).chat;

  test('[TS4] only accounts the operator made moderators on the data folder moderate; everyone else gets ROLE_REQUIRED', async () => {
    const someone = await user('Someone');
    const target = { type: 'user', userId: moderator.id };
    await rejects(someone.call('moderation.getQueue', {}), 'ROLE_REQUIRED');
    await rejects(someone.call('moderation.act', { target, action: 'dismiss', note: 'no' }), 'ROLE_REQUIRED');
    await rejects(someone.call('moderation.getAppeals', {}), 'ROLE_REQUIRED');
    await rejects(someone.call('moderation.decideAppeal', { appealId: 1, decision: 'lifted', note: 'no' }), 'ROLE_REQUIRED');
    await someone.call('account.setUsername', { username: 'ts4_new_moderator' });
    assert.deepEqual(await grantRole(t.server.databasePath, 'moderator', { username: 'ts4_new_moderator' }), { userId: someone.id });
    assert.deepEqual(await someone.call('moderation.getAppeals', {}), { appeals: [] });
    await assert.rejects(grantRole(t.server.databasePath, 'moderator', { phone: '+15550000000' }), /no account/);
    await assert.rejects(grantRole(`${t.server.databasePath}.missing`, 'moderator', { userId: someone.id }), /no such database/);
  });

  test('[TS7] the moderation API offers no category for political speech and no block per country', async () => {
    assert.deepEqual([...BLOCK_CATEGORIES], ['terrorism', 'childAbuse', 'pornography', 'copyright', 'illegalGoods', 'fraud']);
    const params = METHODS['moderation.act'].params;
    assert.deepEqual(Object.keys(params.properties).sort(), ['action', 'category', 'note', 'target']);
    assert.equal(params.additionalProperties, false);
    const schema = JSON.stringify(params).toLowerCase();
    for (const word of ['politic', 'country', 'region', 'geo', 'jurisdiction']) assert.ok(!schema.includes(word), `the schema mentions ${word}`);
    const owner = await user('Dissident');
    const chat = await publicChannel(owner, 'ts7_opposition');
    const target = { type: 'chat', chatId: chat.id };
    await rejects(moderator.call('moderation.act', { target, action: 'blockChat', category: 'political', note: 'asked by a ministry' }), 'PARAMS_INVALID');
    await rejects(moderator.call('moderation.act', { target, action: 'blockChat', category: 'fraud', note: 'asked by a ministry', country: 'RU' }), 'PARAMS_INVALID');
    assert.equal(query('SELECT * FROM moderation_actions WHERE target_key = ?', `chat:${chat.id}`).length, 0);
  });

  test('[TS6] every action but dismiss needs a category; each is recorded with moderator, time and note, and closes the open reports of its target', async () => {
    const accused = await user('Accused');
    const reporter = await user('Reporter');
    const target = { type: 'user', userId: accused.id };
    const { reportId } = await reporter.call('reports.report', { target, reason: 'spam', comment: 'sends links' });
    for (const action of ['removeMessage', 'blockChat', 'banUser']) {
      await rejects(moderator.call('moderation.act', { target, action, note: 'no category' }), 'MODERATION_CATEGORY_REQUIRED');
    }
    assert.ok(await queueHas(target));
    const { actionId } = await moderator.call('moderation.act', { target, action: 'dismiss', note: 'Not spam: a friend' });
    assert.ok(!(await queueHas(target)), 'the target left the queue');
    const [action] = query<{ moderator_id: number; action: string; category: string | null; note: string; created_at: number }>('SELECT * FROM moderation_actions WHERE id = ?', actionId);
    assert.equal(action!.moderator_id, moderator.id);
    assert.equal(action!.action, 'dismiss');
    assert.equal(action!.category, null);
    assert.equal(action!.note, 'Not spam: a friend');
    assert.ok(Math.abs(action!.created_at - Date.now() / 1000) < 60);
    assert.deepEqual(query('SELECT resolved_by_action_id AS id FROM reports WHERE id = ?', reportId), [{ id: actionId }]);
    await rejects(moderator.call('moderation.act', { target, action: 'dismiss', note: 'again' }), 'REPORT_TARGET_INVALID');
    // After a dismissal the same reporter may report again: a new, open report.
    assert.equal((await reporter.call('reports.report', { target, reason: 'spam' })).isDuplicate, false);
  });

  test('[TS8] a blocked channel leaves search, username and links; members keep it with the notice, get no new posts, and the block is logged', async () => {
    const owner = await user('Propagandist');
    const subscriber = await user('Subscriber');
    const outsider = await user('Outsider');
    const chat = await publicChannel(owner, 'ts8_blocked_news');
    await subscriber.call('chats.join', { chatId: chat.id });
    const invite = (await owner.call('chats.exportInviteLink', { chatId: chat.id })).invite;
    await send(owner, { type: 'chat', chatId: chat.id }, 'An old post');
    await outsider.call('reports.report', { target: { type: 'chat', chatId: chat.id }, reason: 'terrorism' });
    const group = (await owner.call('chats.createGroup', { title: 'Private', userIds: [] })).chat;
    await rejects(moderator.call('moderation.act', { target: { type: 'chat', chatId: group.id }, action: 'blockChat', category: 'terrorism', note: 'private' }), 'REPORT_TARGET_INVALID');

    const { actionId } = await moderator.call('moderation.act', { target: { type: 'chat', chatId: chat.id }, action: 'blockChat', category: 'terrorism', note: 'Recruitment videos' });
    await subscriber.client.waitForChatUpdates((updates) => updates.some((u) => u.chatId === chat.id && u.update.type === 'chatUpdated'));

    assert.deepEqual((await outsider.call('chats.search', { query: 'ts8_blocked' })).chats, []);
    await rejects(outsider.call('chats.resolveUsername', { username: 'ts8_blocked_news' }), 'CHAT_BLOCKED');
    await rejects(subscriber.call('chats.resolveUsername', { username: 'ts8_blocked_news' }), 'CHAT_BLOCKED');
    await rejects(outsider.call('chats.join', { chatId: chat.id }), 'CHAT_BLOCKED');
    await rejects(outsider.call('chats.get', { chatId: chat.id }), 'CHAT_BLOCKED');
    await rejects(outsider.call('messages.getHistory', { peer: { type: 'chat', chatId: chat.id } }), 'CHAT_BLOCKED');
    await rejects(outsider.call('chats.checkInviteLink', { hash: invite.hash }), 'CHAT_BLOCKED');
    await rejects(outsider.call('chats.joinByLink', { hash: invite.hash }), 'CHAT_BLOCKED');
    await rejects(owner.call('chats.exportInviteLink', { chatId: chat.id }), 'CHAT_BLOCKED');

    const listed = (await subscriber.call('messages.getChats', {})).chats.find((c: { id: number }) => c.id === chat.id);
    assert.deepEqual(listed.blocked, { category: 'terrorism', notice: "This channel can't be displayed because it was used to spread terrorist propaganda" });
    // Members keep what was said: the block stops the spreading, it does not take their history.
    assert.deepEqual((await subscriber.call('messages.getHistory', { peer: { type: 'chat', chatId: chat.id } })).messages.map((m: { text: string }) => m.text), ['An old post']);
    const seen = subscriber.client.chatUpdates.length;
    await rejects(send(owner, { type: 'chat', chatId: chat.id }, 'A new post'), 'CHAT_BLOCKED');
    await new Promise((done) => setTimeout(done, 50));
    assert.ok(!subscriber.client.chatUpdates.slice(seen).some((u) => u.update.type === 'newMessage'), 'no new post is delivered');

    const blocks = query<{ kind: string; body: string }>("SELECT kind, body FROM transparency_log WHERE kind = 'block' ORDER BY seq").map((entry) => JSON.parse(entry.body));
    assert.deepEqual(blocks.filter((body) => body.chatId === chat.id), [{ actionId, category: 'terrorism', chatId: chat.id }]);
    await rejects(moderator.call('moderation.act', { target: { type: 'chat', chatId: chat.id }, action: 'blockChat', category: 'terrorism', note: 'twice' }), 'CHAT_NOT_MODIFIED');
  });

  test('[TS9] removing a message deletes it for everyone: members get deleteMessages and its text is gone', async () => {
    const owner = await user('Group Owner');
    const member = await user('Group Member');
    const { chat } = await owner.call('chats.createGroup', { title: 'Market', userIds: [member.id] });
    await owner.call('chats.setUsername', { chatId: chat.id, username: 'ts9_market' });
    const offer = await send(owner, { type: 'chat', chatId: chat.id }, 'Selling stolen passports');
    const target = { type: 'message', chatId: chat.id, messageId: offer.message.id };
    await member.call('reports.report', { target, reason: 'illegalGoods' });
    await moderator.call('moderation.act', { target, action: 'removeMessage', category: 'illegalGoods', note: 'Forged documents' });
    await member.client.waitForChatUpdates((updates) => updates.some((u) => u.update.type === 'deleteMessages' && u.update.messageIds.includes(offer.message.id)));
    assert.deepEqual((await member.call('messages.getHistory', { peer: { type: 'chat', chatId: chat.id } })).messages, []);
    assert.ok(!(await queueHas(target)));
    await rejects(moderator.call('moderation.act', { target, action: 'removeMessage', category: 'illegalGoods', note: 'twice' }), 'REPORT_TARGET_INVALID');
  });

  test('[TS10] a banned account loses every session at once and cannot sign in again', async () => {
    const scammer = await user('Scammer');
    const otherDevice = await users.device(scammer);
    await moderator.call('moderation.act', { target: { type: 'user', userId: scammer.id }, action: 'banUser', category: 'fraud', note: 'Advance-fee fraud' });
    assert.equal((await scammer.client.closed()).code, 4001);
    assert.equal((await otherDevice.client.closed()).code, 4001);
    assert.equal(query('SELECT id FROM sessions WHERE user_id = ?', scammer.id).length, 0);
    const again = users.track(await RawClient.open(t.server.wsUrl));
    const resumed = await again.hello(scammer.token);
    assert.equal(resumed.type === 'error' && resumed.code, 'AUTH_KEY_UNREGISTERED', 'an old token resumes nothing');
    const fresh = users.track(await RawClient.open(t.server.wsUrl));
    await fresh.hello();
    const sent = await fresh.call('auth.sendCode', { phone: scammer.phone });
    await rejects(fresh.call('auth.signIn', { phone: scammer.phone, phoneCodeHash: sent.phoneCodeHash, code: scammer.phone.charAt(6).repeat(5) }), 'PHONE_NUMBER_BANNED');
  });

  test('[TS11] the owner appeals a block once; a different moderator decides; upheld keeps it, lifted restores the chat and is logged', async () => {
    const owner = await user('Appellant');
    const member = await user('Reader');
    const kept = await publicChannel(owner, 'ts11_kept');
    const lifted = await publicChannel(owner, 'ts11_lifted');
    await member.call('chats.join', { chatId: kept.id });
    const block = async (chatId: number) => (await moderator.call('moderation.act', { target: { type: 'chat', chatId }, action: 'blockChat', category: 'copyright', note: 'Pirated films' })).actionId;
    await block(kept.id);
    const liftedBlockId = await block(lifted.id);
    await rejects(member.call('moderation.appeal', { subject: { type: 'chatBlock', chatId: kept.id }, text: 'Not mine but unfair' }), 'APPEAL_INVALID');
    const appeal = (await owner.call('moderation.appeal', { subject: { type: 'chatBlock', chatId: kept.id }, text: 'These are my own films' })).appeal;
    assert.equal(appeal.status, 'pending');
    await rejects(owner.call('moderation.appeal', { subject: { type: 'chatBlock', chatId: kept.id }, text: 'Again' }), 'APPEAL_INVALID');
    assert.ok((await second.call('moderation.getAppeals', {})).appeals.some((a: { id: number }) => a.id === appeal.id));
    const self = await rejects(moderator.call('moderation.decideAppeal', { appealId: appeal.id, decision: 'lifted', note: 'mine' }), 'APPEAL_INVALID');
    assert.match(self.message, /different moderator/);
    const upheld = (await second.call('moderation.decideAppeal', { appealId: appeal.id, decision: 'upheld', note: 'Clearly pirated' })).appeal;
    assert.deepEqual([upheld.status, upheld.decidedBy, upheld.note], ['upheld', second.id, 'Clearly pirated']);
    await rejects(second.call('moderation.decideAppeal', { appealId: appeal.id, decision: 'lifted', note: 'changed my mind' }), 'APPEAL_INVALID');
    await rejects(owner.call('moderation.appeal', { subject: { type: 'chatBlock', chatId: kept.id }, text: 'Once more' }), 'APPEAL_INVALID');
    await rejects(owner.call('chats.resolveUsername', { username: 'ts11_kept' }), 'CHAT_BLOCKED');

    const liftAppeal = (await owner.call('moderation.appeal', { subject: { type: 'chatBlock', chatId: lifted.id }, text: 'I hold the rights' })).appeal;
    await second.call('moderation.decideAppeal', { appealId: liftAppeal.id, decision: 'lifted', note: 'Licence shown' });
    assert.equal((await member.call('chats.resolveUsername', { username: 'ts11_lifted' })).chat.blocked, null);
    assert.deepEqual((await member.call('chats.search', { query: 'ts11_lifted' })).chats.map((c: { id: number }) => c.id), [lifted.id]);
    await send(owner, { type: 'chat', chatId: lifted.id }, 'Back again');
    const log = query<{ kind: string; body: string }>('SELECT kind, body FROM transparency_log ORDER BY seq');
    const unblocks = log.filter((entry) => entry.kind === 'unblock').map((entry) => JSON.parse(entry.body));
    assert.deepEqual(unblocks, [{ actionId: liftedBlockId, appealId: liftAppeal.id, category: 'copyright', chatId: lifted.id }]);
    await rejects(owner.call('moderation.appeal', { subject: { type: 'chatBlock', chatId: lifted.id }, text: 'Nothing to appeal' }), 'APPEAL_INVALID');
  });

  test('[TS8] member updates: the chat they are in shows the block through their chat sequence', async () => {
    const owner = await user('Group owner');
    const member = await user('Group member');
    const { chat } = await owner.call('chats.createGroup', { title: 'Public group', userIds: [member.id] });
    await owner.call('chats.setUsername', { chatId: chat.id, username: 'ts8_public_group' });
    await moderator.call('moderation.act', { target: { type: 'chat', chatId: chat.id }, action: 'blockChat', category: 'fraud', note: 'Pump and dump' });
    await member.client.waitForChatUpdates((updates) => updates.some((u) => u.chatId === chat.id && (u.update as Update).type === 'chatUpdated'));
    const got = await member.call('chats.get', { chatId: chat.id });
    assert.deepEqual(got.chat.blocked, { category: 'fraud', notice: "This group can't be displayed because it was used for fraud or spam" });
    await rejects(send(member, { type: 'chat', chatId: chat.id }, 'Buy now'), 'CHAT_BLOCKED');
  });
});
