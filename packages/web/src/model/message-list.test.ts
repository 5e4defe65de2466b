import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from '@samizdat/protocol';
import { mergeMessages, removeMessages } from './message-list.ts';

function message(id: number, text = `m${id}`, editDate: number | null = null): Message {
  return { chatId: 1, id, senderId: 1, date: 1000 + id, text, randomId: `r${id}`, entities: [], replyToId: null, forward: null, editDate, reactions: [], views: null, signature: null, media: null };
}

test('[WEB8] merging a history page and live messages keeps each id once, in id order', () => {
  const live = [message(51), message(52)];
  const page = [message(52), message(50), message(49)];
  const merged = mergeMessages(live, page);
  assert.deepEqual(merged.map((m) => m.id), [49, 50, 51, 52]);
  assert.equal(mergeMessages(merged, [message(50)]), merged, 'nothing new: the same array, so nothing re-renders');
});

test('[WEB8] an edit replaces the message in place and a deletion removes it', () => {
  const list = [message(1), message(2), message(3)];
  const edited = mergeMessages(list, [message(2, 'changed', 2000)]);
  assert.deepEqual(edited.map((m) => m.text), ['m1', 'changed', 'm3']);
  assert.deepEqual(removeMessages(edited, [1, 3]).map((m) => m.id), [2]);
  assert.equal(removeMessages(edited, [9]), edited);
});
