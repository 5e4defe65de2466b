import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SecretState, StoredState } from '@samizdat/client';
import { IDBFactory } from 'fake-indexeddb';
import { IndexedDbClientStore } from './idb-client-store.ts';
import { writeRecord, openDatabase } from './idb-database.ts';
import { IndexedDbSecretStore, type LockManagerLike } from './idb-secret-store.ts';

const stored: StoredState = {
  token: 'token-1',
  userId: 7,
  pts: 42,
  chatPts: { '12': 3 },
  outbox: [{ randomId: 'r-1', peer: { type: 'user', userId: 8 }, text: 'hi', createdAt: 1_700_000_000_000 }],
};

function secretState(overrides: Partial<SecretState> = {}): SecretState {
  return { v: 1, revision: 1, userId: 7, deviceId: 3, keys: 'private', prekeysRotatedAt: 0, qts: 0, sessions: {}, devices: {}, chats: {}, outbox: [], ...overrides };
}

test('[WEB1] the IndexedDB client store loads null on first run and then what it saved, across connections', async () => {
  const indexedDB = new IDBFactory();
  const store = new IndexedDbClientStore({ indexedDB });
  assert.equal(await store.load(), null);
  await store.save(stored);
  await store.close();
  assert.deepEqual(await new IndexedDbClientStore({ indexedDB }).load(), stored);
  await store.clear();
  assert.equal(await store.load(), null);
});

test('[WEB1] the IndexedDB client store refuses a record that is not a stored state, for the SDK to replace', async () => {
  const indexedDB = new IDBFactory();
  await writeRecord(await openDatabase({ indexedDB }), 'client', { outbox: 'nope' });
  await assert.rejects(new IndexedDbClientStore({ indexedDB }).load(), /outbox is not an array/);
});

test('[WEB2] the IndexedDB secret store keeps keys apart from the client state and refuses an unknown format', async () => {
  const indexedDB = new IDBFactory();
  const secrets = new IndexedDbSecretStore({ indexedDB, locks: null });
  const client = new IndexedDbClientStore({ indexedDB });
  assert.equal(await secrets.load(), null);
  await secrets.save(secretState({ revision: 5 }));
  await client.save(stored);
  assert.deepEqual(await secrets.load(), secretState({ revision: 5 }));
  assert.equal(secrets.exclusive, undefined, 'no exclusive without a lock manager');
  await writeRecord(await openDatabase({ indexedDB }), 'secret', { v: 2 });
  await assert.rejects(secrets.load(), /unknown format/);
  assert.deepEqual(await client.load(), stored, 'the client state is untouched');
});

test('[WEB2] exclusive tasks of two secret stores sharing a lock manager never overlap', async () => {
  let tail = Promise.resolve();
  const requested: string[] = [];
  // A lock manager as the browser's: one holder of a name at a time, in request order.
  const locks: LockManagerLike = {
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      requested.push(name);
      const run = tail.then(callback);
      tail = run.then(() => undefined, () => undefined);
      return run;
    },
  };
  const indexedDB = new IDBFactory();
  const stores = [new IndexedDbSecretStore({ indexedDB, locks }), new IndexedDbSecretStore({ indexedDB, locks })];
  let inside = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      stores[i % 2]!.exclusive!(async () => {
        inside += 1;
        most = Math.max(most, inside);
        await new Promise((done) => setTimeout(done, 2));
        inside -= 1;
      }),
    ),
  );
  assert.equal(most, 1);
  assert.deepEqual(new Set(requested), new Set(['samizdat-secret-state']));
});
