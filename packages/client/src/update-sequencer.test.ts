import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RpcError, type Update, type UpdatesState } from '@samizdat/protocol';
import { ProtocolError } from './client-errors.ts';
import { createDeferred, type Deferred } from './deferred.ts';
import { FakeTimers, flushAsync } from './testing/fake-timers.ts';
import { UpdateSequencer, type DifferenceResult } from './update-sequencer.ts';

const GAP_MS = 500;

function update(pts: number): Update {
  return { type: 'readHistoryInbox', pts, chatId: 1, maxId: pts };
}

function updates(from: number, to: number): Update[] {
  const list: Update[] = [];
  for (let pts = from; pts <= to; pts++) list.push(update(pts));
  return list;
}

function difference(list: Update[], statePts: number, isFinal = true): DifferenceResult {
  return { type: 'difference', updates: list, users: [], state: { pts: statePts, date: 0 }, isFinal };
}

/** A sequencer wired to recorders; difference and state answers are scripted per test. */
function setup(initialPts: number | null = 0) {
  const timers = new FakeTimers();
  const applied: number[] = [];
  const persisted: number[] = [];
  const tooLong: UpdatesState[] = [];
  const errors: unknown[] = [];
  const differenceCalls: number[] = [];
  let stateCalls = 0;
  const pendingDifferences: Deferred<DifferenceResult>[] = [];
  const script = {
    /** Answers getDifference from this server log unless a test queues manual answers. */
    serverLog: [] as Update[],
    isManual: false,
    /** Makes every getDifference reject with this. */
    differenceError: null as Error | null,
    /** Makes every getState reject with this. */
    stateError: null as Error | null,
    state: { pts: 0, date: 0 } as UpdatesState,
  };
  const sequencer = new UpdateSequencer({
    fetchDifference: async (pts) => {
      differenceCalls.push(pts);
      if (script.differenceError !== null) throw script.differenceError;
      if (script.isManual) {
        const deferred = createDeferred<DifferenceResult>();
        pendingDifferences.push(deferred);
        return deferred.promise;
      }
      const statePts = script.serverLog.length;
      return difference(script.serverLog.slice(pts), statePts);
    },
    fetchState: async () => {
      stateCalls += 1;
      if (script.stateError !== null) throw script.stateError;
      return script.state;
    },
    onUpdate: (item) => applied.push(item.pts),
    onPtsChange: (pts) => persisted.push(pts),
    onTooLong: (state) => tooLong.push(state),
    onError: (error) => errors.push(error),
    timers,
    gapTimeoutMs: GAP_MS,
  });
  sequencer.reset(initialPts);
  return {
    sequencer,
    timers,
    applied,
    persisted,
    tooLong,
    errors,
    differenceCalls,
    pendingDifferences,
    script,
    get stateCalls() {
      return stateCalls;
    },
  };
}

describe('UpdateSequencer', () => {
  test('[SDK2] consecutive updates are emitted in pts order and [SDK7] each one persists the pts', () => {
    const { sequencer, applied, persisted } = setup(0);
    for (const item of updates(1, 3)) sequencer.push(item);
    assert.deepEqual(applied, [1, 2, 3]);
    assert.deepEqual(persisted, [1, 2, 3]);
    assert.equal(sequencer.pts, 3);
  });

  test('[SDK3] an update with pts at or below the local pts is dropped as a duplicate', () => {
    const { sequencer, applied } = setup(0);
    for (const pts of [1, 2, 2, 1, 3, 3]) sequencer.push(update(pts));
    assert.deepEqual(applied, [1, 2, 3]);
  });

  test('[SDK4] a gap filled by a late push drains the buffer without asking for a difference', async () => {
    const { sequencer, applied, timers, differenceCalls } = setup(0);
    sequencer.push(update(1));
    sequencer.push(update(3));
    sequencer.push(update(4));
    assert.deepEqual(applied, [1]);
    assert.equal(sequencer.bufferedCount, 2);
    await timers.advance(GAP_MS - 1);
    sequencer.push(update(2));
    assert.deepEqual(applied, [1, 2, 3, 4]);
    assert.equal(timers.pendingCount, 0, 'the gap timer stops once the gap is closed');
    await timers.advance(GAP_MS * 4);
    assert.deepEqual(differenceCalls, []);
  });

  test('[SDK4] a gap still open after gapTimeoutMs is filled by getDifference, each update emitted once', async () => {
    const { sequencer, applied, timers, differenceCalls, script } = setup(0);
    script.serverLog = updates(1, 5);
    sequencer.push(update(1));
    sequencer.push(update(4));
    sequencer.push(update(5));
    await timers.advance(GAP_MS - 1);
    assert.deepEqual(differenceCalls, [], 'no difference before the timeout');
    await timers.advance(1);
    assert.deepEqual(differenceCalls, [1]);
    assert.deepEqual(applied, [1, 2, 3, 4, 5]);
    assert.equal(sequencer.bufferedCount, 0);
    assert.equal(timers.pendingCount, 0);
  });

  test('[SDK4] a later gap does not postpone the timer of an earlier one', async () => {
    const { sequencer, timers, differenceCalls, script } = setup(0);
    script.serverLog = updates(1, 9);
    sequencer.push(update(3));
    await timers.advance(GAP_MS - 100);
    sequencer.push(update(7));
    await timers.advance(100);
    assert.deepEqual(differenceCalls, [0]);
  });

  test('[SDK5] a difference that is not final is followed by another from the last applied pts', async () => {
    const { sequencer, applied, differenceCalls, pendingDifferences, script } = setup(10);
    script.isManual = true;
    const syncing = sequencer.sync();
    await flushAsync();
    pendingDifferences[0]?.resolve(difference(updates(11, 13), 13, false));
    await flushAsync();
    pendingDifferences[1]?.resolve(difference(updates(14, 15), 15, true));
    await syncing;
    assert.deepEqual(differenceCalls, [10, 13]);
    assert.deepEqual(applied, [11, 12, 13, 14, 15]);
    assert.equal(sequencer.isSyncing, false);
  });

  test('[SDK2] a push racing a difference result is emitted once, in its place', async () => {
    const { sequencer, applied, pendingDifferences, script } = setup(10);
    script.isManual = true;
    const syncing = sequencer.sync();
    await flushAsync();
    // Pushes arrive while the difference is in flight: one it also contains, one after it.
    sequencer.push(update(12));
    sequencer.push(update(14));
    assert.deepEqual(applied, [], 'nothing is applied while a difference runs');
    pendingDifferences[0]?.resolve(difference(updates(11, 13), 13));
    await syncing;
    assert.deepEqual(applied, [11, 12, 13, 14]);
  });

  test('[SDK2] a call result applied before the matching push makes the push a duplicate', () => {
    const { sequencer, applied } = setup(4);
    sequencer.push(update(5)); // from messages.send's result
    sequencer.push(update(5)); // the server's push of the same update
    sequencer.push(update(6));
    assert.deepEqual(applied, [5, 6]);
  });

  test('[SDK6] tooLong adopts the server state, emits tooLong, then applies buffered updates beyond it', async () => {
    const { sequencer, applied, persisted, tooLong, pendingDifferences, script } = setup(10);
    script.isManual = true;
    const syncing = sequencer.sync();
    await flushAsync();
    sequencer.push(update(200_001));
    sequencer.push(update(200_000));
    pendingDifferences[0]?.resolve({ type: 'tooLong', state: { pts: 200_000, date: 5 } });
    await syncing;
    assert.deepEqual(tooLong, [{ pts: 200_000, date: 5 }]);
    assert.deepEqual(applied, [200_001], 'updates covered by the state are not emitted');
    assert.deepEqual(persisted, [200_000, 200_001]);
    assert.equal(sequencer.pts, 200_001);
  });

  test('[SDK5] with no known pts, sync adopts the state from getState', async () => {
    const { sequencer, applied, persisted, script, differenceCalls } = setup(null);
    script.state = { pts: 7, date: 1 };
    sequencer.push(update(8));
    assert.deepEqual(applied, [], 'nothing applies before the state is known');
    await sequencer.sync();
    assert.equal(sequencer.pts, 8);
    assert.deepEqual(applied, [8]);
    assert.deepEqual(persisted, [7, 8]);
    assert.deepEqual(differenceCalls, []);
  });

  test('[SDK5] updates that arrived before the state was known are not lost to it', async () => {
    const { sequencer, applied, script, differenceCalls } = setup(null);
    script.state = { pts: 7, date: 1 };
    script.serverLog = updates(1, 8);
    sequencer.push(update(6));
    sequencer.push(update(8));
    await sequencer.sync();
    assert.deepEqual(differenceCalls, [5], 'catches up from just before the earliest early arrival');
    assert.deepEqual(applied, [6, 7, 8]);
  });

  test('[SDK5] sync joins a catch-up already running instead of starting a second', async () => {
    const { sequencer, differenceCalls, pendingDifferences, script } = setup(3);
    script.isManual = true;
    const first = sequencer.sync();
    const second = sequencer.sync();
    assert.equal(first, second);
    await flushAsync();
    pendingDifferences[0]?.resolve(difference([], 3));
    await first;
    assert.deepEqual(differenceCalls, [3]);
  });

  test('[SDK2] a reset during a difference makes its late result a no-op', async () => {
    const { sequencer, applied, pendingDifferences, script } = setup(10);
    script.isManual = true;
    const syncing = sequencer.sync();
    await flushAsync();
    sequencer.reset(null);
    pendingDifferences[0]?.resolve(difference(updates(11, 12), 12));
    await syncing;
    await flushAsync();
    assert.deepEqual(applied, []);
    assert.equal(sequencer.pts, null);
  });

  test('[SDK5] a failed catch-up is reported and retried with backoff', async () => {
    const { sequencer, applied, errors, timers, differenceCalls, script } = setup(0);
    script.serverLog = updates(1, 2);
    script.differenceError = new RpcError('INTERNAL');
    await sequencer.sync();
    assert.equal(errors.length, 1);
    assert.deepEqual(timers.pendingDelaysMs, [GAP_MS], 'the first retry comes after gapTimeoutMs');
    await timers.advance(GAP_MS);
    assert.equal(errors.length, 2);
    const [secondDelay] = timers.pendingDelaysMs;
    assert.ok(secondDelay !== undefined && secondDelay >= GAP_MS && secondDelay <= GAP_MS * 2);
    script.differenceError = null;
    await timers.advance(GAP_MS * 2);
    assert.deepEqual(applied, [1, 2]);
    assert.equal(differenceCalls.length, 3);
    assert.equal(timers.pendingCount, 0);
  });

  test('[SDK5] a catch-up refused with FLOOD_WAIT is retried no sooner than retryAfterSeconds', async () => {
    const { sequencer, timers, script } = setup(0);
    script.differenceError = new RpcError('FLOOD_WAIT', 'slow down', { retryAfterSeconds: 30 });
    await sequencer.sync();
    assert.deepEqual(timers.pendingDelaysMs, [30_000]);
  });

  test('[SDK5] a difference from a pts the server does not know starts over from getState and emits tooLong', async () => {
    const { sequencer, tooLong, applied, script } = setup(50);
    script.differenceError = new RpcError('PTS_INVALID');
    script.state = { pts: 3, date: 9 };
    await sequencer.sync();
    assert.equal(sequencer.pts, 3);
    assert.deepEqual(tooLong, [{ pts: 3, date: 9 }]);
    assert.deepEqual(applied, []);
  });

  test('[SDK5] a difference that is not final but brings nothing is a protocol error, not a busy loop', async () => {
    const { sequencer, errors, differenceCalls, pendingDifferences, script } = setup(5);
    script.isManual = true;
    const syncing = sequencer.sync();
    await flushAsync();
    pendingDifferences[0]?.resolve(difference([], 5, false));
    await syncing;
    assert.equal(differenceCalls.length, 1);
    assert.ok(errors[0] instanceof ProtocolError);
  });

  test('[SDK4] a final difference whose state is ahead of its updates leaves the gap open for the next push or timer', async () => {
    const { sequencer, applied, timers, differenceCalls, pendingDifferences, script } = setup(0);
    script.isManual = true;
    const syncing = sequencer.sync();
    await flushAsync();
    pendingDifferences[0]?.resolve(difference(updates(1, 2), 3));
    await syncing;
    assert.deepEqual(applied, [1, 2]);
    assert.equal(timers.pendingCount, 1, 'a gap timer waits for pts 3');
    sequencer.push(update(3));
    assert.deepEqual(applied, [1, 2, 3]);
    assert.equal(timers.pendingCount, 0);
    assert.deepEqual(differenceCalls, [0]);
  });

  test('[SDK2] under shuffled, repeated and lost pushes every update is still emitted once, in order', async () => {
    for (let seed = 1; seed <= 100; seed++) {
      const random = seededRandom(seed);
      const { sequencer, applied, timers, script } = setup(0);
      const total = 30;
      script.serverLog = updates(1, total);
      // Each update is pushed 0–3 times (0: lost), in an order shuffled within a small window, as a
      // reconnecting network and concurrent call results would deliver them.
      const deliveries = script.serverLog.flatMap((item) => Array.from({ length: Math.floor(random() * 4) }, () => item));
      for (let i = deliveries.length - 1; i > 0; i--) {
        const j = Math.max(0, i - Math.floor(random() * 5));
        [deliveries[i], deliveries[j]] = [deliveries[j] as Update, deliveries[i] as Update];
      }
      for (const item of deliveries) {
        sequencer.push(item);
        if (random() < 0.2) await timers.advance(Math.floor(random() * GAP_MS * 2));
      }
      await sequencer.sync();
      await timers.advance(GAP_MS * 10);
      assert.deepEqual(applied, updates(1, total).map((item) => item.pts), `seed ${seed}`);
    }
  });

  test('[SDK25] an owner that resets the sequencer from onError (the user left the chat) stops its retries', async () => {
    const timers = new FakeTimers();
    let differenceCalls = 0;
    const sequencer: UpdateSequencer = new UpdateSequencer({
      fetchDifference: async () => {
        differenceCalls += 1;
        throw new RpcError('CHANNEL_PRIVATE');
      },
      fetchState: async () => ({ pts: 0, date: 0 }),
      onUpdate: () => {},
      onPtsChange: () => {},
      onTooLong: () => {},
      onError: () => sequencer.reset(null),
      timers,
      gapTimeoutMs: GAP_MS,
    });
    sequencer.reset(0);
    await sequencer.sync();
    await timers.advance(GAP_MS * 100);
    assert.equal(differenceCalls, 1);
    assert.equal(timers.pendingCount, 0);
  });

  test('[SDK7] a sequencer reset to a saved pts resumes there without repeating or skipping', async () => {
    const first = setup(0);
    for (const item of updates(1, 4)) first.sequencer.push(item);
    const savedPts = first.persisted.at(-1) ?? null;
    const second = setup(savedPts);
    second.script.serverLog = updates(1, 6);
    await second.sequencer.sync();
    assert.deepEqual([...first.applied, ...second.applied], [1, 2, 3, 4, 5, 6]);
  });
});

/** A small deterministic generator (mulberry32), so a failing seed can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
