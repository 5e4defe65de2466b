import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FileStore, Profile } from './profile.ts';

const folders: string[] = [];
async function freshProfile(): Promise<Profile> {
  const dir = await mkdtemp(join(tmpdir(), 'samizdat-profile-'));
  folders.push(dir);
  return new Profile(join(dir, 'profile'));
}
after(async () => {
  for (const dir of folders) await rm(dir, { recursive: true, force: true });
});

const server = 'http://127.0.0.1:8080';

test('a profile that was never written reads as empty', async () => {
  const profile = await freshProfile();
  assert.deepEqual(await profile.read(), { server: null, state: null });
  assert.equal(await new FileStore(profile, { server }).load(), null);
});

test('FileStore saves session.json and updates.json with mode 0600 and loads back what it saved', async () => {
  const profile = await freshProfile();
  const store = new FileStore(profile, { server });
  const state = { token: 'secret', userId: 3, pts: 9, outbox: [{ randomId: 'r1', peer: { type: 'user' as const, userId: 4 }, text: 'hi', createdAt: 1 }] };
  await store.save(state);
  assert.deepEqual(await store.load(), state);
  assert.equal((await stat(profile.sessionPath)).mode & 0o777, 0o600);
  assert.equal((await stat(profile.updatesPath)).mode & 0o777, 0o600);
  assert.equal((await stat(profile.dir)).mode & 0o777, 0o700);
  // The temporary files of the atomic writes are gone.
  assert.deepEqual((await readdir(profile.dir)).sort(), ['session.json', 'updates.json']);
  assert.equal(JSON.parse(await readFile(profile.sessionPath, 'utf8')).server, server);
});

test('FileStore does not hand one server the state saved for another', async () => {
  const profile = await freshProfile();
  await new FileStore(profile, { server }).save({ token: 't', userId: 1, outbox: [] });
  assert.equal(await new FileStore(profile, { server: 'http://other:1' }).load(), null);
});

const entry = { randomId: 'r1', peer: { type: 'user' as const, userId: 4 }, text: 'hi', createdAt: 1 };

test('a send that does not persist pts leaves the pts a concurrent listen saved', async () => {
  const profile = await freshProfile();
  await new FileStore(profile, { server }).save({ token: 't', userId: 1, pts: 5, outbox: [] });
  const listener = new FileStore(profile, { server });
  const sender = new FileStore(profile, { server, isPtsPersisted: false });
  await listener.load();
  await sender.load();
  await listener.save({ token: 't', userId: 1, pts: 7, outbox: [] });
  await sender.save({ token: 't', userId: 1, pts: 12, outbox: [entry] });
  assert.deepEqual((await profile.read()).state, { token: 't', userId: 1, pts: 7, outbox: [entry] });
});

test('a listen that only moved its pts leaves the outbox a concurrent send saved', async () => {
  const profile = await freshProfile();
  await new FileStore(profile, { server }).save({ token: 't', userId: 1, pts: 5, outbox: [] });
  const listener = new FileStore(profile, { server });
  const sender = new FileStore(profile, { server, isPtsPersisted: false });
  await listener.load();
  await sender.load();
  await sender.save({ token: 't', userId: 1, pts: 5, outbox: [entry] });
  await listener.save({ userId: 1, pts: 6, token: 't', outbox: [] });
  assert.deepEqual((await profile.read()).state, { token: 't', userId: 1, pts: 6, outbox: [entry] });
});

test('the pts of one user is not loaded into the session of another', async () => {
  const profile = await freshProfile();
  await new FileStore(profile, { server }).save({ token: 't', userId: 1, pts: 5, outbox: [] });
  await new FileStore(profile, { server, isPtsPersisted: false }).save({ token: 'u', userId: 2, pts: 3, outbox: [] });
  assert.deepEqual((await profile.read()).state, { token: 'u', userId: 2, outbox: [] });
});

test('a damaged session.json fails with PROFILE_INVALID naming the file', async () => {
  const profile = await freshProfile();
  await profile.write({ server, state: null });
  await writeFile(profile.sessionPath, '{"format":1,"server":"x","state":{"outbox":"no"}}');
  await assert.rejects(profile.read(), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'PROFILE_INVALID');
    assert.match(error.message, /session\.json: Cannot read stored state: outbox is not an array/);
    return true;
  });
  await writeFile(profile.sessionPath, 'not json');
  await assert.rejects(profile.read(), { code: 'PROFILE_INVALID' });
});

test('the pts of groups and channels live in updates.json, which a send does not write', async () => {
  const profile = await freshProfile();
  await new FileStore(profile, { server }).save({ token: 't', userId: 1, pts: 5, chatPts: { '9': 3 }, outbox: [] });
  assert.deepEqual(JSON.parse(await readFile(profile.updatesPath, 'utf8')), { format: 1, userId: 1, pts: 5, chatPts: { '9': 3 } });
  assert.equal(JSON.parse(await readFile(profile.sessionPath, 'utf8')).state.chatPts, undefined);
  const sender = new FileStore(profile, { server, isPtsPersisted: false });
  assert.deepEqual(await sender.load(), { token: 't', userId: 1, pts: 5, chatPts: { '9': 3 }, outbox: [] });
  await sender.save({ token: 't', userId: 1, pts: 6, chatPts: { '9': 4 }, outbox: [entry] });
  assert.deepEqual((await profile.read()).state, { token: 't', userId: 1, pts: 5, chatPts: { '9': 3 }, outbox: [entry] });
});

test('a run that does not persist pts records a newly joined chat once, where it first saw it', async () => {
  const profile = await freshProfile();
  await new FileStore(profile, { server }).save({ token: 't', userId: 1, pts: 5, chatPts: { '9': 3 }, outbox: [] });
  const joiner = new FileStore(profile, { server, isPtsPersisted: false });
  await joiner.load();
  await joiner.save({ token: 't', userId: 1, pts: 7, chatPts: { '9': 4, '11': 2 }, outbox: [] });
  await joiner.save({ token: 't', userId: 1, pts: 8, chatPts: { '9': 4, '11': 6 }, outbox: [] });
  // The user's pts and chat 9 stay where listen left them; chat 11 is kept at the join, not moved on.
  assert.deepEqual(JSON.parse(await readFile(profile.updatesPath, 'utf8')), { format: 1, userId: 1, pts: 5, chatPts: { '9': 3, '11': 2 } });
});

test('a newly joined chat does not overwrite the position a concurrent listen saved for it', async () => {
  const profile = await freshProfile();
  await new FileStore(profile, { server }).save({ token: 't', userId: 1, pts: 5, outbox: [] });
  const joiner = new FileStore(profile, { server, isPtsPersisted: false });
  const listener = new FileStore(profile, { server });
  await joiner.load();
  await listener.load();
  await listener.save({ token: 't', userId: 1, pts: 6, chatPts: { '11': 4 }, outbox: [] });
  await joiner.save({ token: 't', userId: 1, pts: 6, chatPts: { '11': 2 }, outbox: [] });
  assert.deepEqual((await profile.read()).state?.chatPts, { '11': 4 });
});

test('a damaged chatPts in updates.json fails with PROFILE_INVALID', async () => {
  const profile = await freshProfile();
  await new FileStore(profile, { server }).save({ token: 't', userId: 1, pts: 5, outbox: [] });
  await writeFile(profile.updatesPath, '{"format":1,"userId":1,"pts":5,"chatPts":{"x":1}}');
  await assert.rejects(profile.read(), { code: 'PROFILE_INVALID' });
});
