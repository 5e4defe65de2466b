import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Chat, Message, ReactionCount, Update } from '@samizdat/protocol';
import { ManualClock } from '../src/index.ts';
import { rejects, startTestServer, testUsers, type TestUser } from './harness.ts';

describe('pinned chats and the viewer’s own reaction', () => {
  const clock = new ManualClock(Date.now());
  let t: Awaited<ReturnType<typeof startTestServer>>;
  const users = testUsers(() => t.server.wsUrl, 8);
  let counter = 0;
  const rid = () => `pinned-${++counter}-xxxxxx`;
  before(async () => {
    t = await startTestServer({ clock, connectionLimits: { frames: { capacity: 10_000, perSecond: 10_000 }, maxInFlight: 512 } });
  });
  after(async () => {
    users.closeAll();
    await t.stop();
  });
  const tick = () => clock.advance(1000);
  const ids = (chats: Chat[]) => chats.map((chat) => chat.id);
  async function list(user: TestUser, params: object = {}): Promise<Chat[]> {
    return (await user.call('messages.getChats', params)).chats;
  }
  /** Every chat of the list, page by page, the cursor being the last chat of a page (as the SDK pages). */
  async function allPages(user: TestUser, limit: number): Promise<Chat[]> {
    const seen: Chat[] = [];
    let cursor: object = {};
    for (;;) {
      const page = await list(user, { limit, ...cursor });
      seen.push(...page);
      if (page.length < limit) return seen;
      const last = page.at(-1)!;
      cursor = { offsetDate: last.lastActivityDate, offsetChatId: last.id };
    }
  }

  test('[MM14] pinned chats come first (newest pin first) on the first page only, sync to the other devices, at most 10, and unpin', async () => {
    const ann = await user('Ann');
    const phone = await users.device(ann);
    const groups: number[] = [];
    for (let i = 1; i <= 12; i++) {
      tick();
      groups.push((await ann.call('chats.createGroup', { title: `Group ${i}`, userIds: [] })).chat.id);
    }
    const byActivity = [...groups].reverse();
    assert.deepEqual(ids(await list(ann)), byActivity, 'unpinned: most recent activity first');
    assert.equal((await list(ann))[0]!.pinnedAt, null);

    tick();
    const pinned = await ann.call('messages.setChatPinned', { chatId: groups[2], pinned: true });
    const now = Math.floor(clock.nowMs() / 1000);
    assert.deepEqual(pinned.updates.map((u: { update: Update }) => u.update.type), ['chatPinned']);
    await phone.client.waitForUpdates((updates) => updates.some((u) => u.type === 'chatPinned' && u.chatId === groups[2] && u.pinnedAt === now));
    tick();
    await ann.call('messages.setChatPinned', { chatId: groups[0], pinned: true });
    await phone.client.waitForUpdates((updates) => updates.some((u) => u.type === 'chatPinned' && u.chatId === groups[0] && u.pinnedAt === now + 1));

    const first = await list(phone);
    assert.deepEqual(ids(first), [groups[0], groups[2], ...byActivity.filter((id) => id !== groups[0] && id !== groups[2])], 'pinned first, newest pin first');
    assert.deepEqual(first.slice(0, 2).map((chat) => chat.pinnedAt), [now + 1, now]);

    // Paging by the last chat of a page: through the pinned chats, then the rest, every chat once.
    const paged = await allPages(phone, 4);
    assert.deepEqual(ids(paged), ids(first), 'pages of 4 give the same list, each chat once');
    const tiny = await allPages(phone, 1);
    assert.deepEqual(ids(tiny), ids(first), 'pages of 1: the pinned chats, then the rest');

    // Activity in an unpinned chat does not lift it above the pinned ones.
    tick();
    await ann.call('messages.send', { peer: { type: 'chat', chatId: groups[5] }, text: 'news', randomId: rid() });
    assert.deepEqual(ids(await list(ann)).slice(0, 3), [groups[0], groups[2], groups[5]]);

    // At most 10; pinning a pinned chat again just moves it to the top.
    for (const chatId of groups.slice(3, 11)) await ann.call('messages.setChatPinned', { chatId, pinned: true });
    await rejects(ann.call('messages.setChatPinned', { chatId: groups[11], pinned: true }), 'PINNED_CHATS_TOO_MUCH');
    tick();
    await ann.call('messages.setChatPinned', { chatId: groups[2], pinned: true });
    assert.equal((await list(ann))[0]!.id, groups[2]);

    // Unpin: back in its place by activity, on every device.
    await ann.call('messages.setChatPinned', { chatId: groups[0], pinned: false });
    await phone.client.waitForUpdates((updates) => updates.some((u) => u.type === 'chatPinned' && u.chatId === groups[0] && u.pinnedAt === null));
    const after = await list(phone);
    assert.equal(after.find((chat) => chat.id === groups[0])!.pinnedAt, null);
    assert.equal(after.at(-1)!.id, groups[0], 'the oldest unpinned chat is last again');
    await rejects(ann.call('messages.setChatPinned', { chatId: groups[0], pinned: false }), 'CHAT_NOT_MODIFIED');
    await ann.call('messages.setChatPinned', { chatId: groups[11], pinned: true });

    // A device that was away learns it from the difference.
    const difference = await phone.call('updates.getDifference', { pts: 0 });
    assert.ok(difference.updates.some((u: Update) => u.type === 'chatPinned' && u.chatId === groups[11] && u.pinnedAt !== null));

    // Pins are the user's own: another member does not see them; a stranger cannot pin.
    const ben = await user('Ben');
    await ann.call('chats.addMembers', { chatId: groups[2], userIds: [ben.id] });
    assert.equal((await list(ben)).find((chat) => chat.id === groups[2])!.pinnedAt, null);
    const cat = await user('Cat');
    await assert.rejects(cat.call('messages.setChatPinned', { chatId: groups[2], pinned: true }));
    await rejects(cat.call('messages.setChatPinned', { chatId: 999_999, pinned: true }), 'PEER_ID_INVALID');
  });

  test('[MM15] history, search and the chat list mark the viewer’s own reaction (isChosen); the shared update does not', async () => {
    const ann = await user('Ann');
    const ben = await user('Ben');
    const cat = await user('Cat');
    const dan = await user('Dan');
    const { chat } = await ann.call('chats.createGroup', { title: 'Reactions', userIds: [ben.id, cat.id, dan.id] });
    const peer = { type: 'chat', chatId: chat.id };
    const { message } = await ann.call('messages.send', { peer, text: 'lunch at noon?', randomId: rid() });
    await ben.call('messages.react', { peer, messageId: message.id, emoji: '👍' });
    await cat.call('messages.react', { peer, messageId: message.id, emoji: '👍' });
    const reacted = await ann.call('messages.react', { peer, messageId: message.id, emoji: '❤️' });
    const shared = reacted.updates.find((u: { update: Update }) => u.update.type === 'messageReactions').update;
    assert.deepEqual(shared.reactions, [{ emoji: '👍', count: 2 }, { emoji: '❤️', count: 1 }], 'one payload for every member: no isChosen');

    const seen = async (viewer: TestUser): Promise<ReactionCount[]> => {
      const history: Message[] = (await viewer.call('messages.getHistory', { peer })).messages;
      return history.find((m) => m.id === message.id)!.reactions;
    };
    assert.deepEqual(await seen(ann), [{ emoji: '👍', count: 2, isChosen: false }, { emoji: '❤️', count: 1, isChosen: true }]);
    assert.deepEqual(await seen(ben), [{ emoji: '👍', count: 2, isChosen: true }, { emoji: '❤️', count: 1, isChosen: false }]);
    assert.deepEqual(await seen(dan), [{ emoji: '👍', count: 2, isChosen: false }, { emoji: '❤️', count: 1, isChosen: false }]);

    const found: Message[] = (await ben.call('messages.search', { peer, query: 'lunch' })).messages;
    assert.deepEqual(found[0]!.reactions.map((r) => r.isChosen), [true, false]);
    const top = (await list(cat)).find((c) => c.id === chat.id)!.topMessage!;
    assert.deepEqual(top.reactions.map((r) => r.isChosen), [true, false]);

    await ben.call('messages.react', { peer, messageId: message.id, emoji: null });
    assert.deepEqual((await seen(ben)).map((r) => r.isChosen), [false, false], 'taken back: none is Ben’s');
  });

  function user(name: string): Promise<TestUser> {
    return users.user(name);
  }
});
