import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TypedEmitter } from './typed-emitter.ts';

type Events = { count: number; name: string };

describe('TypedEmitter', () => {
  test('handlers receive payloads in subscription order until unsubscribed', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: string[] = [];
    const off = emitter.on('count', (n) => seen.push(`a${n}`));
    emitter.on('count', (n) => seen.push(`b${n}`));
    emitter.emit('count', 1);
    off();
    emitter.emit('count', 2);
    assert.deepEqual(seen, ['a1', 'b1', 'b2']);
    assert.equal(emitter.listenerCount('count'), 1);
  });

  test('once delivers a single event', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: string[] = [];
    emitter.once('name', (name) => seen.push(name));
    emitter.emit('name', 'x');
    emitter.emit('name', 'y');
    assert.deepEqual(seen, ['x']);
  });

  test('subscribing the same function twice needs two unsubscribes', () => {
    const emitter = new TypedEmitter<Events>();
    let calls = 0;
    const handler = () => (calls += 1);
    const offA = emitter.on('count', handler);
    emitter.on('count', handler);
    offA();
    emitter.emit('count', 0);
    assert.equal(calls, 1);
  });

  test('[SDK21] a handler that throws is logged and the next handler still runs', () => {
    const logged: string[] = [];
    const emitter = new TypedEmitter<Events>({ logger: { error: (message) => logged.push(message) } });
    const seen: number[] = [];
    emitter.on('count', () => {
      throw new Error('boom');
    });
    emitter.on('count', (n) => seen.push(n));
    emitter.emit('count', 7);
    assert.deepEqual(seen, [7]);
    assert.deepEqual(logged, ['Event handler threw']);
  });

  test('a handler may unsubscribe itself during delivery without skipping others', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: string[] = [];
    const off = emitter.on('count', () => {
      seen.push('a');
      off();
    });
    emitter.on('count', () => seen.push('b'));
    emitter.emit('count', 1);
    emitter.emit('count', 2);
    assert.deepEqual(seen, ['a', 'b', 'b']);
  });
});
