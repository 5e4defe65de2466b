import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { ClusterBus, type IpcChannel } from './cluster-bus.ts';
import type { WorkerToPrimary } from './cluster-messages.ts';

/** The worker's side of the IPC channel, keeping what the worker sent to the primary. */
function recordingChannel(): IpcChannel & { sent: WorkerToPrimary[] } {
  const emitter = new EventEmitter();
  const sent: WorkerToPrimary[] = [];
  return { sent, send: (message) => void sent.push(message), on: (event, listener) => void emitter.on(event, listener), off: (event, listener) => void emitter.off(event, listener) };
}

test('a worker tells the primary of a topic when its first local subscriber follows it and when its last one leaves, once each', () => {
  const channel = recordingChannel();
  const bus = new ClusterBus(channel);
  const first = () => {};
  const second = () => {};
  bus.follow('user.1', first);
  bus.follow('user.1', second);
  bus.unfollow('user.1', first);
  bus.unfollow('user.1', first);
  bus.unfollow('user.1', second);
  bus.unfollow('user.1', second);
  const unsubscribe = bus.subscribe('chat.7', first);
  unsubscribe();
  unsubscribe();
  assert.deepEqual(channel.sent, [
    { samizdat: 'subscribe', topic: 'user.1' },
    { samizdat: 'unsubscribe', topic: 'user.1' },
    { samizdat: 'subscribe', topic: 'chat.7' },
    { samizdat: 'unsubscribe', topic: 'chat.7' },
  ]);
});
