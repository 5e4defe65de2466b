import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { SecretState } from '@samizdat/client';
import { Profile } from './profile.ts';
import { FileSecretStore, removeSecretChats, SECRET_FILE, SECRET_LOCK_FILE } from './secret-store.ts';

const folders: string[] = [];
/** A profile signed in as user 1, as the store requires for saving. */
async function signedInProfile(): Promise<Profile> {
  const dir = await mkdtemp(join(tmpdir(), 'samizdat-secret-store-'));
  folders.push(dir);
  const profile = new Profile(join(dir, 'profile'));
  await profile.write({ server: 'http://127.0.0.1:8080', state: { token: 't', userId: 1, outbox: [] } });
  return profile;
}
after(async () => {
  for (const dir of folders) await rm(dir, { recursive: true, force: true });
});

function state(overrides: Partial<SecretState> = {}): SecretState {
  return { v: 1, revision: 1, userId: 1, deviceId: 5, keys: 'private', prekeysRotatedAt: 0, qts: 0, sessions: {}, devices: {}, chats: {}, outbox: [], ...overrides };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

test('FileSecretStore saves secret.json with mode 0600 in a 0700 folder and loads back what it saved', async () => {
  const profile = await signedInProfile();
  const store = new FileSecretStore(profile, { lockTimeoutMs: 1000 });
  assert.equal(await store.load(), null);
  const saved = state({ outbox: [{ id: 'fanout-0000000001', peerUserId: 2, plaintext: '{}', envelopes: { '7': 'c' }, coverDeviceIds: [7] }] });
  await store.save(saved);
  assert.deepEqual(await new FileSecretStore(profile, { lockTimeoutMs: 1000 }).load(), saved);
  assert.equal(store.pendingFanouts, 1);
  assert.equal((await stat(store.path)).mode & 0o777, 0o600);
  assert.equal((await stat(profile.dir)).mode & 0o777, 0o700);
  assert.deepEqual((await readdir(profile.dir)).sort(), ['secret.json', 'session.json', 'updates.json'], 'no temporary file is left');
  assert.equal(JSON.parse(await readFile(store.path, 'utf8')).format, 1);
});

test('an unreadable secret.json fails with PROFILE_INVALID and is left as it is', async () => {
  const profile = await signedInProfile();
  const store = new FileSecretStore(profile, { lockTimeoutMs: 1000 });
  for (const content of ['not json', '{"format":2,"state":{}}', '{"format":1,"state":{"v":2}}']) {
    await writeFile(store.path, content);
    await assert.rejects(store.load(), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'PROFILE_INVALID');
      assert.match(error.message, /secret\.json .*left as it is/);
      return true;
    });
    assert.equal(await readFile(store.path, 'utf8'), content);
  }
});

test('a state of another session is loaded (the SDK replaces it) and said so once', async () => {
  const profile = await signedInProfile();
  const notes: string[] = [];
  await new FileSecretStore(profile, { lockTimeoutMs: 1000 }).save(state({ deviceId: 4 }));
  const store = new FileSecretStore(profile, { lockTimeoutMs: 1000, owner: { userId: 1, deviceId: 5 }, onNote: (text) => notes.push(text) });
  assert.equal((await store.load())?.deviceId, 4);
  await store.load();
  assert.equal(notes.length, 1);
  assert.match(notes[0] ?? '', /earlier session .*device 4.*new keys/);
});

test('a save after the profile was logged out is refused and writes nothing', async () => {
  const profile = await signedInProfile();
  const store = new FileSecretStore(profile, { lockTimeoutMs: 1000 });
  await profile.write({ server: 'http://127.0.0.1:8080', state: { outbox: [] } });
  await assert.rejects(store.save(state()), { code: 'NOT_LOGGED_IN' });
  assert.equal(await store.load(), null);
});

test('exclusive tasks of two stores on one profile never overlap', async () => {
  const profile = await signedInProfile();
  const stores = [new FileSecretStore(profile, { lockTimeoutMs: 10_000 }), new FileSecretStore(profile, { lockTimeoutMs: 10_000 })];
  let inside = 0;
  let maxInside = 0;
  let runs = 0;
  const task = async () => {
    inside += 1;
    maxInside = Math.max(maxInside, inside);
    await sleep(2);
    await Promise.resolve();
    await sleep(1);
    runs += 1;
    inside -= 1;
  };
  await Promise.all(stores.flatMap((store) => Array.from({ length: 10 }, () => store.exclusive(task))));
  assert.equal(runs, 20);
  assert.equal(maxInside, 1, 'two tasks held the lock at once');
  assert.deepEqual((await readdir(profile.dir)).filter((name) => name.startsWith(SECRET_LOCK_FILE)), [], 'the lock and its temporary files are gone');
});

test('the lock is released when the task fails', async () => {
  const profile = await signedInProfile();
  const store = new FileSecretStore(profile, { lockTimeoutMs: 200 });
  await assert.rejects(store.exclusive(async () => Promise.reject(new Error('task failed'))), /task failed/);
  assert.equal(await store.exclusive(async () => 'again'), 'again');
});

test('a lock left by a process that is gone is taken over', async () => {
  const profile = await signedInProfile();
  const store = new FileSecretStore(profile, { lockTimeoutMs: 5_000 });
  const gone = spawnSync(process.execPath, ['-e', '']).pid;
  assert.ok(gone !== undefined);
  await writeFile(store.lockPath, JSON.stringify({ pid: gone, host: hostname(), nonce: 'dead', since: Date.now() }));
  const started = Date.now();
  assert.equal(await store.exclusive(async () => JSON.parse(await readFile(store.lockPath, 'utf8')).pid), process.pid);
  assert.ok(Date.now() - started < 2_000, 'taken over at once, without waiting for the timeout');
});

test('a lock held by a live process is never taken: PROFILE_BUSY after the timeout, the lock left in place', async () => {
  const profile = await signedInProfile();
  const store = new FileSecretStore(profile, { lockTimeoutMs: 300 });
  const lock = JSON.stringify({ pid: process.ppid, host: hostname(), nonce: 'alive', since: Date.now() });
  await writeFile(store.lockPath, lock);
  let isRun = false;
  await assert.rejects(
    store.exclusive(async () => (isRun = true)),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'PROFILE_BUSY');
      assert.match(error.message, new RegExp(`pid ${process.ppid}\\).*secret\\.lock`));
      return true;
    },
  );
  assert.equal(isRun, false);
  assert.equal(await readFile(store.lockPath, 'utf8'), lock);
});

test('removeSecretChats deletes secret.json', async () => {
  const profile = await signedInProfile();
  await new FileSecretStore(profile, { lockTimeoutMs: 1000 }).save(state());
  assert.equal(await removeSecretChats(profile, 1000), true);
  assert.equal((await readdir(profile.dir)).includes(SECRET_FILE), false);
  assert.equal(await removeSecretChats(profile, 1000), false);
});

test('exclusive tasks of two processes on one profile never overlap', async () => {
  const profile = await signedInProfile();
  const journal = join(profile.dir, 'journal.txt');
  // Each process appends "enter"/"leave" lines inside the lock; overlapping tasks would interleave them.
  const script = `
    import { appendFile } from 'node:fs/promises';
    import { Profile } from ${JSON.stringify(new URL('./profile.ts', import.meta.url).href)};
    import { FileSecretStore } from ${JSON.stringify(new URL('./secret-store.ts', import.meta.url).href)};
    const store = new FileSecretStore(new Profile(${JSON.stringify(profile.dir)}), { lockTimeoutMs: 20000 });
    for (let i = 0; i < 25; i++) {
      await store.exclusive(async () => {
        await appendFile(${JSON.stringify(journal)}, 'enter ' + process.pid + '\\n');
        await new Promise((done) => setTimeout(done, 2));
        await appendFile(${JSON.stringify(journal)}, 'leave ' + process.pid + '\\n');
      });
    }`;
  const run = () =>
    new Promise<number | null>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('close', done);
    });
  assert.deepEqual(await Promise.all([run(), run()]), [0, 0]);
  const lines = (await readFile(journal, 'utf8')).trim().split('\n');
  assert.equal(lines.length, 100);
  for (let i = 0; i < lines.length; i += 2) {
    const [enter, leave] = [lines[i]!.split(' '), lines[i + 1]!.split(' ')];
    assert.deepEqual([enter[0], leave[0], leave[1]], ['enter', 'leave', enter[1]], `tasks overlapped at line ${i + 1}: ${lines.slice(i, i + 2).join(', ')}`);
  }
  assert.ok(new Set(lines.map((line) => line.split(' ')[1])).size === 2, 'both processes ran');
});
