import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../src/index.ts';
import { RawClient, signUpTestUser, startTestServer } from './harness.ts';

type Role = 'owner' | 'admin with the right' | 'admin without the right' | 'member' | 'restricted' | 'banned' | 'non-member';
type ChannelRole = 'owner' | 'admin with the right' | 'admin without the right' | 'subscriber' | 'banned' | 'non-member';

const NO_RIGHTS = { changeInfo: false, deleteMessages: false, banUsers: false, inviteUsers: false, pinMessages: false, addAdmins: false, postMessages: false };
const ALL_RIGHTS = { changeInfo: true, deleteMessages: true, banUsers: true, inviteUsers: true, pinMessages: true, addAdmins: true, postMessages: true };

/** The outcome of an action: 'ok' or the error code it must fail with. */
type Outcome = 'ok' | string;

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('[AUTHZ] who may do what in a private group and a private channel', () => {
  const clock = new ManualClock(Date.now());
  let t: Awaited<ReturnType<typeof startTestServer>>;
  const clients = new Map<string, { client: RawClient; id: number }>();
  let groupId = 0;
  let channelId = 0;
  let counter = 0;
  const rid = () => `authz-${++counter}-xxxxxx`;
  const group = () => ({ type: 'chat', chatId: groupId });
  const channel = () => ({ type: 'chat', chatId: channelId });

  before(async () => {
    t = await startTestServer({ clock, connectionLimits: { frames: { capacity: 10_000, perSecond: 10_000 } } });
    const names = ['owner', 'admin with the right', 'admin without the right', 'member', 'restricted', 'banned', 'non-member', 'victim', 'subscriber'];
    for (const [index, name] of names.entries()) {
      const client = await RawClient.open(t.server.wsUrl);
      const auth = await signUpTestUser(client, `+999661${String(index).padStart(4, '0')}`, name);
      clients.set(name, { client, id: auth.user.id });
    }
    const id = (name: string) => clients.get(name)!.id;
    const owner = clients.get('owner')!.client;
    const members = ['admin with the right', 'admin without the right', 'member', 'restricted', 'banned', 'victim'].map(id);
    groupId = (await owner.call('chats.createGroup', { title: 'Private group', userIds: members })).chat.id;
    await owner.call('chats.setAdmin', { chatId: groupId, userId: id('admin with the right'), rights: ALL_RIGHTS });
    await owner.call('chats.setAdmin', { chatId: groupId, userId: id('admin without the right'), rights: NO_RIGHTS });
    await owner.call('chats.restrict', { chatId: groupId, userId: id('restricted'), mutedUntil: Math.floor(clock.nowMs() / 1000) + 3600 });
    await owner.call('chats.ban', { chatId: groupId, userId: id('banned'), untilDate: null });
    channelId = (await owner.call('chats.createChannel', { title: 'Private channel' })).chat.id;
    await owner.call('chats.addMembers', { chatId: channelId, userIds: ['admin with the right', 'admin without the right', 'subscriber', 'banned', 'victim'].map(id) });
    await owner.call('chats.setAdmin', { chatId: channelId, userId: id('admin with the right'), rights: ALL_RIGHTS });
    await owner.call('chats.setAdmin', { chatId: channelId, userId: id('admin without the right'), rights: NO_RIGHTS });
    await owner.call('chats.ban', { chatId: channelId, userId: id('banned'), untilDate: null });
  });
  after(async () => {
    for (const { client } of clients.values()) client.close();
    await t.stop();
  });

  /** A fresh message by the victim, so destructive actions never run out of targets. */
  async function victimMessage(peer: { type: string; chatId: number }): Promise<number> {
    const sender = peer.chatId === channelId ? clients.get('owner')! : clients.get('victim')!;
    return (await sender.client.call('messages.send', { peer, text: `target ${counter}`, randomId: rid() })).message.id;
  }

  /** Puts the victim back after an action removed them. */
  async function restoreVictim(chatId: number): Promise<void> {
    const owner = clients.get('owner')!.client;
    const victim = clients.get('victim')!.id;
    await owner.call('chats.unban', { chatId, userId: victim });
    await owner.call('chats.addMembers', { chatId, userIds: [victim] }).catch(() => undefined);
  }

  const GROUP_ACTIONS: Record<string, { run: (c: RawClient) => Promise<unknown>; expect: Record<Role, Outcome> }> = {
    'read history': {
      run: (c) => c.call('messages.getHistory', { peer: group() }),
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'ok', member: 'ok', restricted: 'ok', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    'catch up on the chat sequence': {
      run: (c) => c.call('updates.getChatDifference', { chatId: groupId, pts: 0 }),
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'ok', member: 'ok', restricted: 'ok', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    'send a message': {
      run: (c) => c.call('messages.send', { peer: group(), text: 'hello', randomId: rid() }),
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'ok', member: 'ok', restricted: 'USER_RESTRICTED', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    'change the title': {
      run: (c) => c.call('chats.editInfo', { chatId: groupId, title: `Title ${++counter}` }),
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'CHAT_ADMIN_REQUIRED', member: 'CHAT_ADMIN_REQUIRED', restricted: 'CHAT_ADMIN_REQUIRED', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    "delete another's message for everyone": {
      run: async (c) => c.call('messages.delete', { peer: group(), messageIds: [await victimMessage(group())], forEveryone: true }),
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'MESSAGE_AUTHOR_REQUIRED', member: 'MESSAGE_AUTHOR_REQUIRED', restricted: 'MESSAGE_AUTHOR_REQUIRED', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    "edit another's message": {
      run: async (c) => c.call('messages.edit', { peer: group(), messageId: await victimMessage(group()), text: 'changed' }),
      expect: { owner: 'MESSAGE_AUTHOR_REQUIRED', 'admin with the right': 'MESSAGE_AUTHOR_REQUIRED', 'admin without the right': 'MESSAGE_AUTHOR_REQUIRED', member: 'MESSAGE_AUTHOR_REQUIRED', restricted: 'MESSAGE_AUTHOR_REQUIRED', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    'ban a member': {
      run: async (c) => {
        try {
          return await c.call('chats.ban', { chatId: groupId, userId: clients.get('victim')!.id, untilDate: null });
        } finally {
          await restoreVictim(groupId);
        }
      },
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'CHAT_ADMIN_REQUIRED', member: 'CHAT_ADMIN_REQUIRED', restricted: 'CHAT_ADMIN_REQUIRED', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    'create an invite link': {
      run: (c) => c.call('chats.exportInviteLink', { chatId: groupId }),
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'CHAT_ADMIN_REQUIRED', member: 'CHAT_ADMIN_REQUIRED', restricted: 'CHAT_ADMIN_REQUIRED', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    'pin a message': {
      run: async (c) => c.call('messages.pin', { peer: group(), messageId: await victimMessage(group()) }),
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'CHAT_ADMIN_REQUIRED', member: 'CHAT_ADMIN_REQUIRED', restricted: 'CHAT_ADMIN_REQUIRED', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    'appoint an admin': {
      run: (c) => c.call('chats.setAdmin', { chatId: groupId, userId: clients.get('victim')!.id, rights: null }),
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'CHAT_ADMIN_REQUIRED', member: 'CHAT_ADMIN_REQUIRED', restricted: 'CHAT_ADMIN_REQUIRED', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    'list members': {
      run: (c) => c.call('chats.getMembers', { chatId: groupId }),
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'ok', member: 'ok', restricted: 'ok', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
  };

  for (const [action, { run, expect }] of Object.entries(GROUP_ACTIONS)) {
    for (const [role, expected] of Object.entries(expect) as [Role, Outcome][]) {
      test(`group: ${role} → ${action} → ${expected}`, async () => {
        assert.equal(await outcome(() => run(clients.get(role)!.client)), expected);
      });
    }
  }

  const CHANNEL_ACTIONS: Record<string, { run: (c: RawClient) => Promise<unknown>; expect: Record<ChannelRole, Outcome> }> = {
    'read posts': {
      run: (c) => c.call('messages.getHistory', { peer: channel() }),
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'ok', subscriber: 'ok', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    post: {
      run: (c) => c.call('messages.send', { peer: channel(), text: 'post', randomId: rid() }),
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'CHAT_ADMIN_REQUIRED', subscriber: 'CHAT_ADMIN_REQUIRED', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    "edit the owner's post": {
      run: async (c) => c.call('messages.edit', { peer: channel(), messageId: await victimMessage(channel()), text: 'changed post' }),
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'MESSAGE_AUTHOR_REQUIRED', subscriber: 'MESSAGE_AUTHOR_REQUIRED', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    'delete a post': {
      run: async (c) => c.call('messages.delete', { peer: channel(), messageIds: [await victimMessage(channel())], forEveryone: true }),
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'MESSAGE_AUTHOR_REQUIRED', subscriber: 'MESSAGE_AUTHOR_REQUIRED', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    'react to a post': {
      run: async (c) => c.call('messages.react', { peer: channel(), messageId: await victimMessage(channel()), emoji: '🔥' }),
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'ok', subscriber: 'ok', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    'list subscribers': {
      run: (c) => c.call('chats.getMembers', { chatId: channelId }),
      expect: { owner: 'ok', 'admin with the right': 'ok', 'admin without the right': 'CHAT_ADMIN_REQUIRED', subscriber: 'CHAT_ADMIN_REQUIRED', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
    'show typing': {
      run: (c) => c.call('messages.setTyping', { peer: channel(), action: 'typing' }),
      expect: { owner: 'CHAT_WRITE_FORBIDDEN', 'admin with the right': 'CHAT_WRITE_FORBIDDEN', 'admin without the right': 'CHAT_ADMIN_REQUIRED', subscriber: 'CHAT_ADMIN_REQUIRED', banned: 'USER_BANNED_IN_CHANNEL', 'non-member': 'CHANNEL_PRIVATE' },
    },
  };

  for (const [action, { run, expect }] of Object.entries(CHANNEL_ACTIONS)) {
    for (const [role, expected] of Object.entries(expect) as [ChannelRole, Outcome][]) {
      test(`channel: ${role} → ${action} → ${expected}`, async () => {
        assert.equal(await outcome(() => run(clients.get(role)!.client)), expected);
      });
    }
  }

  test('a non-member cannot read a private group by any other door either', async () => {
    const outsider = clients.get('non-member')!.client;
    for (const call of [
      () => outsider.call('chats.get', { chatId: groupId }),
      () => outsider.call('messages.search', { peer: group(), query: 'hello' }),
      () => outsider.call('messages.getViews', { peer: channel(), messageIds: [1], increment: true }),
      () => outsider.call('chats.join', { chatId: groupId }),
      () => outsider.call('messages.forward', { fromPeer: group(), messageIds: [1], toPeer: { type: 'user', userId: clients.get('owner')!.id }, randomIds: [rid()] }),
      () => outsider.call('messages.react', { peer: group(), messageId: 1, emoji: '👍' }),
    ]) {
      assert.equal(await outcome(call), 'CHANNEL_PRIVATE');
    }
  });

  test('a restricted member may send again once the restriction ends', async () => {
    clock.advance(3601_000);
    assert.equal(await outcome(() => clients.get('restricted')!.client.call('messages.send', { peer: group(), text: 'free again', randomId: rid() })), 'ok');
  });
});
