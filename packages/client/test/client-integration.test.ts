import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Message } from '@samizdat/protocol';
// The server is started in-process for these tests only; the SDK itself never imports it.
import { createMemoryLogger, type RunningServer } from '@samizdat/server';
import { startServerUnderTest } from '@samizdat/server/testing';
import { WebSocket } from 'ws';
import { MemoryStore } from '../src/client-store.ts';
import { SamizdatClient, type SamizdatClientEvents, type SamizdatClientOptions } from '../src/samizdat-client.ts';

/** Test numbers (`+99966XYYYY`) sign in with the code `XXXXX`, without delivery. */
function testPhone(digit: number, suffix: number): { phone: string; code: string } {
  return { phone: `+99966${digit}${String(suffix).padStart(4, '0')}`, code: String(digit).repeat(5) };
}

/** Resolves with the first payload of `event` that satisfies `predicate`; fails after `timeoutMs`. */
function nextEvent<E extends keyof SamizdatClientEvents>(
  client: SamizdatClient,
  event: E,
  predicate: (payload: SamizdatClientEvents[E]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<SamizdatClientEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`No ${String(event)} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = client.on(event, (payload) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

describe('SamizdatClient against the real server', () => {
  let dataDir: string;
  let server: RunningServer;
  let port: number;
  const clients: SamizdatClient[] = [];

  async function start(): Promise<void> {
    server = await startServerUnderTest({ port, host: '127.0.0.1', dataDir, testNumbers: true, logger: createMemoryLogger() });
    port = server.port;
  }

  function createClient(options: Partial<SamizdatClientOptions> = {}): SamizdatClient {
    const client = new SamizdatClient({
      url: `ws://127.0.0.1:${port}/ws`,
      WebSocket,
      reconnect: { minDelayMs: 20, maxDelayMs: 200 },
      requestTimeoutMs: 10_000,
      ...options,
    });
    clients.push(client);
    return client;
  }

  async function signedIn(digit: number, suffix: number, store = new MemoryStore()): Promise<SamizdatClient> {
    const client = createClient({ store });
    await client.connect();
    const { phone, code } = testPhone(digit, suffix);
    const { phoneCodeHash } = await client.sendCode(phone);
    const result = await client.signIn({ phone, phoneCodeHash, code });
    if (result.type === 'signUpRequired') await client.signUp({ phone, phoneCodeHash, code, displayName: `User ${digit}${suffix}` });
    return client;
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'samizdat-client-'));
    port = 0;
    await start();
  });

  after(async () => {
    for (const client of clients) await client.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('[SDK15] signing up stores the token and initialises the update state', async () => {
    const store = new MemoryStore();
    const client = await signedIn(1, 1, store);
    assert.ok(client.user !== null);
    assert.equal(client.pts, 0);
    assert.equal(store.state?.token, client.token);
    assert.equal(store.state?.userId, client.user.id);
  });

  test('[SDK2] a message reaches the recipient and the sender exactly once each', async () => {
    const alice = await signedIn(2, 1);
    const bob = await signedIn(2, 2);
    const bobId = bob.user?.id ?? 0;
    const received: Message[] = [];
    const own: Message[] = [];
    bob.on('message', (message) => received.push(message));
    alice.on('message', (message) => own.push(message));
    const arrival = nextEvent(bob, 'message');
    const sent = await alice.sendMessage({ type: 'user', userId: bobId }, 'hello over the wire');
    assert.deepEqual(await arrival, sent);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(received, [sent]);
    assert.deepEqual(own, [sent]);
    assert.deepEqual(alice.outbox, []);
  });

  test('[SDK5] updates sent while a client was away arrive after a server restart, once and in order', async () => {
    const alice = await signedIn(3, 1);
    const bob = await signedIn(3, 2);
    const bobId = bob.user?.id ?? 0;
    const texts: string[] = [];
    bob.on('message', (message) => texts.push(message.text));
    await alice.sendMessage({ type: 'user', userId: bobId }, 'before');
    await nextEvent(bob, 'message');

    await server.close();
    // Listening before the start: a cluster's first worker may take the clients back before the last one listens.
    const reconnected = Promise.all([nextEvent(alice, 'connectionState', (state) => state === 'connected'), nextEvent(bob, 'connectionState', (state) => state === 'connected')]);
    await start();
    await reconnected;
    // Bob goes away; Alice writes; Bob comes back through a fresh client with his stored state.
    const bobPts = bob.pts;
    const bobToken = bob.token ?? '';
    await bob.close();
    for (const text of ['one', 'two', 'three']) await alice.sendMessage({ type: 'user', userId: bobId }, text);
    const returning = createClient({ store: new MemoryStore({ token: bobToken, userId: bobId, pts: bobPts ?? 0, outbox: [] }) });
    const later: string[] = [];
    returning.on('message', (message) => later.push(message.text));
    const third = nextEvent(returning, 'message', (message) => message.text === 'three');
    await returning.connect();
    await third;
    assert.deepEqual([...texts, ...later], ['before', 'one', 'two', 'three']);
  });

  test('[SDK8] an outbox written while the server is down is delivered once after it returns', async () => {
    const aliceStore = new MemoryStore();
    const alice = await signedIn(4, 1, aliceStore);
    const bob = await signedIn(4, 2);
    const bobId = bob.user?.id ?? 0;
    await server.close();
    const pending = alice.sendMessage({ type: 'user', userId: bobId }, 'written offline');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(alice.outbox.length, 1);
    await alice.close();
    await assert.rejects(pending);

    const bobBack = nextEvent(bob, 'connectionState', (state) => state === 'connected');
    await start();
    await bobBack;
    const received: string[] = [];
    bob.on('message', (message) => received.push(message.text));
    const restarted = createClient({ store: aliceStore });
    const arrival = nextEvent(bob, 'message');
    await restarted.connect();
    await arrival;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(received, ['written offline']);
    assert.deepEqual(restarted.outbox, []);
  });

  test('[SDK12] a session terminated from another device logs the client out and it goes on unauthenticated', async () => {
    const first = await signedIn(5, 1);
    const second = await signedIn(5, 1);
    const loggedOut = nextEvent(first, 'loggedOut');
    await second.call('account.terminateSession', { sessionId: first.sessionId ?? 0 });
    assert.deepEqual(await loggedOut, { reason: 'sessionTerminated' });
    assert.equal(first.token, null);
    await nextEvent(first, 'connectionState', (state) => state === 'connected');
    const { phoneCodeHash } = await first.sendCode(testPhone(5, 1).phone);
    assert.ok(phoneCodeHash.length > 0, 'the connection works again, signed out');
  });

  test('[SDK15] terminating its own session signs the client out like logOut', async () => {
    const client = await signedIn(7, 1);
    const loggedOut = nextEvent(client, 'loggedOut');
    await client.call('account.terminateSession', { sessionId: client.sessionId ?? 0 });
    assert.deepEqual(await loggedOut, { reason: 'logOut' });
    assert.equal(client.token, null);
  });

  test('[SDK15] logOut ends the session on the server: its token no longer signs in', async () => {
    const client = await signedIn(6, 1);
    const token = client.token ?? '';
    await client.logOut();
    assert.equal(client.user, null);
    const reuse = createClient({ token });
    const welcome = await reuse.connect();
    assert.equal(welcome.user, null);
  });
});
