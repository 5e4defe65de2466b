import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createDeferred, type Deferred } from './deferred.ts';
import { TaskLimiter } from './task-limiter.ts';
import { flushAsync } from './testing/fake-timers.ts';

describe('TaskLimiter', () => {
  test('[SDK26] runs at most maxConcurrent tasks at once and starts the waiting ones first come, first served', async () => {
    const limiter = new TaskLimiter(2);
    const gates: Deferred<number>[] = [];
    const started: number[] = [];
    const results = Array.from({ length: 5 }, (_, index) =>
      limiter.run(() => {
        started.push(index);
        const gate = createDeferred<number>();
        gates[index] = gate;
        return gate.promise;
      }),
    );
    const failed = assert.rejects(results[0] as Promise<number>, /failed task/);
    await flushAsync();
    assert.deepEqual(started, [0, 1]);
    assert.equal(limiter.runningCount, 2);
    assert.equal(limiter.waitingCount, 3);
    gates[1]?.resolve(1);
    await flushAsync();
    assert.deepEqual(started, [0, 1, 2]);
    gates[0]?.reject(new Error('failed task'));
    await flushAsync();
    assert.deepEqual(started, [0, 1, 2, 3], 'a failed task frees its slot too');
    gates[2]?.resolve(2);
    gates[3]?.resolve(3);
    await flushAsync();
    gates[4]?.resolve(4);
    await failed;
    assert.deepEqual(await Promise.all(results.slice(1)), [1, 2, 3, 4]);
    assert.equal(limiter.runningCount, 0);
    assert.equal(limiter.waitingCount, 0);
  });

  test('keeps its order across a long queue', async () => {
    const limiter = new TaskLimiter(1);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 3000 }, (_, index) => limiter.run(async () => void order.push(index))));
    assert.deepEqual(order, Array.from({ length: 3000 }, (_, index) => index));
  });

  test('refuses a limit that is not a positive integer', () => {
    assert.throws(() => new TaskLimiter(0), /maxConcurrent is 0/);
  });
});
