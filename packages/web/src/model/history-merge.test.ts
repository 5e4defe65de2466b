import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from '@samizdat/protocol';
import { mergeNewestPage } from './history-merge.ts';

function message(id: number, text = `m${id}`): Message {
  return { chatId: 1, id, senderId: 1, date: 1000 + id, text, randomId: `r${id}`, entities: [], replyToId: null, forward: null, editDate: null, reactions: [], views: null, signature: null, media: null };
}
const ids = (messages: readonly Message[]) => messages.map((m) => m.id);

test('[WEB51] the newest page merges into cached messages by id: overlaps once, edits replace, deletions in its span go', () => {
  const cached = [1, 2, 3, 4, 5, 6].map((id) => message(id));
  const page = [message(7), message(6, 'edited'), message(4), message(3)];
  const merged = mergeNewestPage(cached, page, true);
  assert.deepEqual(ids(merged), [1, 2, 3, 4, 6, 7], '5 was deleted meanwhile');
  assert.equal(merged.find((m) => m.id === 6)?.text, 'edited');
});

test('[WEB51] a full newest page that shares no id with the cache replaces it, as a gap may lie between them', () => {
  assert.deepEqual(ids(mergeNewestPage([message(1), message(2)], [message(10), message(9)], true)), [9, 10]);
});

test('[WEB51] a page that is not full is the whole history; live messages newer than it stay', () => {
  assert.deepEqual(ids(mergeNewestPage([message(1), message(2), message(9)], [message(2), message(3)], false)), [2, 3, 9]);
});
