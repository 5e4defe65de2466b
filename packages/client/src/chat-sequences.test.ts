import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CallFrame, Message, PresenceFrame, TypingFrame, Update, UpdatesState } from '@samizdat/protocol';
import { MAX_CHAT_SYNCS_IN_FLIGHT } from './chat-sequences.ts';
import { MemoryStore } from './client-store.ts';
import { SamizdatClient, type ChatTooLongEvent, type ChatUpdateEvent, type SamizdatClientOptions } from './samizdat-client.ts';
import { FAKE_CODE, FakeServer, type FakeServerConnection } from './testing/fake-server.ts';
import { FakeTimers, flushAsync } from './testing/fake-timers.ts';

const WS_URL = 'ws://fake.test/ws';
const GAP_MS = 300;

/** A fake server with Alice and Bob, a clock, a store, and clients that record their chat events. */
function setup() {
  const server = new FakeServer();
  const timers = new FakeTimers();
  const store = new MemoryStore();
  const alice = server.addUser('+15550000001', 'Alice');
  const bob = server.addUser('+15550000002', 'Bob');

  function createClient(options: Partial<SamizdatClientOptions> = {}) {
    const client = new SamizdatClient({ url: WS_URL, WebSocket: server.WebSocket, timers, store, gapTimeoutMs: GAP_MS, ...options });
    const events = {
      updates: [] as Update[],
      chatUpdates: [] as ChatUpdateEvent[],
      messages: [] as Message[],
      chatTooLong: [] as ChatTooLongEvent[],
      tooLong: [] as UpdatesState[],
      typing: [] as TypingFrame[],
      presence: [] as PresenceFrame[],
      errors: [] as Error[],
    };
    client.on('update', (update) => events.updates.push(update));
    client.on('chatUpdate', (event) => events.chatUpdates.push(event));
    client.on('message', (message) => events.messages.push(message));
    client.on('chatTooLong', (event) => events.chatTooLong.push(event));
    client.on('tooLong', (state) => events.tooLong.push(state));
    client.on('typing', (frame) => events.typing.push(frame));
    client.on('presence', (frame) => events.presence.push(frame));
    client.on('error', (error) => events.errors.push(error));
    return { client, events };
  }

  /** Bob's client (the one under test), connected with his token and caught up. */
  async function connectBob(options: Partial<SamizdatClientOptions> = {}) {
    const created = createClient({ token: bob.token, ...options });
    await created.client.connect();
    await flushAsync();
    return created;
  }

  /** The pts of one chat's updates among the events, in the order they were emitted. */
  function chatPtsSeen(events: { chatUpdates: ChatUpdateEvent[] }, chatId: number): number[] {
    return events.chatUpdates.filter((event) => event.chatId === chatId).map((event) => event.update.pts);
  }

  /** Takes Bob offline (the server is down), runs `whileAway`, and brings him back. */
  async function whileBobAway(whileAway: () => void): Promise<void> {
    server.isDown = true;
    server.dropConnections();
    await flushAsync();
    whileAway();
    server.isDown = false;
    await timers.advance(10_000);
  }

  return { server, timers, store, alice, bob, createClient, connectBob, chatPtsSeen, whileBobAway };
}

const paramsOf = <T>(call: { params: unknown } | undefined): T => call?.params as T;

describe('SamizdatClient groups and channels', () => {
  test('[SDK24] chat pushes are emitted as chatUpdate once each, in the chat\'s pts order, with message for newMessage', async () => {
    const { server, alice, bob, connectBob, chatPtsSeen } = setup();
    const chatId = server.createChat(alice.user.id, { memberIds: [bob.user.id] });
    const { client, events } = await connectBob();
    assert.equal(client.followedChats.get(chatId), 1, 'followed from the chat list at connect');
    server.postToChat(chatId, alice.user.id, 'one');
    server.postToChat(chatId, alice.user.id, 'two');
    // A push repeated by the network is a duplicate ([SDK3]).
    const repeat = server.chatUpdatesOf(chatId)[1];
    assert.ok(repeat !== undefined);
    server.openConnections[0]?.send({ type: 'chatUpdate', chatId, update: repeat });
    await flushAsync();
    assert.deepEqual(chatPtsSeen(events, chatId), [2, 3]);
    assert.deepEqual(events.messages.map((message) => message.text), ['one', 'two']);
    assert.equal(client.followedChats.get(chatId), 3);
    assert.deepEqual(events.errors, []);
    await client.close();
  });

  test('[SDK24] a lost chat push is filled by getChatDifference for that chat after gapTimeoutMs', async () => {
    const { server, timers, alice, bob, connectBob, chatPtsSeen } = setup();
    const chatId = server.createChat(alice.user.id, { memberIds: [bob.user.id] });
    const { client, events } = await connectBob();
    server.isPushing = false;
    server.postToChat(chatId, alice.user.id, 'lost');
    server.isPushing = true;
    server.postToChat(chatId, alice.user.id, 'after the gap');
    await flushAsync();
    assert.deepEqual(chatPtsSeen(events, chatId), []);
    await timers.advance(GAP_MS - 1);
    assert.equal(server.callsOf('updates.getChatDifference').length, 0, 'no difference before the timeout');
    await timers.advance(1);
    assert.deepEqual(server.callsOf('updates.getChatDifference').map((call) => call.params), [{ chatId, pts: 1 }]);
    assert.deepEqual(chatPtsSeen(events, chatId), [2, 3]);
    assert.deepEqual(events.messages.map((message) => message.text), ['lost', 'after the gap']);
    assert.equal(server.callsOf('updates.getDifference').length, 0, 'the user\'s own sequence had no gap');
    await client.close();
  });

  test('[SDK25] chatJoined on the user\'s sequence starts following the chat; chatLeft stops it and forgets its pts', async () => {
    const { server, store, alice, bob, connectBob, chatPtsSeen } = setup();
    const chatId = server.createChat(alice.user.id);
    server.postToChat(chatId, alice.user.id, 'before Bob');
    const { client, events } = await connectBob();
    assert.equal(client.followedChats.has(chatId), false);
    server.addMember(chatId, bob.user.id); // chatMember (pts 3) pushed to Bob, then chatJoined
    await flushAsync();
    assert.equal(client.followedChats.get(chatId), 3);
    assert.deepEqual(events.updates.map((update) => update.type), ['chatJoined']);
    server.postToChat(chatId, alice.user.id, 'welcome');
    await flushAsync();
    assert.deepEqual(chatPtsSeen(events, chatId), [3, 4]);
    assert.deepEqual(store.state?.chatPts, { [chatId]: 4 });

    server.removeMember(chatId, bob.user.id);
    await flushAsync();
    assert.deepEqual(chatPtsSeen(events, chatId), [3, 4, 5], 'the removal itself is the chat\'s last update Bob sees');
    assert.equal(client.followedChats.has(chatId), false);
    assert.deepEqual(store.state?.chatPts, {});
    server.postToChat(chatId, alice.user.id, 'Bob is gone');
    await flushAsync();
    assert.deepEqual(chatPtsSeen(events, chatId), [3, 4, 5]);
    assert.deepEqual(events.errors, [], 'leaving a chat is not an error');
    await client.close();
  });

  test('[SDK25] an update of a chat not followed yet makes the client follow it from that update', async () => {
    const { server, alice, bob, connectBob, chatPtsSeen } = setup();
    const { client, events } = await connectBob();
    // The server has Bob in a chat he was never told about; its next update reaches him.
    const chatId = server.createChat(alice.user.id);
    server.postToChat(chatId, alice.user.id, 'earlier');
    server.isPushing = false;
    server.addMember(chatId, bob.user.id);
    server.isPushing = true;
    server.postToChat(chatId, alice.user.id, 'first one Bob sees');
    await flushAsync();
    assert.equal(server.callsOf('chats.get').length, 1);
    assert.deepEqual(chatPtsSeen(events, chatId), [4]);
    assert.deepEqual(events.messages.map((message) => message.text), ['first one Bob sees']);
    assert.equal(client.followedChats.get(chatId), 4);
    await client.close();
  });

  test('[SDK25] a chat whose catch-up the server refuses with CHANNEL_PRIVATE is dropped without an error', async () => {
    const { server, timers, store, alice, bob, connectBob } = setup();
    const chatId = server.createChat(alice.user.id, { memberIds: [bob.user.id] });
    const { client, events } = await connectBob();
    server.isPushing = false;
    server.removeMember(chatId, bob.user.id); // Bob misses both the removal and chatLeft
    server.isPushing = true;
    server.openConnections[0]?.send({ type: 'chatUpdate', chatId, update: { type: 'chatUpdated', pts: 9, chatId } });
    await timers.advance(GAP_MS);
    assert.equal(client.followedChats.has(chatId), false);
    assert.deepEqual(store.state?.chatPts, {});
    assert.deepEqual(events.errors, []);
    const chatGetsBefore = server.callsOf('chats.get').length;
    await timers.advance(60_000);
    assert.equal(server.callsOf('updates.getChatDifference').length, 1, 'no retry for a chat the user is not in');
    assert.equal(server.callsOf('chats.get').length, chatGetsBefore);
    assert.equal(timers.pendingCount, 0, 'no timer left behind for it');
    await client.close();
  });

  test('[SDK27] a chat too far behind adopts the chat\'s state and emits chatTooLong for that chat only', async () => {
    const { server, store, alice, bob, createClient, chatPtsSeen } = setup();
    const chatId = server.createChat(alice.user.id, { memberIds: [bob.user.id] });
    for (let i = 0; i < 20; i++) server.postToChat(chatId, alice.user.id, `post ${i}`);
    server.tooLongThreshold = 10;
    await store.save({ token: bob.token, userId: bob.user.id, pts: 1, chatPts: { [chatId]: 2 }, outbox: [] });
    const { client, events } = createClient();
    await client.connect();
    await flushAsync();
    assert.deepEqual(events.chatTooLong, [{ chatId, state: { pts: 21, date: 1_700_000_000 } }]);
    assert.deepEqual(chatPtsSeen(events, chatId), []);
    assert.deepEqual(events.tooLong, [], 'the user\'s own sequence was not behind');
    assert.equal(client.followedChats.get(chatId), 21);
    assert.equal(store.state?.chatPts?.[chatId], 21);
    server.postToChat(chatId, alice.user.id, 'next');
    await flushAsync();
    assert.deepEqual(chatPtsSeen(events, chatId), [22], 'and it carries on from there');
    await client.close();
  });

  test('[SDK16] a group message sent by this device is emitted once, whether its result or its push arrives first', async () => {
    const { server, alice, bob, connectBob, chatPtsSeen } = setup();
    const chatId = server.createChat(alice.user.id, { memberIds: [bob.user.id] });
    const { client, events } = await connectBob();
    const pushFirst = await client.sendMessage({ type: 'chat', chatId }, 'push first');
    await flushAsync();
    // Now hold back the push, so that only the result carries the update; then let it arrive late.
    server.isPushing = false;
    const resultOnly = await client.sendMessage({ type: 'chat', chatId }, 'result first');
    assert.deepEqual(events.messages, [pushFirst, resultOnly]);
    const late = server.chatUpdatesOf(chatId).at(-1);
    assert.ok(late !== undefined);
    server.openConnections[0]?.send({ type: 'chatUpdate', chatId, update: late });
    await flushAsync();
    assert.deepEqual(events.messages, [pushFirst, resultOnly]);
    assert.deepEqual(chatPtsSeen(events, chatId), [2, 3]);
    assert.equal(server.callsOf('updates.getChatDifference').length, 0);
    await client.close();
  });

  test('[SDK16] the updates of any call result are applied: creating a group follows it at once', async () => {
    const { server, alice, connectBob, chatPtsSeen } = setup();
    const { client, events } = await connectBob();
    server.isPushing = false; // only the result carries the updates
    const { chat } = await client.call('chats.createGroup', { title: 'Plans', userIds: [alice.user.id] });
    await flushAsync(); // the new chat's state comes from chats.get
    assert.equal(client.followedChats.get(chat.id), 1);
    assert.deepEqual(events.updates.map((update) => update.type), ['chatJoined']);
    assert.deepEqual(chatPtsSeen(events, chat.id), [], 'followed from the chat number in chatJoined: the creation itself is not replayed');
    const { updates } = await client.call('chats.leave', { chatId: chat.id });
    assert.deepEqual(updates.map((item) => item.chatId), [chat.id, null]);
    assert.deepEqual(chatPtsSeen(events, chat.id), [2]);
    assert.equal(client.followedChats.has(chat.id), false, 'the chatLeft in the result unfollows');
    assert.deepEqual(events.errors, []);
    await client.close();
  });

  test('[SDK26] a reconnect catches up every chat whose listed pts differs, follows new ones from the list and drops left ones', async () => {
    const { server, store, alice, bob, connectBob, whileBobAway, chatPtsSeen } = setup();
    const quiet = server.createChat(alice.user.id, { memberIds: [bob.user.id], title: 'quiet' });
    const busy = server.createChat(alice.user.id, { memberIds: [bob.user.id], title: 'busy' });
    const left = server.createChat(alice.user.id, { memberIds: [bob.user.id], title: 'left' });
    const { client, events } = await connectBob();
    const listedBefore = server.callsOf('messages.getChats').length;
    let fresh = 0;
    await whileBobAway(() => {
      for (let i = 0; i < 5; i++) server.postToChat(busy, alice.user.id, `busy ${i}`);
      fresh = server.createChat(alice.user.id, { type: 'channel', title: 'fresh' });
      server.postToChat(fresh, alice.user.id, 'before Bob joined');
      server.addMember(fresh, bob.user.id);
      server.postToChat(fresh, alice.user.id, 'after Bob joined');
      server.removeMember(left, bob.user.id);
    });
    await flushAsync();
    assert.equal(server.callsOf('messages.getChats').length, listedBefore + 1);
    assert.deepEqual(chatPtsSeen(events, busy), [2, 3, 4, 5, 6]);
    assert.deepEqual(chatPtsSeen(events, quiet), []);
    assert.deepEqual(
      server.callsOf('updates.getChatDifference').map((call) => paramsOf<{ chatId: number }>(call).chatId).sort(),
      [busy, fresh].sort(),
      'only the chats that moved are asked for a difference',
    );
    assert.equal(client.followedChats.get(fresh), 4);
    assert.deepEqual(chatPtsSeen(events, fresh), [4], 'a chat joined while away is followed from the join: what came after it is delivered');
    assert.equal(client.followedChats.has(left), false);
    assert.deepEqual(store.state?.chatPts, { [quiet]: 1, [busy]: 6, [fresh]: 4 });
    assert.deepEqual(events.errors, []);
    await client.close();
  });

  test('[SDK26] a followed chat the list lacks is checked with chats.get: caught up while a member, dropped once not', async () => {
    const { server, store, alice, bob, createClient, chatPtsSeen } = setup();
    const empty = server.createChat(alice.user.id, { memberIds: [bob.user.id], title: 'no messages yet' });
    const gone = server.createChat(alice.user.id, { memberIds: [bob.user.id], title: 'Bob was removed' });
    server.removeMember(gone, bob.user.id);
    server.addChatUpdate(empty, (pts) => ({ type: 'chatUpdated', pts, chatId: empty }));
    server.isListingEmptyChats = false; // neither chat is in Bob's list now
    // A device whose stored state still follows both chats, its own sequence past the chatLeft.
    await store.save({ token: bob.token, userId: bob.user.id, pts: server.updatesOf(bob.user.id).length, chatPts: { [empty]: 1, [gone]: 1 }, outbox: [] });
    const { client, events } = createClient();
    await client.connect();
    await flushAsync();
    assert.deepEqual(server.callsOf('chats.get').map((call) => paramsOf<{ chatId: number }>(call).chatId).sort(), [empty, gone].sort());
    assert.deepEqual(chatPtsSeen(events, empty), [2]);
    assert.deepEqual([...client.followedChats], [[empty, 2]]);
    assert.deepEqual(store.state?.chatPts, { [empty]: 2 });
    assert.deepEqual(events.errors, []);
    await client.close();
  });

  test('[SDK26] a chat left while the chat list is on its way is not followed again from that list', async () => {
    const { server, timers, store, alice, bob, connectBob } = setup();
    const chatId = server.createChat(alice.user.id, { memberIds: [bob.user.id] });
    const { client, events } = await connectBob();
    const stale = { chats: [server.chatView(chatId, bob.user.id)], users: [] };
    server.intercept = (connection, frame) => {
      if (frame.method !== 'messages.getChats') return false;
      // The list was read before Bob's removal, whose updates overtake it on the wire.
      server.removeMember(chatId, bob.user.id);
      connection.send({ type: 'result', id: frame.id, result: stale });
      return true;
    };
    server.dropConnections();
    await timers.advance(250);
    assert.deepEqual(events.updates.map((update) => update.type), ['chatLeft']);
    assert.equal(client.followedChats.has(chatId), false);
    assert.deepEqual(store.state?.chatPts, {});
    await client.close();
  });

  test('[SDK26] a chat list refused with a long FLOOD_WAIT is reported and asked again no sooner than retryAfterSeconds', async () => {
    const { server, timers, alice, bob, createClient } = setup();
    const chatId = server.createChat(alice.user.id, { memberIds: [bob.user.id] });
    let refusals = 1;
    server.intercept = (connection, frame) => {
      if (frame.method !== 'messages.getChats' || refusals === 0) return false;
      refusals -= 1;
      connection.sendError(frame.id, { code: 'FLOOD_WAIT', retryAfterSeconds: 30 });
      return true;
    };
    const { client, events } = createClient({ token: bob.token });
    await client.connect();
    await flushAsync();
    assert.equal(events.errors.length, 1);
    assert.equal(client.followedChats.size, 0);
    await timers.advance(29_999);
    assert.equal(server.callsOf('messages.getChats').length, 1);
    await timers.advance(1);
    assert.equal(server.callsOf('messages.getChats').length, 2);
    assert.equal(client.followedChats.get(chatId), 1);
    await client.close();
  });

  test('[SDK26] a reconnect while a chat catch-up runs past its list makes it list the chats once more when done', async () => {
    const { server, timers, alice, bob, connectBob, whileBobAway, chatPtsSeen } = setup();
    const chatId = server.createChat(alice.user.id, { memberIds: [bob.user.id] });
    const { client, events } = await connectBob();
    const held: { connection: FakeServerConnection; frame: CallFrame }[] = [];
    let isHolding = true;
    server.intercept = (connection, frame) => {
      if (!isHolding || frame.method !== 'updates.getChatDifference') return false;
      held.push({ connection, frame });
      return true;
    };
    await whileBobAway(() => server.postToChat(chatId, alice.user.id, 'while away'));
    const listed = server.callsOf('messages.getChats').length;
    server.dropConnections(); // the difference in flight is resent on the next connection, and held again
    await timers.advance(250);
    assert.equal(server.callsOf('messages.getChats').length, listed, 'the reconnect joins the running catch-up');
    isHolding = false;
    const last = held.at(-1);
    assert.ok(last !== undefined);
    server.receive(last.connection, JSON.stringify(last.frame));
    await flushAsync();
    assert.equal(server.callsOf('messages.getChats').length, listed + 1, 'and its list is read once more, once');
    assert.deepEqual(chatPtsSeen(events, chatId), [2]);
    await client.close();
  });

  test('[SDK26] a tooLong of the user\'s own sequence starts a chat catch-up, as the joins it skipped are lost', async () => {
    const { server, timers, alice, bob, connectBob } = setup();
    const { client, events } = await connectBob();
    server.tooLongThreshold = 10;
    server.isPushing = false;
    server.addFillerUpdates(bob.user.id, 20);
    const chatId = server.createChat(alice.user.id, { memberIds: [bob.user.id] });
    server.isPushing = true;
    server.addFillerUpdates(bob.user.id, 1); // the push that reveals the gap
    const listedBefore = server.callsOf('messages.getChats').length;
    await timers.advance(GAP_MS);
    assert.equal(events.tooLong.length, 1);
    assert.equal(server.callsOf('messages.getChats').length, listedBefore + 1);
    assert.equal(client.followedChats.get(chatId), 1);
    await client.close();
  });

  test(`[SDK26] a catch-up keeps at most ${MAX_CHAT_SYNCS_IN_FLIGHT} chat differences on the wire at once`, async () => {
    const { server, alice, bob, connectBob, whileBobAway, chatPtsSeen } = setup();
    const chatIds = Array.from({ length: 20 }, (_, index) => server.createChat(alice.user.id, { memberIds: [bob.user.id], title: `chat ${index}` }));
    const { client, events } = await connectBob();
    // Differences are held unanswered until the test lets them through, a batch at a time.
    const held: { connection: FakeServerConnection; frame: CallFrame }[] = [];
    let maxHeld = 0;
    let isReleasing = false;
    server.intercept = (connection, frame) => {
      if (isReleasing || frame.method !== 'updates.getChatDifference') return false;
      held.push({ connection, frame });
      maxHeld = Math.max(maxHeld, held.length);
      return true;
    };
    await whileBobAway(() => {
      for (const chatId of chatIds) server.postToChat(chatId, alice.user.id, 'while away');
    });
    assert.equal(held.length, MAX_CHAT_SYNCS_IN_FLIGHT);
    for (let turn = 0; turn < 10 && held.length > 0; turn++) {
      isReleasing = true;
      for (const { connection, frame } of held.splice(0)) server.receive(connection, JSON.stringify(frame));
      isReleasing = false;
      await flushAsync();
    }
    assert.equal(maxHeld, MAX_CHAT_SYNCS_IN_FLIGHT);
    assert.equal(held.length, 0);
    for (const chatId of chatIds) assert.deepEqual(chatPtsSeen(events, chatId), [2]);
    await client.close();
  });

  test('[SDK26] the chat list is paged by the last chat\'s date and id until a short page', async () => {
    const { server, alice, bob, connectBob } = setup();
    const chatIds: number[] = [];
    for (let index = 0; index < 600; index++) {
      const chatId = server.createChat(alice.user.id, { memberIds: [bob.user.id] });
      server.postToChat(chatId, alice.user.id, 'hi');
      chatIds.push(chatId);
    }
    const { client } = await connectBob();
    const pages = server.callsOf('messages.getChats').map((call) => call.params);
    assert.equal(pages.length, 2);
    assert.deepEqual(pages[0], { limit: 500 });
    const boundary = server.chatView(chatIds[100] ?? 0, bob.user.id);
    assert.deepEqual(pages[1], { limit: 500, offsetDate: boundary.topMessage?.date, offsetChatId: boundary.id });
    assert.equal(client.followedChats.size, 600);
    assert.equal(server.callsOf('updates.getChatDifference').length, 0);
    await client.close();
  });

  test('[SDK28] a restarted client resumes every chat from its stored pts, repeating and skipping nothing', async () => {
    const { server, store, alice, bob, createClient, chatPtsSeen } = setup();
    const group = server.createChat(alice.user.id, { memberIds: [bob.user.id] });
    const channel = server.createChat(alice.user.id, { type: 'channel', memberIds: [bob.user.id] });
    server.differenceSliceLimit = 4;
    const first = createClient({ token: bob.token });
    await first.client.connect();
    await flushAsync();
    server.postToChat(group, alice.user.id, 'seen by the first run');
    await flushAsync();
    await first.client.close();
    assert.deepEqual(store.state?.chatPts, { [group]: 2, [channel]: 1 });
    for (let i = 0; i < 6; i++) server.postToChat(group, alice.user.id, `group ${i}`);
    for (let i = 0; i < 3; i++) server.postToChat(channel, alice.user.id, `channel ${i}`);

    const second = createClient();
    await second.client.connect();
    await flushAsync();
    assert.deepEqual([...chatPtsSeen(first.events, group), ...chatPtsSeen(second.events, group)], [2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(chatPtsSeen(second.events, channel), [2, 3, 4]);
    const differencesOf = (chatId: number) =>
      server.callsOf('updates.getChatDifference').map((call) => paramsOf<{ chatId: number; pts: number }>(call)).filter((params) => params.chatId === chatId).map((params) => params.pts);
    assert.deepEqual(differencesOf(group), [2, 6], 'each chat from its stored pts, in slices until final');
    assert.deepEqual(differencesOf(channel), [1]);
    assert.deepEqual(store.state?.chatPts, { [group]: 8, [channel]: 4 });
    await second.client.close();
  });

  test('[SDK28] logOut forgets the chats\' pts; a terminated session keeps them', async () => {
    const { server, store, alice, bob, connectBob, createClient } = setup();
    const chatId = server.createChat(alice.user.id, { memberIds: [bob.user.id] });
    const { client } = await connectBob();
    server.terminate(bob.token);
    await flushAsync();
    assert.deepEqual(store.state?.chatPts, { [chatId]: 1 });
    assert.equal(client.followedChats.size, 0);
    await client.close();

    const again = createClient();
    await again.client.connect();
    const phone = bob.user.phone ?? '';
    const { phoneCodeHash } = await again.client.sendCode(phone);
    await again.client.signIn({ phone, phoneCodeHash, code: FAKE_CODE });
    assert.equal(again.client.followedChats.get(chatId), 1, 'the same user signing in again follows the stored chats');
    await again.client.logOut();
    assert.equal(store.state?.chatPts, undefined);
    assert.equal(again.client.followedChats.size, 0);
    await again.client.close();
  });

  test('[SDK28] a chat update applied just before the session ends has its pts saved, so a later sign-in does not repeat it', async () => {
    const { server, store, alice, bob, connectBob } = setup();
    const chatId = server.createChat(alice.user.id, { memberIds: [bob.user.id] });
    const { client, events } = await connectBob();
    server.postToChat(chatId, alice.user.id, 'last words');
    server.terminate(bob.token); // on the wire right behind the update
    await flushAsync();
    assert.equal(events.chatUpdates.length, 1);
    assert.deepEqual(store.state?.chatPts, { [chatId]: 2 });
    await client.close();
  });

  test('[SDK28] another user signing in does not inherit the stored chats', async () => {
    const { server, store, alice, bob, createClient } = setup();
    const chatId = server.createChat(alice.user.id, { memberIds: [bob.user.id] });
    await store.save({ token: alice.token, userId: 999, pts: 0, chatPts: { '12345': 7 }, outbox: [] });
    const { client } = createClient();
    await client.connect();
    await flushAsync();
    assert.deepEqual([...client.followedChats], [[chatId, 1]]);
    assert.deepEqual(store.state?.chatPts, { [chatId]: 1 });
    assert.equal(server.callsOf('updates.getChatDifference').length, 0);
    await client.close();
  });

  test('[SDK19] a client closed while catching up starts no chat catch-up and leaves no timer behind', async () => {
    const { server, timers, store, alice, bob, createClient } = setup();
    server.createChat(alice.user.id, { memberIds: [bob.user.id] });
    await store.save({ token: bob.token, userId: bob.user.id, pts: 0, outbox: [] });
    server.intercept = (_connection, frame) => frame.method === 'updates.getDifference'; // never answered
    const { client, events } = createClient();
    await client.connect();
    await flushAsync();
    await client.close();
    await timers.advance(60_000);
    assert.equal(server.callsOf('messages.getChats').length, 0);
    assert.equal(timers.pendingCount, 0);
    assert.deepEqual(events.errors, []);
  });

  test('[SDK29] typing and presence frames are emitted as they arrive, and not sequenced', async () => {
    const { server, alice, bob, connectBob } = setup();
    const { client, events } = await connectBob();
    const typing: TypingFrame = { type: 'typing', chatId: 5, userId: alice.user.id, action: 'typing', expiresAt: 1_700_000_006 };
    const presence: PresenceFrame = { type: 'presence', userId: alice.user.id, status: { type: 'online', expiresAt: 1_700_000_300 } };
    server.sendToUser(bob.user.id, typing);
    server.sendToUser(bob.user.id, presence);
    await flushAsync();
    assert.deepEqual(events.typing, [typing]);
    assert.deepEqual(events.presence, [presence]);
    assert.deepEqual(events.updates, []);
    assert.deepEqual(events.chatUpdates, []);
    await client.close();
  });
});

describe('SamizdatClient sendMessage with replies and entities', () => {
  test('[SDK8] replyToId and entities are stored with the entry and sent with every resend', async () => {
    const { server, timers, store, alice, bob, connectBob } = setup();
    const chatId = server.createChat(alice.user.id, { memberIds: [bob.user.id] });
    const { client } = await connectBob();
    let isHolding = true;
    server.intercept = (_connection, frame) => isHolding && frame.method === 'messages.send';
    const entities = [{ type: 'bold' as const, offset: 0, length: 4 }];
    const sending = client.sendMessage({ type: 'chat', chatId }, 'bold reply', { replyToId: 1, entities, randomId: 'reply-0001' });
    await flushAsync();
    assert.deepEqual(store.state?.outbox.map(({ replyToId, entities: stored }) => ({ replyToId, entities: stored })), [{ replyToId: 1, entities }]);
    isHolding = false;
    server.dropConnections();
    await timers.advance(250);
    const message = await sending;
    assert.deepEqual({ replyToId: message.replyToId, entities: message.entities }, { replyToId: 1, entities });
    const sends = server.callsOf('messages.send').map((call) => call.params);
    assert.equal(sends.length, 2);
    assert.deepEqual(sends[1], sends[0]);
    assert.deepEqual(sends[0], { peer: { type: 'chat', chatId }, text: 'bold reply', randomId: 'reply-0001', replyToId: 1, entities });
    await client.close();
  });

  test('[SDK18] sendMessage refuses an entity that ends past the text before it enters the outbox', async () => {
    const { alice, connectBob } = setup();
    const { client } = await connectBob();
    await assert.rejects(
      client.sendMessage({ type: 'user', userId: alice.user.id }, 'short', { entities: [{ type: 'italic', offset: 2, length: 10 }] }),
      (error: unknown) => error instanceof Error && 'code' in error && error.code === 'ENTITY_BOUNDS_INVALID',
    );
    assert.deepEqual(client.outbox, []);
    await client.close();
  });
});
