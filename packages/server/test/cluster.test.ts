import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Sqlite from 'better-sqlite3';
import { createMemoryLogger, startCluster, type RunningCluster } from '../src/index.ts';
import { RawClient, TEST_AUTH_LIMITS, testUsers, type TestUser } from './harness.ts';

/** One HTTP request on a connection of its own, so the cluster may give it to any worker. */
function freshGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    get(url, { agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => done({ status: response.statusCode ?? 0, body }));
    }).on('error', fail);
  });
}

async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/**
 * The texts a user got from one sender, in the order of the user's sequence. Pushes from two
 * workers may cross on the way (a local one overtakes a relayed one); the sequence numbers are what
 * orders them, as the SDK's sequencer does.
 */
function received(user: TestUser, fromId: number): string[] {
  return user.client.updates
    .filter((u: any) => u.type === 'newMessage' && u.message.senderId === fromId)
    .sort((a: any, b: any) => a.pts - b.pts)
    .map((u: any) => u.message.text);
}

describe('a server of several worker processes', () => {
  let cluster: RunningCluster;
  let dataDir: string;
  let users: ReturnType<typeof testUsers>;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'samizdat-cluster-'));
    cluster = await startCluster({ workers: 2, port: 0, host: '127.0.0.1', dataDir, testNumbers: true, authLimits: TEST_AUTH_LIMITS, logger: createMemoryLogger() });
    users = testUsers(() => cluster.wsUrl, 8);
  });
  after(async () => {
    users.closeAll();
    await cluster.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('[CL1] the workers share one port: connections go to both', async () => {
    const pids = new Set<number>();
    for (let i = 0; i < 10; i += 1) pids.add((JSON.parse((await freshGet(`${cluster.httpUrl}/healthz`)).body) as { pid: number }).pid);
    assert.deepEqual([...pids].sort(), cluster.workerPids().sort());
  });

  test('[CL2] messages between users on different workers arrive exactly once and in order, and every device catches up', async () => {
    const people: TestUser[] = [];
    for (let i = 0; i < 6; i += 1) people.push(await users.user(`Worker User ${i}`));
    const perPair = 25;
    await Promise.all(
      people.flatMap((sender) =>
        people
          .filter((recipient) => recipient !== sender)
          .map(async (recipient) => {
            for (let n = 0; n < perPair; n += 1) {
              await sender.call('messages.send', { peer: { type: 'user', userId: recipient.id }, text: `${sender.id}->${recipient.id} #${n}`, randomId: `cl2-${sender.id}-${recipient.id}-${n}` });
            }
          }),
      ),
    );
    const expected = (from: TestUser, to: TestUser) => Array.from({ length: perPair }, (_, n) => `${from.id}->${to.id} #${n}`);
    for (const recipient of people) {
      for (const sender of people.filter((p) => p !== recipient)) {
        await until(() => received(recipient, sender.id).length >= perPair, `messages ${sender.id}->${recipient.id}`);
        assert.deepEqual(received(recipient, sender.id), expected(sender, recipient));
      }
      // Pushed updates are the user's sequence without gaps or repeats.
      const pts = recipient.client.updates.map((u: any) => u.pts as number).sort((a, b) => a - b);
      assert.deepEqual(pts, Array.from({ length: pts.length }, (_, i) => i + 1));
    }
    // A second device (on whichever worker) gets the whole sequence by difference.
    const device = await users.device(people[0]!);
    const difference = await device.call('updates.getDifference', { pts: 0 });
    const texts = difference.updates.filter((u: any) => u.type === 'newMessage' && u.message.senderId === people[1]!.id).map((u: any) => u.message.text);
    assert.deepEqual(texts, expected(people[1]!, people[0]!));
  });

  test('[CL3] a user is online while any device is connected to any worker', async () => {
    const watcher = await users.user('Watcher');
    const watched = await users.user('Watched');
    await watched.call('messages.send', { peer: { type: 'user', userId: watcher.id }, text: 'hello', randomId: 'cl3-hello-001' });
    const second = await users.device(watched);
    const status = async () => (await watcher.call('users.getStatuses', { userIds: [watched.id] })).statuses[0].status.type as string;
    await until(async () => (await status()) === 'online', 'online');
    watched.client.close();
    await new Promise((done) => setTimeout(done, 300));
    assert.equal(await status(), 'online', 'the other device still holds it online');
    second.client.close();
    await until(async () => (await status()) === 'offline', 'offline once both are gone');
  });

  test('[CL4] group posts reach members on every worker; a bot\'s long poll wakes on a message sent through another worker', async () => {
    const owner = await users.user('Group Owner');
    const members: TestUser[] = [];
    for (let i = 0; i < 4; i += 1) members.push(await users.user(`Member ${i}`));
    const { chat } = await owner.call('chats.createGroup', { title: 'Across workers', userIds: members.map((m) => m.id) });
    await owner.call('messages.send', { peer: { type: 'chat', chatId: chat.id }, text: 'to all', randomId: 'cl4-group-001' });
    for (const member of members) {
      await until(() => member.client.chatUpdates.some((u: any) => u.update.type === 'newMessage' && u.update.message.text === 'to all'), 'the group post');
    }
    const { user: bot, token } = await owner.call('bots.create', { username: 'cluster_test_bot', displayName: 'Cluster' });
    await owner.call('messages.send', { peer: { type: 'user', userId: bot.id }, text: '/start', randomId: 'cl4-bot-0001' });
    // Several polls over fresh connections: whichever worker holds a poll, a send through the other wakes it.
    for (let round = 0; round < 4; round += 1) {
      const taken = JSON.parse((await freshGet(`${cluster.httpUrl}/bot${token}/getUpdates?offset=-1`)).body) as { result: { update_id: number }[] };
      const offset = (taken.result[0]?.update_id ?? 0) + 1;
      const poll = freshGet(`${cluster.httpUrl}/bot${token}/getUpdates?offset=${offset}&timeout=20`);
      await new Promise((done) => setTimeout(done, 150));
      const sender = await RawClient.open(cluster.wsUrl);
      users.track(sender);
      await sender.hello(owner.token);
      const sentAt = Date.now();
      await sender.call('messages.send', { peer: { type: 'user', userId: bot.id }, text: `round ${round}`, randomId: `cl4-round-00${round}` });
      const answer = JSON.parse((await poll).body) as { result: { message: { text: string } }[] };
      assert.deepEqual(answer.result.map((u) => u.message.text), [`round ${round}`]);
      assert.ok(Date.now() - sentAt < 10_000);
      sender.close();
    }
  });

  test('[CL6] one upload completed at once through both workers gives one file, the same to every caller', async () => {
    const owner = await users.user('Uploader');
    const devices = [owner, await users.device(owner), await users.device(owner), await users.device(owner)];
    const bytes = randomBytes(8 * 64 * 1024);
    const started = await owner.call('files.startUpload', { size: bytes.length, partSize: 64 * 1024, name: 'both.bin', mimeType: 'application/octet-stream' });
    for (let index = 0; index < 8; index += 1) {
      const part = bytes.subarray(index * 64 * 1024, (index + 1) * 64 * 1024);
      const response = await fetch(`${cluster.httpUrl}/files/uploads/${started.uploadId}/${index}`, { method: 'PUT', headers: { authorization: `Bearer ${owner.token}`, 'x-part-sha256': createHash('sha256').update(part).digest('hex') }, body: part });
      assert.equal(response.status, 200, await response.text());
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const results = await Promise.all(devices.map((device) => device.call('files.completeUpload', { uploadId: started.uploadId, sha256 })));
    assert.equal(new Set(results.map((r: any) => r.file.id)).size, 1);
    const db = new Sqlite(join(dataDir, 'samizdat.db'), { readonly: true });
    try {
      assert.equal((db.prepare('SELECT count(*) AS n FROM files WHERE sha256 = ?').get(sha256) as { n: number }).n, 1);
    } finally {
      db.close();
    }
  });

  test('[CL11] the chat list read on one worker while its owner leaves chats through the other lists only chats still theirs, and never fails', async () => {
    const ann = await users.user('Ann');
    // Two more devices opened one after the other: the cluster deals connections out in turn, so one of them is on each worker.
    const readers = [await users.device(ann), await users.device(ann)];
    const groups: number[] = [];
    for (let i = 1; i <= 40; i++) groups.push((await ann.call('chats.createGroup', { title: `Group ${i}`, userIds: [] })).chat.id);

    const left = new Set<number>();
    let leftAll = false;
    const leaving = (async () => {
      for (const chatId of groups) {
        await ann.call('chats.leave', { chatId });
        left.add(chatId);
      }
      leftAll = true;
    })();
    let listings = 0;
    while (!leftAll) {
      const leftBefore = new Set(left);
      const pages = await Promise.all(readers.flatMap((reader) => [1, 2].map(() => reader.call('messages.getChats', { limit: 100 }))));
      for (const page of pages) {
        const ids: number[] = page.chats.map((chat: { id: number }) => chat.id);
        assert.ok(ids.every((id) => groups.includes(id) && !leftBefore.has(id)), `listed a chat left before the listing began: ${ids}`);
      }
      listings += pages.length;
    }
    await leaving;
    assert.ok(listings >= 4, 'the chat list was read while the groups were being left');
    for (const reader of readers) assert.deepEqual((await reader.call('messages.getChats', { limit: 100 })).chats, [], 'nothing is listed once every group is left');
  });

  test('[CL10] marking read and restricting a member who leaves meanwhile through the other worker get an answer, never an internal error', async () => {
    const ann = await users.user('Ann');
    const bob = await users.user('Bob');
    // Opened one after the other, these are on the two workers, whichever Bob's first device is on.
    const bobReaders = [await users.device(bob), await users.device(bob)];
    const annDevices = [ann, await users.device(ann)];
    const groups: number[] = [];
    for (let i = 1; i <= 30; i++) {
      const chatId = (await ann.call('chats.createGroup', { title: `Group ${i}`, userIds: [bob.id] })).chat.id;
      await ann.call('messages.send', { peer: { type: 'chat', chatId }, text: `hello ${i}`, randomId: `cl10-${chatId}-xxxxxxxx` });
      groups.push(chatId);
    }
    const failures: string[] = [];
    const answered = async (call: Promise<unknown>) => {
      await call.catch((error: { code?: string; message: string }) => {
        if (error.code === undefined || error.code === 'INTERNAL') failures.push(error.message);
      });
    };
    await Promise.all(
      groups.map(async (chatId) => {
        await Promise.all([
          answered(bob.call('chats.leave', { chatId })),
          ...annDevices.map((device, i) => answered(device.call('chats.restrict', { chatId, userId: bob.id, mutedUntil: 2_000_000_000 + i }))),
          ...bobReaders.map((reader) => answered(reader.call('messages.readHistory', { peer: { type: 'chat', chatId }, maxId: 1_000_000 }))),
        ]);
      }),
    );
    assert.deepEqual(failures, [], 'every call got a result or a typed error');
  });

  test('[CL12] a sweep asked of the leader fails, instead of waiting forever, when the leader dies running it; one asked while the new leader starts waits for it', async () => {
    const before = cluster.workerPids();
    // Workers are listed in the order they were started, and none has been restarted yet: the first is the leader.
    // Stopped first, so that it cannot answer before it dies.
    process.kill(before[0]!, 'SIGSTOP');
    const sweep = cluster.sweepUploads();
    process.kill(before[0]!, 'SIGKILL');
    await assert.rejects(sweep, /leader worker exited while running it/);
    // Asked while the new leader is starting, a sweep waits for it to serve.
    assert.equal(typeof (await cluster.sweepUploads()), 'number');
    assert.ok(!cluster.workerPids().includes(before[0]!), 'a new leader ran it');
  });

  test('[CL5] a worker that dies is started again; what was acknowledged is kept', async () => {
    const a = await users.user('Survivor A');
    const b = await users.user('Survivor B');
    for (let n = 0; n < 20; n += 1) await a.call('messages.send', { peer: { type: 'user', userId: b.id }, text: `kept ${n}`, randomId: `cl5-kept-${n}` });
    const before = cluster.workerPids();
    process.kill(before[1]!, 'SIGKILL');
    await until(() => cluster.workerPids().every((pid) => pid !== before[1]) && cluster.workerPids().length === 2, 'a new worker');
    await until(async () => (await freshGet(`${cluster.httpUrl}/healthz`).catch(() => ({ status: 0 }))).status === 200, 'serving');
    const reader = await users.device(b);
    const history = await reader.call('messages.getHistory', { peer: { type: 'user', userId: a.id }, limit: 50 });
    assert.deepEqual(history.messages.map((m: any) => m.text).sort(), Array.from({ length: 20 }, (_, n) => `kept ${n}`).sort());
  });
});
