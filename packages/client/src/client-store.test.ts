import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryStore, parseStoredState, type StoredState } from './client-store.ts';
import { createDeferred } from './deferred.ts';
import { PersistedState } from './persisted-state.ts';
import { flushAsync } from './testing/fake-timers.ts';

const entry = { randomId: 'r1', peer: { type: 'user', userId: 2 }, text: 'hi', createdAt: 1 } as const;

describe('MemoryStore', () => {
  test('returns null before the first save and a copy of the saved state after it', async () => {
    const store = new MemoryStore();
    assert.equal(await store.load(), null);
    const state: StoredState = { token: 't', userId: 1, pts: 3, outbox: [{ ...entry, peer: { ...entry.peer } }] };
    await store.save(state);
    state.pts = 99;
    assert.deepEqual(await store.load(), { token: 't', userId: 1, pts: 3, outbox: [entry] });
  });
});

describe('parseStoredState', () => {
  test('accepts a complete state and an empty one', () => {
    assert.deepEqual(parseStoredState({ token: 't', userId: 1, pts: 0, outbox: [entry] }), {
      state: { token: 't', userId: 1, pts: 0, outbox: [entry] },
    });
    assert.deepEqual(parseStoredState({ outbox: [] }), { state: { outbox: [] } });
  });

  test('[SDK28] reads chatPts, and [SDK8] outbox entries with a reply and entities next to ones stored before either existed', () => {
    const rich = { ...entry, randomId: 'r2', replyToId: 7, entities: [{ type: 'textUrl', offset: 0, length: 2, url: 'https://example.com' }] };
    assert.deepEqual(parseStoredState({ pts: 3, chatPts: { '10': 0, '11': 42 }, outbox: [entry, rich] }), {
      state: { pts: 3, chatPts: { '10': 0, '11': 42 }, outbox: [entry, rich] },
    });
  });

  test('[SDK33] reads outbox entries with media next to ones stored before media existed, and refuses malformed media', () => {
    const withMedia = { ...entry, randomId: 'r3', text: '', media: { fileId: 'f-1', kind: 'photo', width: 10, height: 20 } };
    assert.deepEqual(parseStoredState({ outbox: [entry, withMedia] }), { state: { outbox: [entry, withMedia] } });
    const bad = { ...entry, media: { fileId: 'f-1', kind: 'sticker' } };
    assert.match((parseStoredState({ outbox: [bad] }) as { fault: string }).fault, /outbox entry 0 is malformed/);
  });

  test('[SDK22] names what is wrong with a malformed state', () => {
    const cases: [unknown, RegExp][] = [
      [null, /not an object/],
      [{ outbox: {} }, /outbox is not an array/],
      [{ outbox: [], pts: -1 }, /pts is -1/],
      [{ outbox: [], userId: 1.5 }, /userId is 1.5/],
      [{ outbox: [], token: 5 }, /token is not a string/],
      [{ outbox: [{ ...entry, peer: { type: 'user' } }] }, /outbox entry 0 is malformed/],
      [{ outbox: [{ ...entry, replyToId: 0 }] }, /outbox entry 0 is malformed/],
      [{ outbox: [{ ...entry, entities: [{ type: 'blink', offset: 0, length: 1 }] }] }, /outbox entry 0 is malformed/],
      [{ outbox: [], chatPts: [] }, /chatPts is not an object/],
      [{ outbox: [], chatPts: { abc: 1 } }, /chatPts has the key "abc"/],
      [{ outbox: [], chatPts: { '01': 1 } }, /chatPts has the key "01"/],
      [{ outbox: [], chatPts: { '5': -1 } }, /chatPts of chat 5 is -1/],
    ];
    for (const [value, fault] of cases) {
      const parsed = parseStoredState(value);
      assert.ok('fault' in parsed, `rejects ${JSON.stringify(value)}`);
      assert.match(parsed.fault, fault);
    }
  });
});

describe('PersistedState', () => {
  test('[SDK22] saves run one at a time and the last save writes the newest state', async () => {
    const saves: StoredState[] = [];
    const gates: ReturnType<typeof createDeferred<void>>[] = [];
    let running = 0;
    let maxRunning = 0;
    const store = {
      load: async () => null,
      save: async (state: StoredState) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        saves.push(state);
        const gate = createDeferred<void>();
        gates.push(gate);
        await gate.promise;
        running -= 1;
      },
    };
    const persisted = new PersistedState(store);
    void persisted.patch({ pts: 1 });
    void persisted.patch({ pts: 2 });
    void persisted.patch({ pts: 3 });
    await flushAsync();
    gates[0]?.resolve();
    await flushAsync();
    gates[1]?.resolve();
    await persisted.flush();
    assert.equal(maxRunning, 1);
    assert.deepEqual(saves.map((state) => state.pts), [1, 3], 'changes during a save coalesce into the next one');
  });

  test('[SDK22] a key patched to undefined is removed, not stored as undefined', async () => {
    const store = new MemoryStore();
    const persisted = new PersistedState(store);
    await persisted.patch({ token: 't', pts: 4 });
    await persisted.patch({ token: undefined });
    assert.deepEqual(store.state, { pts: 4, outbox: [] });
    assert.equal('token' in (store.state ?? {}), false);
    await persisted.patch({ chatPts: { '3': 1 } });
    assert.deepEqual(store.state, { pts: 4, chatPts: { '3': 1 }, outbox: [] });
    await persisted.patch({ chatPts: undefined });
    assert.equal('chatPts' in (store.state ?? {}), false);
  });

  test('[SDK22] a failed save is reported and the next change saves everything', async () => {
    let shouldFail = true;
    const store = new MemoryStore();
    const errors: Error[] = [];
    const persisted = new PersistedState(
      {
        load: () => store.load(),
        save: async (state) => {
          if (shouldFail) throw new Error('disk full');
          await store.save(state);
        },
      },
      { onError: (error) => errors.push(error) },
    );
    await persisted.patch({ pts: 1 });
    assert.equal(errors.length, 1);
    shouldFail = false;
    await persisted.patch({ userId: 9 });
    assert.deepEqual(store.state, { userId: 9, pts: 1, outbox: [] });
  });

  test('[SDK22] an unreadable stored state is reported and replaced by an empty one', async () => {
    const errors: Error[] = [];
    const persisted = new PersistedState({ load: async () => ({ outbox: 'nope' }) as unknown as StoredState, save: async () => {} }, {
      onError: (error) => errors.push(error),
    });
    assert.deepEqual(await persisted.load(), { outbox: [] });
    assert.equal(errors.length, 1);
  });

  test('[SDK22] a store that cannot be read makes load reject rather than start empty', async () => {
    const persisted = new PersistedState({ load: async () => Promise.reject(new Error('EACCES')), save: async () => {} });
    await assert.rejects(persisted.load(), /EACCES/);
  });
});
