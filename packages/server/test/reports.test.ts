import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Sqlite from 'better-sqlite3';
import type { ModerationQueueItem } from '@samizdat/protocol';
import { grantRole, ManualClock } from '../src/index.ts';
import { rejects, startTestServer, testUsers, type TestUser } from './harness.ts';

describe('reports', () => {
  const clock = new ManualClock(Date.now());
  let t: Awaited<ReturnType<typeof startTestServer>>;
  const users = testUsers(() => t.server.wsUrl, 1);
  const user = users.user;
  let counter = 0;
  const rid = () => `report-${++counter}-xxxxxx`;
  let moderator: TestUser;
  before(async () => {
    t = await startTestServer({ clock });
    moderator = await user('Moderator');
    await grantRole(t.server.databasePath, 'moderator', { userId: moderator.id });
  });
  after(async () => {
    users.closeAll();
    await t.stop();
  });
  const send = (from: TestUser, peer: object, text: string) => from.call('messages.send', { peer, text, randomId: rid() });
  const queue = async (): Promise<ModerationQueueItem[]> => (await moderator.call('moderation.getQueue', { limit: 100 })).items;
  const itemFor = async (target: object) => (await queue()).find((item) => JSON.stringify(item.target) === JSON.stringify(target));

  test('[TS1] anyone reports a public chat, a message in it or a user; a message of a private chat or group only its members, and never the private chat itself', async () => {
    const owner = await user('Owner');
    const member = await user('Member');
    const outsider = await user('Outsider');
    const { chat: channel } = await owner.call('chats.createChannel', { title: 'Open News', username: 'ts1_open_news' });
    const post = await send(owner, { type: 'chat', chatId: channel.id }, 'A public post');
    const reported = [
      await outsider.call('reports.report', { target: { type: 'chat', chatId: channel.id }, reason: 'terrorism' }),
      await outsider.call('reports.report', { target: { type: 'message', chatId: channel.id, messageId: post.message.id }, reason: 'violence', comment: 'look' }),
      await outsider.call('reports.report', { target: { type: 'user', userId: owner.id }, reason: 'spam' }),
    ];
    assert.ok(reported.every((r) => r.isDuplicate === false && r.reportId > 0));
    await rejects(outsider.call('reports.report', { target: { type: 'user', userId: outsider.id }, reason: 'spam' }), 'REPORT_TARGET_INVALID');
    await rejects(outsider.call('reports.report', { target: { type: 'user', userId: 999_999 }, reason: 'spam' }), 'REPORT_TARGET_INVALID');

    const { chat: group } = await owner.call('chats.createGroup', { title: 'Private circle', userIds: [member.id] });
    const said = await send(owner, { type: 'chat', chatId: group.id }, 'Said among friends');
    const groupMessage = { type: 'message', chatId: group.id, messageId: said.message.id };
    await rejects(member.call('reports.report', { target: { type: 'chat', chatId: group.id }, reason: 'other' }), 'REPORT_TARGET_INVALID');
    await rejects(outsider.call('reports.report', { target: groupMessage, reason: 'other' }), 'REPORT_TARGET_INVALID');
    await rejects(member.call('reports.report', { target: { ...groupMessage, messageId: 999 }, reason: 'other' }), 'REPORT_TARGET_INVALID');
    assert.equal((await member.call('reports.report', { target: groupMessage, reason: 'personalData' })).isDuplicate, false);

    const dm = await send(owner, { type: 'user', userId: member.id }, 'Just between us');
    const dmTarget = { type: 'message', chatId: dm.message.chatId, messageId: dm.message.id };
    await rejects(outsider.call('reports.report', { target: dmTarget, reason: 'spam' }), 'REPORT_TARGET_INVALID');
    await rejects(member.call('reports.report', { target: { type: 'chat', chatId: dm.message.chatId }, reason: 'spam' }), 'REPORT_TARGET_INVALID');
    // A message the reporter deleted for themselves is no longer one they can see.
    const hidden = await send(owner, { type: 'user', userId: member.id }, 'Hidden by the member');
    await member.call('messages.delete', { peer: { type: 'user', userId: owner.id }, messageIds: [hidden.message.id], forEveryone: false });
    await rejects(member.call('reports.report', { target: { ...dmTarget, messageId: hidden.message.id }, reason: 'spam' }), 'REPORT_TARGET_INVALID');
    assert.equal((await member.call('reports.report', { target: dmTarget, reason: 'other' })).isDuplicate, false);
  });

  test('[TS2] a reported message of a private chat reaches moderators sealed, alone, and even after it was deleted; a copy of the database shows none of it', async () => {
    const sender = await user('Sender');
    const recipient = await user('Recipient');
    const marker = `EVIDENCE-MARKER-${Date.now()}`;
    const before = await send(sender, { type: 'user', userId: recipient.id }, `${marker}-context-before`);
    const reportedMessage = await send(sender, { type: 'user', userId: recipient.id }, `${marker}-reported`);
    await send(sender, { type: 'user', userId: recipient.id }, `${marker}-context-after`);
    const target = { type: 'message', chatId: reportedMessage.message.chatId, messageId: reportedMessage.message.id };
    await recipient.call('reports.report', { target, reason: 'personalData', comment: 'They posted my address' });
    await sender.call('messages.delete', { peer: { type: 'user', userId: recipient.id }, messageIds: [reportedMessage.message.id, before.message.id], forEveryone: true });

    const item = await itemFor(target);
    assert.ok(item, 'the report is in the queue');
    assert.deepEqual(item.content, {
      chatType: 'private',
      chatTitle: null,
      chatUsername: null,
      messageText: `${marker}-reported`,
      messageMedia: null,
      messageSenderId: sender.id,
      userDisplayName: 'Sender',
      username: null,
    });
    assert.deepEqual(item.comments, ['They posted my address']);
    const everything = JSON.stringify(await queue());
    assert.ok(!everything.includes('context-before') && !everything.includes('context-after'), 'nothing else of the chat reaches moderators');

    for (const file of ['samizdat.db', 'samizdat.db-wal'].map((name) => join(t.dataDir, name)).filter(existsSync)) {
      copyFileSync(file, `${file}.copy`);
      const bytes = readFileSync(`${file}.copy`);
      rmSync(`${file}.copy`);
      assert.equal(bytes.indexOf(Buffer.from(marker)), -1, `${file} holds the reported text`);
    }
  });

  test('[TS3] a second report of the same open target by the same reporter is folded; a reporter files at most 20 reports an hour', async () => {
    const owner = await user('Poster');
    const reporter = await user('Eager reporter');
    const first = await reporter.call('reports.report', { target: { type: 'user', userId: owner.id }, reason: 'spam' });
    const again = await reporter.call('reports.report', { target: { type: 'user', userId: owner.id }, reason: 'violence', comment: 'again' });
    assert.deepEqual(again, { reportId: first.reportId, isDuplicate: true });
    const db = new Sqlite(t.server.databasePath, { readonly: true });
    const rows = db.prepare('SELECT COUNT(*) AS n FROM reports WHERE reporter_id = ?').get(reporter.id) as { n: number };
    db.close();
    assert.equal(rows.n, 1, 'a folded report makes no row');

    const { chat } = await owner.call('chats.createChannel', { title: 'Many posts', username: 'ts3_many_posts' });
    const posts: { message: { id: number } }[] = [];
    for (let i = 0; i < 21; i++) posts.push(await send(owner, { type: 'chat', chatId: chat.id }, `Post ${i}`));
    const report = (i: number) => reporter.call('reports.report', { target: { type: 'message', chatId: chat.id, messageId: posts[i]!.message.id }, reason: 'spam' });
    for (let i = 0; i < 19; i++) assert.equal((await report(i)).isDuplicate, false);
    const refused = await rejects(report(19), 'FLOOD_WAIT');
    assert.ok(refused.retryAfterSeconds > 0 && refused.retryAfterSeconds <= 3600, String(refused.retryAfterSeconds));
    // Folding stays free: it is not another report.
    assert.equal((await report(0)).isDuplicate, true);
    clock.advance(3_600_000);
    assert.equal((await report(19)).isDuplicate, false);
  });

  test('[TS5] the queue groups open reports by target, most reporters first, with counts, reasons, comments newest first, and public content read live', async () => {
    const author = await user('Loud Author');
    const { chat } = await author.call('chats.createChannel', { title: 'Loud Channel', username: 'ts5_loud_channel' });
    const post = await send(author, { type: 'chat', chatId: chat.id }, 'A loud post');
    const postTarget = { type: 'message', chatId: chat.id, messageId: post.message.id };
    const reporters = [await user('R1'), await user('R2'), await user('R3')];
    for (const [index, reporter] of reporters.entries()) {
      await reporter.call('reports.report', { target: postTarget, reason: index === 0 ? 'violence' : 'terrorism', comment: `comment ${index}` });
      clock.advance(1000);
    }
    await reporters[0]!.call('reports.report', { target: { type: 'user', userId: author.id }, reason: 'spam' });
    await rejects(author.call('moderation.getQueue', {}), 'ROLE_REQUIRED');

    const items = await queue();
    const counts = items.map((item) => item.reporterCount);
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a), 'most reporters first');
    const postItem = items.find((item) => JSON.stringify(item.target) === JSON.stringify(postTarget))!;
    const userIndex = items.findIndex((item) => JSON.stringify(item.target) === JSON.stringify({ type: 'user', userId: author.id }));
    assert.ok(items.indexOf(postItem) < userIndex);
    assert.equal(postItem.reportCount, 3);
    assert.equal(postItem.reporterCount, 3);
    assert.deepEqual(postItem.reasons, { violence: 1, terrorism: 2 });
    assert.deepEqual(postItem.comments, ['comment 2', 'comment 1', 'comment 0']);
    assert.equal(postItem.isAutomatic, false);
    assert.ok(postItem.firstReportedAt < postItem.lastReportedAt);
    assert.equal(postItem.content.messageText, 'A loud post');
    assert.equal(postItem.content.chatUsername, 'ts5_loud_channel');
    assert.equal(postItem.content.chatType, 'channel');
    assert.equal(items[userIndex]!.content.userDisplayName, 'Loud Author');
  });
});
