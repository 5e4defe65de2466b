import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyBody, markRead, nextExpiry, removeExpired, type SecretChatState, type SecretMessage } from './secret-history.ts';

const ALICE = 1;
const BOB = 2;
const at = (userId: number, sentAt: number) => ({ userId, deviceId: userId * 10, sentAt, now: sentAt });
const newChat = (): SecretChatState => ({ peerUserId: BOB, ttlSeconds: 0, history: [] });
const messages = (chat: SecretChatState) => chat.history.filter((e): e is SecretMessage => e.kind === 'message');
const id = (n: number) => `message-id-000000${n}`;

test('[SDK38] a repeated message is applied once; only its sender edits it; either user deletes; one reaction per user', () => {
  const chat = newChat();
  assert.equal(applyBody(chat, { type: 'message', id: id(1), text: 'hi', ttlSeconds: 0 }, at(ALICE, 1000)).type, 'message');
  assert.equal(applyBody(chat, { type: 'message', id: id(1), text: 'hi again', ttlSeconds: 0 }, at(ALICE, 1001)).type, 'none');
  assert.equal(applyBody(chat, { type: 'edit', id: id(1), text: 'forged' }, at(BOB, 1002)).type, 'none');
  assert.equal(applyBody(chat, { type: 'edit', id: id(1), text: 'hello' }, at(ALICE, 1003)).type, 'edited');
  assert.deepEqual(messages(chat).map((m) => [m.text, m.editedAt]), [['hello', 1003]]);
  applyBody(chat, { type: 'reaction', id: id(1), emoji: '👍' }, at(BOB, 1004));
  applyBody(chat, { type: 'reaction', id: id(1), emoji: '🔥' }, at(BOB, 1005));
  applyBody(chat, { type: 'reaction', id: id(1), emoji: '❤️' }, at(ALICE, 1006));
  assert.deepEqual(messages(chat)[0]!.reactions, { [BOB]: '🔥', [ALICE]: '❤️' });
  applyBody(chat, { type: 'reaction', id: id(1), emoji: null }, at(BOB, 1007));
  assert.deepEqual(messages(chat)[0]!.reactions, { [ALICE]: '❤️' });
  assert.deepEqual(applyBody(chat, { type: 'delete', ids: [id(1), id(9)] }, at(BOB, 1008)), { type: 'deleted', ids: [id(1)] });
  assert.equal(applyBody(chat, { type: 'edit', id: id(1), text: 'late' }, at(ALICE, 1009)).type, 'none', 'a change to a deleted message changes nothing');
});

test('[SDK40] reading starts the countdown of the messages sent to the reader under a timer, and only those', () => {
  const chat = newChat();
  applyBody(chat, { type: 'timer', ttlSeconds: 5 }, at(BOB, 500));
  applyBody(chat, { type: 'message', id: id(1), text: 'to Bob, timed', ttlSeconds: 5 }, at(ALICE, 1000));
  applyBody(chat, { type: 'message', id: id(2), text: 'to Bob, untimed', ttlSeconds: 0 }, at(ALICE, 1000));
  applyBody(chat, { type: 'message', id: id(3), text: 'from Bob, timed', ttlSeconds: 5 }, at(BOB, 1000));
  assert.equal(nextExpiry(chat), null, 'nothing counts down before it is read');
  assert.deepEqual(markRead(chat, 'all', BOB, 2000), [id(1), id(2)]);
  assert.deepEqual(markRead(chat, 'all', BOB, 3000), [], 'read once');
  assert.equal(nextExpiry(chat), 7000);
  assert.deepEqual(removeExpired(chat, 6999), []);
  assert.deepEqual(removeExpired(chat, 7000), [id(1)]);
  assert.deepEqual(messages(chat).map((m) => m.id), [id(2), id(3)]);
  assert.ok(chat.history.some((e) => e.kind === 'service' && e.action.type === 'timerSet' && e.action.ttlSeconds === 5 && e.action.byUserId === BOB));
  assert.deepEqual(applyBody(chat, { type: 'read', ids: [id(3)] }, at(ALICE, 8000)), { type: 'read', ids: [id(3)] });
  assert.equal(nextExpiry(chat), 13_000);
});
