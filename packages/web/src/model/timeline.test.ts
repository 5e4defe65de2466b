import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from '@samizdat/protocol';
import { buildTimeline, localDayStart } from './timeline.ts';

function message(id: number, senderId: number, date: number): Message {
  return { chatId: 1, id, senderId, date, text: `m${id}`, randomId: `r${id}`, entities: [], replyToId: null, forward: null, editDate: null, reactions: [], views: null, signature: null, media: null };
}

const DAY = 86_400;
const BASE = 1_767_225_600; // 2026-01-01T00:00:00Z

test('[WEB7] the timeline puts a day separator before the first message of each day, in the viewer’s time zone', () => {
  const messages = [message(1, 1, BASE + 3600), message(2, 2, BASE + 7200), message(3, 1, BASE + DAY + 60), message(4, 1, BASE + 3 * DAY)];
  const items = buildTimeline(messages, [], { selfId: 1, readOutboxMaxId: 3, timezoneOffsetMinutes: 0 });
  assert.deepEqual(
    items.map((item) => (item.kind === 'day' ? `day ${(item.dayStart / 1000 - BASE) / DAY}` : item.key)),
    ['day 0', 'm-1', 'm-2', 'day 1', 'm-3', 'day 3', 'm-4'],
  );
  // At UTC-2, 01:00 UTC is still the day before and 00:01 UTC the next day is still the 1st.
  const west = buildTimeline(messages, [], { selfId: 1, readOutboxMaxId: 0, timezoneOffsetMinutes: 120 });
  assert.deepEqual(
    west.map((item) => (item.kind === 'day' ? 'day' : item.key)),
    ['day', 'm-1', 'day', 'm-2', 'm-3', 'day', 'm-4'],
  );
});

test('[WEB7] own messages carry read ticks up to readOutboxMaxId, and a sender’s run of messages is one group', () => {
  const messages = [message(1, 1, BASE), message(2, 1, BASE + 1), message(3, 2, BASE + 2), message(4, 1, BASE + 3)];
  const items = buildTimeline(messages, [], { selfId: 1, readOutboxMaxId: 2, timezoneOffsetMinutes: 0 }).filter((item) => item.kind === 'message');
  assert.deepEqual(
    items.map((item) => item.kind === 'message' && [item.isOwn, item.isRead, item.isFirstOfGroup]),
    [
      [true, true, true],
      [true, true, false],
      [false, false, true],
      [true, false, true],
    ],
  );
});

test('[WEB7] messages still in the outbox come after the stored ones', () => {
  const pending = [{ entry: { randomId: 'x', peer: { type: 'user' as const, userId: 2 }, text: 'hi', createdAt: BASE * 1000 + 5000 }, isFailed: false }];
  const items = buildTimeline([message(1, 1, BASE)], pending, { selfId: 1, readOutboxMaxId: 0, timezoneOffsetMinutes: 0 });
  assert.deepEqual(items.map((item) => item.key), [`day-${BASE * 1000}`, 'm-1', 'p-x']);
  assert.equal(localDayStart(BASE * 1000 + 12 * 3600 * 1000, 0), BASE * 1000);
});
