import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BusEvent } from './bus.ts';
import { InProcessBus } from './in-process-bus.ts';

const update = (pts: number): BusEvent => ({ kind: 'chatUpdate', chatId: 1, update: { type: 'chatUpdated', pts, chatId: 1 } });

test('a topic with many subscribers is served in slices, yielding to the event loop between them', async () => {
  const bus = new InProcessBus();
  const received: number[] = [];
  for (let i = 0; i < 5000; i++) bus.subscribe('chat.1', () => received.push(i));
  bus.publish('chat.1', update(1));
  assert.ok(received.length > 0 && received.length < 5000, `served ${received.length} at once`);
  await new Promise((done) => setTimeout(done, 50));
  assert.equal(received.length, 5000);
});

test('each subscriber gets a topic’s events in publish order, even while an earlier one is still being sliced', async () => {
  const bus = new InProcessBus();
  const seen = new Map<number, number[]>();
  for (let i = 0; i < 3500; i++) {
    seen.set(i, []);
    bus.subscribe('chat.1', (event) => seen.get(i)!.push(event.kind === 'chatUpdate' ? event.update.pts : -1));
  }
  for (let pts = 1; pts <= 4; pts++) bus.publish('chat.1', update(pts));
  await new Promise((done) => setTimeout(done, 100));
  for (const list of seen.values()) assert.deepEqual(list, [1, 2, 3, 4]);
});

test('a small topic is served at once', () => {
  const bus = new InProcessBus();
  let count = 0;
  for (let i = 0; i < 10; i++) bus.subscribe('user.1', () => count++);
  bus.publish('user.1', { kind: 'sessionTerminated', sessionId: 1 });
  assert.equal(count, 10);
});

test('a subscription made by follow ends with unfollow of the same handler, leaving the topic’s others; ending one twice or one never made does nothing', () => {
  const bus = new InProcessBus();
  const heard: string[] = [];
  const first = () => heard.push('first');
  const second = () => heard.push('second');
  bus.follow('user.1', first);
  bus.follow('user.1', second);
  bus.unfollow('user.1', first);
  bus.unfollow('user.1', first);
  bus.unfollow('user.2', second);
  bus.publish('user.1', update(1));
  assert.deepEqual(heard, ['second']);
  bus.unfollow('user.1', second);
  assert.equal(bus.has('user.1'), false);
});
