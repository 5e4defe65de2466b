import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
// The server is started in-process for these tests only; the SDK itself never imports it.
import { createMemoryLogger, type RunningServer } from '@samizdat/server';
import { startServerUnderTest } from '@samizdat/server/testing';
import { WebSocket } from 'ws';
import { MemoryStore } from '../src/client-store.ts';
import { SamizdatClient, type ChatUpdateEvent } from '../src/samizdat-client.ts';

const GROUP_MESSAGES = 50;
const CHANNEL_POSTS = 20;

/** Test numbers (`+99966XYYYY`) sign in with the code `XXXXX`, without delivery. */
function testPhone(digit: number, suffix: number): { phone: string; code: string } {
  return { phone: `+99966${digit}${String(suffix).padStart(4, '0')}`, code: String(digit).repeat(5) };
}

async function until(predicate: () => boolean, describe: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out: ${describe()}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** The chat updates one device saw, per chat, in the order they were emitted. */
function recordChatUpdates(client: SamizdatClient): Map<number, ChatUpdateEvent['update'][]> {
  const seen = new Map<number, ChatUpdateEvent['update'][]>();
  client.on('chatUpdate', ({ chatId, update }) => {
    const list = seen.get(chatId) ?? [];
    list.push(update);
    seen.set(chatId, list);
  });
  return seen;
}

/** The texts of the `newMessage` updates among `updates`, in order. */
function textsOf(updates: readonly ChatUpdateEvent['update'][] | undefined): string[] {
  return (updates ?? []).flatMap((update) => (update.type === 'newMessage' ? [update.message.text] : []));
}

describe('SamizdatClient groups and channels against the real server', () => {
  let dataDir: string;
  let server: RunningServer;
  const clients: SamizdatClient[] = [];

  function createClient(store = new MemoryStore()): SamizdatClient {
    const client = new SamizdatClient({
      url: `ws://127.0.0.1:${server.port}/ws`,
      WebSocket,
      store,
      reconnect: { minDelayMs: 20, maxDelayMs: 200 },
      gapTimeoutMs: 100,
      requestTimeoutMs: 10_000,
    });
    clients.push(client);
    return client;
  }

  async function signedIn(digit: number, suffix: number, store = new MemoryStore()): Promise<SamizdatClient> {
    const client = createClient(store);
    await client.connect();
    const { phone, code } = testPhone(digit, suffix);
    const { phoneCodeHash } = await client.sendCode(phone);
    const result = await client.signIn({ phone, phoneCodeHash, code, deviceName: `device of ${digit}${suffix}` });
    if (result.type === 'signUpRequired') await client.signUp({ phone, phoneCodeHash, code, displayName: `User ${digit}${suffix}` });
    return client;
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'samizdat-group-sync-'));
    server = await startServerUnderTest({ port: 0, host: '127.0.0.1', dataDir, testNumbers: true, logger: createMemoryLogger() });
  });

  after(async () => {
    for (const client of clients) await client.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test(`[SDK24][SDK26][SDK28] a device offline while ${GROUP_MESSAGES} group messages and ${CHANNEL_POSTS} channel posts are sent gets every one on reconnect, once and in order`, async () => {
    const alice = await signedIn(1, 1);
    const bobStore = new MemoryStore();
    const bob = await signedIn(1, 2, bobStore);
    const bobId = bob.user?.id ?? 0;
    const online = recordChatUpdates(bob);

    const { chat: group } = await alice.call('chats.createGroup', { title: 'Plans', userIds: [bobId] });
    const { chat: channel } = await alice.call('chats.createChannel', { title: 'News' });
    await alice.call('chats.addMembers', { chatId: channel.id, userIds: [bobId] });
    await until(
      () => typeof bob.followedChats.get(group.id) === 'number' && typeof bob.followedChats.get(channel.id) === 'number',
      () => `Bob follows ${JSON.stringify([...bob.followedChats])}`,
    );
    await alice.sendMessage({ type: 'chat', chatId: group.id }, 'before');
    await until(() => textsOf(online.get(group.id)).includes('before'), () => 'Bob did not see "before"');

    // Bob's device goes away; its state (the chats' pts among it) stays in its store.
    await bob.close();
    assert.equal(bobStore.state?.chatPts?.[String(group.id)], bob.followedChats.get(group.id));
    const sends: Promise<unknown>[] = [];
    for (let n = 0; n < GROUP_MESSAGES; n++) sends.push(alice.sendMessage({ type: 'chat', chatId: group.id }, `group ${n}`));
    for (let n = 0; n < CHANNEL_POSTS; n++) sends.push(alice.sendMessage({ type: 'chat', chatId: channel.id }, `post ${n}`));
    await Promise.all(sends);

    const returning = createClient(bobStore);
    const later = recordChatUpdates(returning);
    await returning.connect();
    await until(
      () => textsOf(later.get(group.id)).length >= GROUP_MESSAGES && textsOf(later.get(channel.id)).length >= CHANNEL_POSTS,
      () => `group ${textsOf(later.get(group.id)).length}, channel ${textsOf(later.get(channel.id)).length}`,
    );
    await new Promise((done) => setTimeout(done, 300)); // room for a duplicate to show up, if there were one

    const groupTexts = [...textsOf(online.get(group.id)), ...textsOf(later.get(group.id))];
    assert.deepEqual(groupTexts, ['before', ...Array.from({ length: GROUP_MESSAGES }, (_, n) => `group ${n}`)]);
    assert.deepEqual(textsOf(later.get(channel.id)), Array.from({ length: CHANNEL_POSTS }, (_, n) => `post ${n}`));
    for (const chatId of [group.id, channel.id]) {
      const pts = [...(online.get(chatId) ?? []), ...(later.get(chatId) ?? [])].map((update) => update.pts);
      const first = pts[0] ?? 0;
      assert.deepEqual(pts, Array.from({ length: pts.length }, (_, index) => first + index), `chat ${chatId}: every pts once, in order`);
    }
    const { chat: groupNow } = await returning.call('chats.get', { chatId: group.id });
    assert.equal(returning.followedChats.get(group.id), groupNow.pts);
    assert.equal(bobStore.state?.chatPts?.[String(group.id)], groupNow.pts);
  });

  test('[SDK25] a chatJoined caused on one device makes another device of the same user follow the chat', async () => {
    const alice = await signedIn(2, 1);
    const bobFirst = await signedIn(2, 2);
    const bobSecond = await signedIn(2, 2);
    const seen = recordChatUpdates(bobSecond);
    const joins: number[] = [];
    bobSecond.on('update', (update) => {
      if (update.type === 'chatJoined') joins.push(update.chatId);
    });
    const { chat: channel } = await alice.call('chats.createChannel', { title: 'Open news', username: 'open_news_sdk' });

    // Bob joins on his first device; his second learns it from its own sequence.
    await bobFirst.call('chats.join', { chatId: channel.id });
    assert.ok(bobFirst.followedChats.has(channel.id), 'the joining device follows from the call result');
    await until(() => joins.includes(channel.id), () => `chatJoined seen: ${joins.join(', ')}`);
    assert.ok(bobSecond.followedChats.has(channel.id), 'followed as soon as chatJoined is emitted');
    await until(() => typeof bobSecond.followedChats.get(channel.id) === 'number', () => 'the channel state never arrived');

    await alice.sendMessage({ type: 'chat', chatId: channel.id }, 'hello subscribers');
    await until(() => textsOf(seen.get(channel.id)).includes('hello subscribers'), () => `second device saw ${JSON.stringify(textsOf(seen.get(channel.id)))}`);
    await new Promise((done) => setTimeout(done, 200));
    assert.deepEqual(textsOf(seen.get(channel.id)), ['hello subscribers']);
  });
});
