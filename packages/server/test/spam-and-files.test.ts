import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ModerationQueueItem } from '@samizdat/protocol';
import { grantRole, loadBlockedFileHashes } from '../src/index.ts';
import { uploadBytes } from './file-helpers.ts';
import { rejects, startTestServer, testUsers, type TestUser } from './harness.ts';

describe('known illegal files and spam limits', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>;
  const users = testUsers(() => t.server.wsUrl, 0);
  const user = users.user;
  let counter = 0;
  const rid = () => `safety-${++counter}-xxxxxx`;
  let moderator: TestUser;
  before(async () => {
    t = await startTestServer();
    moderator = await user('Moderator');
    await grantRole(t.server.databasePath, 'moderator', { userId: moderator.id });
  });
  after(async () => {
    users.closeAll();
    await t.stop();
  });
  const send = (from: TestUser, peer: object, text: string, extra: object = {}) => from.call('messages.send', { peer, text, randomId: rid(), ...extra });
  const dm = (from: TestUser, to: TestUser, text: string) => send(from, { type: 'user', userId: to.id }, text);

  test('[TS12] a known illegal file is refused in a public chat and reported automatically; private chats and private groups are never scanned', async () => {
    const uploader = await user('Uploader');
    const friend = await user('Friend');
    const bytes = randomBytes(4096);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = await uploadBytes(uploader.call, t.server.httpUrl, uploader.token, bytes, { name: 'clip.bin' });
    assert.equal(await loadBlockedFileHashes(t.server.databasePath, [sha256.toUpperCase(), sha256]), 1);
    assert.equal(await loadBlockedFileHashes(t.server.databasePath, [sha256]), 0, 'loading again adds nothing');
    await assert.rejects(loadBlockedFileHashes(t.server.databasePath, ['not-a-hash']), /not a SHA-256/);
    const media = { media: { fileId: file.id, kind: 'document' } };

    const { chat: channel } = await uploader.call('chats.createChannel', { title: 'Public clips', username: 'ts12_public_clips' });
    await rejects(send(uploader, { type: 'chat', chatId: channel.id }, '', media), 'MEDIA_BLOCKED');
    assert.deepEqual((await uploader.call('messages.getHistory', { peer: { type: 'chat', chatId: channel.id } })).messages, []);
    const items: ModerationQueueItem[] = (await moderator.call('moderation.getQueue', { limit: 100 })).items;
    const automatic = items.find((item) => item.isAutomatic);
    assert.ok(automatic, 'an automatic report is queued');
    assert.deepEqual(automatic.target, { type: 'user', userId: uploader.id });
    assert.equal(automatic.reporterCount, 1);
    assert.match(automatic.comments[0]!, new RegExp(sha256));

    // Never scanned: the same file in a private chat, in a group without a username.
    const privately = await send(uploader, { type: 'user', userId: friend.id }, 'for you', media);
    assert.equal(privately.message.media.file.id, file.id);
    const { chat: group } = await uploader.call('chats.createGroup', { title: 'Private clips', userIds: [friend.id] });
    await send(uploader, { type: 'chat', chatId: group.id }, '', media);
    await uploader.call('chats.setUsername', { chatId: group.id, username: 'ts12_now_public' });
    await rejects(send(uploader, { type: 'chat', chatId: group.id }, '', media), 'MEDIA_BLOCKED');
    // Forwarding it into public is posting it in public.
    await rejects(
      uploader.call('messages.forward', { fromPeer: { type: 'user', userId: friend.id }, toPeer: { type: 'chat', chatId: channel.id }, messageIds: [privately.message.id], randomIds: [rid()] }),
      'MEDIA_BLOCKED',
    );
  });

  test('[TS13] reported for spam by 3 users it wrote to unasked, an account may message only mutual contacts for 7 days, is told so, and may appeal once', async () => {
    const spammer = await user('Spammer');
    const victims = [await user('Victim 1'), await user('Victim 2'), await user('Victim 3'), await user('Victim 4')];
    const acquaintance = await user('Wrote first');
    const friend = await user('Friend');
    const stranger = await user('Stranger');
    for (const victim of victims) await dm(spammer, victim, 'Cheap watches!');
    // Reports from someone who started the chat, or who has the account in contacts, do not count.
    await dm(acquaintance, spammer, 'Hi, about the watch');
    await dm(spammer, acquaintance, 'Cheap watches!');
    await dm(spammer, friend, 'Cheap watches!');
    await friend.call('contacts.add', { userId: spammer.id });
    await spammer.call('contacts.add', { userId: friend.id });
    await acquaintance.call('reports.report', { target: { type: 'user', userId: spammer.id }, reason: 'spam' });
    await friend.call('reports.report', { target: { type: 'user', userId: spammer.id }, reason: 'spam' });
    await victims[0]!.call('reports.report', { target: { type: 'user', userId: spammer.id }, reason: 'spam' });
    await victims[1]!.call('reports.report', { target: { type: 'user', userId: spammer.id }, reason: 'spam' });
    await victims[1]!.call('reports.report', { target: { type: 'user', userId: spammer.id }, reason: 'spam', comment: 'again' });
    assert.deepEqual(await spammer.call('account.getRestrictions', {}), { spamLimitedUntil: null, appeal: null }, 'two who were written to unasked, each counted once');
    const received = (await victims[2]!.call('messages.getHistory', { peer: { type: 'user', userId: spammer.id } })).messages[0];
    await victims[2]!.call('reports.report', { target: { type: 'message', chatId: received.chatId, messageId: received.id }, reason: 'spam' });

    const { spamLimitedUntil, appeal: none } = await spammer.call('account.getRestrictions', {});
    assert.equal(none, null);
    assert.ok(Math.abs(spamLimitedUntil - (Date.now() / 1000 + 7 * 24 * 3600)) < 60, String(spamLimitedUntil));
    const refused = await rejects(dm(spammer, stranger, 'Cheap watches!'), 'SPAM_LIMITED');
    assert.match(refused.message, /appeal/);
    await rejects(dm(spammer, victims[0]!, 'Last chance!'), 'SPAM_LIMITED');
    // Adding someone is one-sided; it does not make them a contact who asked for messages.
    await spammer.call('contacts.add', { userId: stranger.id });
    await rejects(dm(spammer, stranger, 'We are contacts now'), 'SPAM_LIMITED');
    await dm(spammer, friend, 'See you tonight');
    await send(spammer, { type: 'user', userId: spammer.id }, 'A note to self');
    await dm(stranger, spammer, 'Strangers may still write to it');

    const appeal = (await spammer.call('moderation.appeal', { subject: { type: 'spamLimit' }, text: 'I sell real watches' })).appeal;
    await rejects(spammer.call('moderation.appeal', { subject: { type: 'spamLimit' }, text: 'Again' }), 'APPEAL_INVALID');
    await rejects(stranger.call('moderation.appeal', { subject: { type: 'spamLimit' }, text: 'I am not limited' }), 'APPEAL_INVALID');
    assert.deepEqual((await spammer.call('account.getRestrictions', {})).appeal, appeal);
    assert.ok((await moderator.call('moderation.getAppeals', {})).appeals.some((a: { id: number }) => a.id === appeal.id));
    await moderator.call('moderation.decideAppeal', { appealId: appeal.id, decision: 'lifted', note: 'Seems a real shop' });
    const after = await spammer.call('account.getRestrictions', {});
    assert.equal(after.spamLimitedUntil, null);
    assert.equal(after.appeal.status, 'lifted');
    await dm(spammer, stranger, 'Free to write again');
    // The reports that led to the lifted limit do not bring it back on the next report.
    await victims[3]!.call('reports.report', { target: { type: 'user', userId: spammer.id }, reason: 'spam' });
    assert.equal((await spammer.call('account.getRestrictions', {})).spamLimitedUntil, null);
  });
});
