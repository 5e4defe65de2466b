/**
 * Groups, channels and the full message model through the `samizdat` command: a real server in
 * this process, the CLI as child processes with one profile per user, reused across the tests of
 * this file (which run in order and build on each other).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AdminRights, Chat, ChatMember, Message, Update, User } from '@samizdat/protocol';
// Tests may start a server; the CLI itself reaches it only through `samizdat server`.
import { createMemoryLogger, type RunningServer } from '@samizdat/server';
import { startServerUnderTest } from '@samizdat/server/testing';
import { cli, Listener, ok, okJson } from './harness.ts';

const ALICE_PHONE = '+9996610101';
const BOB_PHONE = '+9996620202';
const CAROL_PHONE = '+9996630303';

describe('samizdat with groups and channels', () => {
  let server: RunningServer;
  let scratch: string;
  let alice: string;
  let bob: string;
  let carol: string;
  /** Alice's group "Team", with Bob from the start and Carol by invite link. */
  let groupId: number;
  /** Alice's first message in it. */
  let helloId: number;
  /** Alice's public channel @news_cli. */
  let channelId: number;
  let postId: number;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'samizdat-cli-groups-'));
    [alice, bob, carol] = ['alice', 'bob', 'carol'].map((name) => join(scratch, name)) as [string, string, string];
    server = await startServerUnderTest({ port: 0, dataDir: join(scratch, 'data'), testNumbers: true, logger: createMemoryLogger() });
    const login = (profile: string, phone: string, code: string, name: string) =>
      ok(['login', '--server', server.httpUrl, '--phone', phone, '--code', code, '--name', name, '--profile', profile]);
    await Promise.all([login(alice, ALICE_PHONE, '11111', 'Alice'), login(bob, BOB_PHONE, '22222', 'Bob'), login(carol, CAROL_PHONE, '33333', 'Carol')]);
  });

  after(async () => {
    await server?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  test('group create --members makes a group with the member, who reads its messages with history', async () => {
    const group = await okJson<Chat>(['group', 'create', 'Team', '--members', BOB_PHONE, '--profile', alice]);
    assert.equal(group.type, 'group');
    assert.equal(group.title, 'Team');
    assert.equal(group.memberCount, 2);
    assert.equal(group.myRole, 'owner');
    groupId = group.id;
    helloId = Number(await ok(['send', String(groupId), 'hello team', '--profile', alice]));
    assert.ok(helloId > 0);
    const messages = await okJson<Message[]>(['history', String(groupId), '--profile', bob]);
    assert.deepEqual(
      messages.map((message) => [message.id, message.text]),
      [[helloId, 'hello team']],
    );
  });

  test('group link prints an invite link that another user joins the group with', async () => {
    const link = (await ok(['group', 'link', String(groupId), '--usage-limit', '5', '--expire-in', '3600', '--profile', alice])).trim();
    assert.match(link, new RegExp(`^${server.httpUrl.replace(/[.]/g, '\\.')}/\\+[A-Za-z0-9_-]+$`));
    const joined = await okJson<Chat>(['group', 'join', link, '--profile', carol]);
    assert.equal(joined.id, groupId);
    assert.equal(joined.myRole, 'member');
  });

  test('group admin gives a member exactly the rights listed, as group members shows', async () => {
    const promoted = await okJson<{ ok: true; chatId: number; userId: number; rights: AdminRights }>([
      'group', 'admin', String(groupId), CAROL_PHONE, '--rights', 'pinMessages,deleteMessages', '--profile', alice,
    ]);
    assert.equal(promoted.rights.pinMessages, true);
    assert.equal(promoted.rights.addAdmins, false);
    const members = await okJson<(ChatMember & { user: User | null })[]>(['group', 'members', String(groupId), '--profile', alice]);
    const roles = Object.fromEntries(members.map((member) => [member.user?.displayName, member.role]));
    assert.deepEqual(roles, { Alice: 'owner', Bob: 'member', Carol: 'admin' });
    const carolMember = members.find((member) => member.user?.displayName === 'Carol');
    assert.equal(carolMember?.rights?.deleteMessages, true);
    assert.equal(carolMember?.rights?.banUsers, false);
  });

  test('a channel created with a username is subscribed to by @username, and its posts reach listen --json', async () => {
    const channel = await okJson<Chat>(['channel', 'create', 'News', '--username', '@news_cli', '--about', 'All the news', '--profile', alice]);
    assert.equal(channel.type, 'channel');
    assert.equal(channel.username, 'news_cli');
    channelId = channel.id;
    assert.equal(await ok(['channel', 'subscribe', '@news_cli', '--profile', bob]), `Subscribed to channel ${channelId} "News"\n`);
    // Posted before the subscriber listens: listen catches up on it from where the subscription began.
    postId = Number(await ok(['channel', 'post', '@news_cli', 'first post', '--profile', alice]));

    const listener = new Listener(['--json', '--profile', bob]);
    try {
      const isPost = (text: string) => (line: string) => line.includes(`"text":"${text}"`);
      const caughtUp = JSON.parse(await listener.waitForLine(isPost('first post'), 'the first post')) as { chatId: number; update: Update };
      // A chat's own sequence comes wrapped with its chat id; the user's own updates are bare Update objects.
      assert.equal(caughtUp.chatId, channelId);
      assert.ok(caughtUp.update.type === 'newMessage' && caughtUp.update.message.id === postId, JSON.stringify(caughtUp));
      assert.ok(listener.lines.some((line) => (JSON.parse(line) as Update).type === 'chatJoined'), 'the join is a user-sequence update');
      // Posted while it listens: pushed live.
      await ok(['channel', 'post', String(channelId), 'second post', '--profile', alice]);
      const live = JSON.parse(await listener.waitForLine(isPost('second post'), 'the second post')) as { chatId: number; update: Update };
      assert.equal(live.chatId, channelId);
      assert.equal(live.update.type, 'newMessage');
    } finally {
      assert.equal(await listener.interrupt(), 0);
    }
  });

  test('posting to a channel without admin rights fails with CHAT_ADMIN_REQUIRED or CHAT_WRITE_FORBIDDEN and exit 1', async () => {
    const run = await cli(['channel', 'post', String(channelId), 'let me post', '--profile', bob]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^(CHAT_ADMIN_REQUIRED|CHAT_WRITE_FORBIDDEN): \S/);
    assert.equal(run.stdout, '');
  });

  test('reply, edit, react, pin, forward and delete round-trip through history', async () => {
    const group = String(groupId);
    const [reply, edited, , , forwarded, oops] = await Promise.all([
      okJson<Message>(['reply', group, String(helloId), 'hi Alice', '--profile', bob]),
      okJson<Message>(['edit', group, String(helloId), 'hello team, edited', '--profile', alice]),
      ok(['react', group, String(helloId), '👍', '--profile', bob]),
      ok(['pin', group, String(helloId), '--profile', alice]),
      okJson<Message[]>(['forward', '@news_cli', String(postId), group, '--profile', alice]),
      okJson<Message>(['send', group, 'oops', '--profile', alice]),
    ]);
    assert.equal(reply.replyToId, helloId);
    assert.notEqual(edited.editDate, null);
    assert.equal(forwarded.length, 1);
    assert.deepEqual(await okJson(['delete', group, String(oops.id), '--for-everyone', '--profile', alice]), {
      ok: true,
      messageIds: [oops.id],
      forEveryone: true,
    });

    const [messages, human, chats] = await Promise.all([
      okJson<Message[]>(['history', group, '--profile', bob]),
      ok(['history', group, '--profile', bob]),
      okJson<Chat[]>(['chats', '--profile', bob]),
    ]);
    const byId = new Map(messages.map((message) => [message.id, message]));
    assert.equal(byId.has(oops.id), false, 'the deleted message is gone');
    const hello = byId.get(helloId);
    assert.equal(hello?.text, 'hello team, edited');
    assert.deepEqual(hello?.reactions, [{ emoji: '👍', count: 1, isChosen: true }], 'Bob’s own reaction, marked as his ([MM15])');
    assert.equal(byId.get(reply.id)?.replyToId, helloId);
    const forward = byId.get(forwarded[0]?.id ?? 0)?.forward;
    assert.equal(forward?.fromName, 'News');
    assert.equal(forward?.fromChatId, channelId);
    assert.equal(chats.find((chat) => chat.id === groupId)?.pinnedMessageId, helloId);

    assert.match(human, new RegExp(`^#${helloId} \\S+ \\S+ Alice \\[edited\\] \\[pinned\\] \\[👍 1\\]: hello team, edited$`, 'm'));
    assert.match(human, new RegExp(`^#${reply.id} \\S+ \\S+ You \\[reply to #${helloId}\\]: hi Alice$`, 'm'));
    assert.match(human, /\[forwarded from News\]: first post$/m);
  });

  test('search finds the public channel by name, and with --in the messages of a chat', async () => {
    const found = await okJson<{ chats: Chat[]; users: User[] }>(['search', 'News', '--profile', carol]);
    assert.deepEqual(
      found.chats.map((chat) => chat.id),
      [channelId],
    );
    const messages = await okJson<Message[]>(['search', 'edited', '--in', String(groupId), '--profile', carol]);
    assert.deepEqual(
      messages.map((message) => message.id),
      [helloId],
    );
  });

  test('pin-chat puts a chat at the top of chats, marked pinned, and --unpin takes the pin off', async () => {
    assert.deepEqual(await okJson(['pin-chat', String(groupId), '--profile', bob]), { ok: true, chatId: groupId, pinned: true });
    const [chats, human] = await Promise.all([okJson<Chat[]>(['chats', '--profile', bob]), ok(['chats', '--profile', bob])]);
    assert.equal(chats[0]?.id, groupId);
    assert.notEqual(chats[0]?.pinnedAt, null);
    assert.match(human.split('\n')[0] ?? '', new RegExp(`^\\[group ${groupId} "Team"\\] · \\d+ members · pinned`));
    assert.equal((await ok(['pin-chat', String(groupId), '--unpin', '--profile', bob])).trim(), `Unpinned chat ${groupId}`);
    assert.equal((await okJson<Chat[]>(['chats', '--profile', bob])).find((chat) => chat.id === groupId)?.pinnedAt, null);
  });

  test('group ban keeps a member out, and group leave takes one out', async () => {
    await ok(['group', 'ban', String(groupId), CAROL_PHONE, '--profile', alice]);
    const run = await cli(['send', String(groupId), 'still here?', '--profile', carol]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^[A-Z_]+: \S/);
    assert.deepEqual(await okJson(['group', 'leave', '@news_cli', '--profile', bob]), { ok: true, chatId: channelId });
  });
});
