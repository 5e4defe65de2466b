import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Chat, Message } from '@samizdat/protocol';
import { describeStatus, describeTyping, mergeReactions, MessageActions, messagePermissions, ownReactionOf, TYPING_THROTTLE_MS, type ActionsClient } from './message-actions.ts';

const SELF = 1;
const PEER = 2;

function fakeClient(options: { failReact?: boolean } = {}) {
  const handlers = new Map<string, ((payload: unknown) => void)[]>();
  const calls: { method: string; params: unknown }[] = [];
  const client = {
    on(event: string, handler: (payload: unknown) => void) {
      handlers.set(event, [...(handlers.get(event) ?? []), handler]);
      return () => handlers.set(event, (handlers.get(event) ?? []).filter((h) => h !== handler));
    },
    async call(method: string, params: unknown) {
      calls.push({ method, params });
      if (method === 'messages.react' && options.failReact === true) throw new Error('Cannot react: refused');
      if (method === 'users.getStatuses') return { statuses: [{ userId: PEER, status: { type: 'offline', lastSeenAt: 1_000 } }] };
      return { updates: [] };
    },
  } as unknown as ActionsClient;
  const emit = (event: string, payload: unknown) => {
    for (const handler of handlers.get(event) ?? []) handler(payload);
  };
  return { client, calls, emit };
}

function message(fields: Partial<Message> = {}): Message {
  return {
    chatId: 10,
    id: 5,
    senderId: SELF,
    date: 1_700_000_000,
    text: 'hello',
    randomId: 'r',
    entities: [],
    replyToId: null,
    forward: null,
    editDate: null,
    reactions: [],
    views: null,
    signature: null,
    media: null,
    ...fields,
  };
}

function chat(fields: Partial<Chat> = {}): Chat {
  return { type: 'private', hasNoForwards: false, myRole: null, myRights: null, pinnedMessageId: null, ...fields } as Chat;
}

test('[WEB12] typing is sent at most once per throttle window per chat, again after a send, and cancelled when the text is cleared', async () => {
  const { client, calls } = fakeClient();
  const actions = new MessageActions(client, SELF);
  const peer = { type: 'chat' as const, chatId: 10 };
  await actions.notifyTyping(peer, 0);
  await actions.notifyTyping(peer, 1_000);
  await actions.notifyTyping(peer, TYPING_THROTTLE_MS - 1);
  assert.equal(calls.length, 1);
  await actions.notifyTyping(peer, TYPING_THROTTLE_MS);
  assert.equal(calls.length, 2);
  actions.sent(peer);
  await actions.notifyTyping(peer, TYPING_THROTTLE_MS + 1);
  assert.equal(calls.length, 3);
  await actions.cancelTyping(peer);
  await actions.cancelTyping(peer);
  assert.deepEqual(
    calls.map((call) => (call.params as { action: string }).action),
    ['typing', 'typing', 'typing', 'cancel'],
  );
});

test('[WEB12] typing frames of others show per chat until cancelled or a message from them arrives; the viewer\'s own are ignored', () => {
  const { client, emit } = fakeClient();
  const actions = new MessageActions(client, SELF);
  const stop = actions.start();
  emit('typing', { type: 'typing', chatId: 10, userId: PEER, action: 'typing', expiresAt: 0 });
  emit('typing', { type: 'typing', chatId: 10, userId: SELF, action: 'typing', expiresAt: 0 });
  emit('typing', { type: 'typing', chatId: 10, userId: PEER, action: 'typing', expiresAt: 0 });
  assert.deepEqual(actions.getSnapshot().typing.get(10), [PEER]);
  emit('message', message({ senderId: PEER }));
  assert.equal(actions.getSnapshot().typing.has(10), false);
  emit('typing', { type: 'typing', chatId: 10, userId: PEER, action: 'typing', expiresAt: 0 });
  emit('typing', { type: 'typing', chatId: 10, userId: PEER, action: 'cancel', expiresAt: 0 });
  assert.equal(actions.getSnapshot().typing.has(10), false);
  stop();
});

test('[WEB12] statuses come from users.getStatuses once and then from presence frames', async () => {
  const { client, calls, emit } = fakeClient();
  const actions = new MessageActions(client, SELF);
  const stop = actions.start();
  await actions.loadStatus(PEER);
  await actions.loadStatus(PEER);
  await actions.loadStatus(SELF);
  assert.equal(calls.length, 1);
  assert.deepEqual(actions.getSnapshot().statuses.get(PEER), { type: 'offline', lastSeenAt: 1_000 });
  emit('presence', { type: 'presence', userId: PEER, status: { type: 'online', expiresAt: 2_000 } });
  assert.equal(describeStatus(actions.getSnapshot().statuses.get(PEER), 1_000_000), 'online');
  assert.match(describeStatus(actions.getSnapshot().statuses.get(PEER), 3_000_000), /^last seen /);
  assert.equal(describeStatus({ type: 'hidden' }), 'last seen recently');
  stop();
});

test('[WEB13] a reaction toggles: the same emoji again takes it back, another replaces it, and a refusal restores the previous one', async () => {
  const { client, calls } = fakeClient();
  const actions = new MessageActions(client, SELF);
  await actions.toggleReaction(10, 5, '👍');
  assert.equal(actions.ownReaction(10, 5), '👍');
  await actions.toggleReaction(10, 5, '❤️');
  assert.equal(actions.ownReaction(10, 5), '❤️');
  await actions.toggleReaction(10, 5, '❤️');
  assert.equal(actions.ownReaction(10, 5), undefined);
  assert.deepEqual(
    calls.map((call) => (call.params as { emoji: string | null }).emoji),
    ['👍', '❤️', null],
  );

  const failing = new MessageActions(fakeClient({ failReact: true }).client, SELF);
  await assert.rejects(failing.toggleReaction(10, 5, '👍'));
  assert.equal(failing.ownReaction(10, 5), undefined);
});

test('[WEB10] [WEB14] permissions: edit own within 48 hours, delete for everyone in private chats or with the right, no forward out of a no-forwards chat', () => {
  const now = 1_700_000_000 + 3600;
  assert.equal(messagePermissions(message(), chat(), SELF, now).canEdit, true);
  assert.equal(messagePermissions(message(), chat(), SELF, 1_700_000_000 + 49 * 3600).canEdit, false);
  assert.equal(messagePermissions(message({ senderId: PEER }), chat(), SELF, now).canEdit, false);
  assert.equal(messagePermissions(message({ senderId: PEER }), chat(), SELF, now).canDeleteForEveryone, true);
  assert.equal(messagePermissions(message({ senderId: PEER }), chat({ type: 'group', myRole: 'member' }), SELF, now).canDeleteForEveryone, false);
  assert.equal(messagePermissions(message({ senderId: PEER }), chat({ type: 'group', myRole: 'owner' }), SELF, now).canDeleteForEveryone, true);
  assert.equal(messagePermissions(message(), chat({ hasNoForwards: true }), SELF, now).canForward, false);
  assert.equal(messagePermissions(message(), chat({ type: 'group', myRole: 'member' }), SELF, now).canPin, false);
});

test('[WEB12] typing lines name one or two typists and count more', () => {
  assert.equal(describeTyping(['Ann']), 'Ann is typing…');
  assert.equal(describeTyping(['Ann', 'Bo']), 'Ann and Bo are typing…');
  assert.equal(describeTyping(['Ann', 'Bo', 'Cy']), '3 people are typing…');
});

test('[WEB61] after a reload the server’s isChosen tells which reaction is the viewer’s: clicking it takes it back, another replaces it', async () => {
  const reactions = [{ emoji: '👍', count: 2, isChosen: true }, { emoji: '❤️', count: 1, isChosen: false }];
  const reloaded = message({ reactions });
  assert.equal(ownReactionOf(reloaded, new Map()), '👍', 'known from history alone');
  const { client, calls } = fakeClient();
  const actions = new MessageActions(client, SELF);
  assert.equal(actions.ownReaction(10, 5, reactions), '👍');
  await actions.toggleReaction(10, 5, '👍', reactions);
  assert.equal(actions.ownReaction(10, 5, reactions), undefined, 'taken back here: the stale isChosen no longer counts');
  assert.equal(ownReactionOf(reloaded, actions.getSnapshot().ownReactions), undefined);
  await actions.toggleReaction(10, 5, '❤️', reactions);
  assert.equal(actions.ownReaction(10, 5, reactions), '❤️');
  assert.deepEqual(calls.map((call) => (call.params as { emoji: string | null }).emoji), [null, '❤️']);

  const failing = new MessageActions(fakeClient({ failReact: true }).client, SELF);
  await assert.rejects(failing.toggleReaction(10, 5, '👍', reactions));
  assert.equal(failing.ownReaction(10, 5, reactions), '👍', 'a refusal shows the server’s choice again');
});

test('[WEB61] counts from a shared update keep the viewer’s isChosen while that emoji is still there', () => {
  const before = [{ emoji: '👍', count: 1, isChosen: true }];
  assert.deepEqual(mergeReactions(before, [{ emoji: '👍', count: 2 }, { emoji: '😂', count: 1 }]), [{ emoji: '👍', count: 2, isChosen: true }, { emoji: '😂', count: 1, isChosen: false }]);
  assert.deepEqual(mergeReactions(before, [{ emoji: '😂', count: 1 }]), [{ emoji: '😂', count: 1, isChosen: false }]);
  assert.deepEqual(mergeReactions([{ emoji: '👍', count: 1 }], [{ emoji: '👍', count: 2 }]), [{ emoji: '👍', count: 2 }]);
});
