import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PROTOCOL_VERSION, RpcError, type Message, type Update, type UpdatesState } from '@samizdat/protocol';
import { ClientClosedError } from './client-errors.ts';
import { MemoryStore, type StoredState } from './client-store.ts';
import type { LogFields } from './logger.ts';
import type { ConnectionState } from './reconnecting-connection.ts';
import { SamizdatClient, type LoggedOutEvent, type OutboxFailedEvent, type SamizdatClientOptions } from './samizdat-client.ts';
import { FAKE_CODE, FakeServer } from './testing/fake-server.ts';
import { FakeTimers, flushAsync } from './testing/fake-timers.ts';

const WS_URL = 'ws://fake.test/ws';

/** A fake server, a clock and a store, and clients built on them that record their events. */
function setup() {
  const server = new FakeServer();
  const timers = new FakeTimers();
  const store = new MemoryStore();
  const alice = server.addUser('+15550000001', 'Alice');
  const bob = server.addUser('+15550000002', 'Bob');

  function createClient(options: Partial<SamizdatClientOptions> = {}) {
    const client = new SamizdatClient({ url: WS_URL, WebSocket: server.WebSocket, timers, store, ...options });
    const events = {
      updates: [] as Update[],
      messages: [] as Message[],
      states: [] as ConnectionState[],
      loggedOut: [] as LoggedOutEvent[],
      tooLong: [] as UpdatesState[],
      errors: [] as Error[],
      outboxFailed: [] as OutboxFailedEvent[],
    };
    client.on('update', (update) => events.updates.push(update));
    client.on('message', (message) => events.messages.push(message));
    client.on('connectionState', (state) => events.states.push(state));
    client.on('loggedOut', (event) => events.loggedOut.push(event));
    client.on('tooLong', (state) => events.tooLong.push(state));
    client.on('error', (error) => events.errors.push(error));
    client.on('outboxFailed', (event) => events.outboxFailed.push(event));
    return { client, events };
  }

  /** Alice's client, connected with her token and caught up. */
  async function connectAlice(options: Partial<SamizdatClientOptions> = {}) {
    const created = createClient({ token: alice.token, ...options });
    await created.client.connect();
    await flushAsync();
    return created;
  }

  return { server, timers, store, alice, bob, createClient, connectAlice };
}

const toBob = (bobId: number) => ({ type: 'user', userId: bobId }) as const;

describe('SamizdatClient connection', () => {
  test('[SDK13] the first frame is hello with the protocol version and the stored token', async () => {
    const { server, store, alice, createClient } = setup();
    await store.save({ token: alice.token, outbox: [] });
    const { client } = createClient();
    const welcome = await client.connect();
    assert.deepEqual(server.connections[0]?.frames[0], { type: 'hello', id: 0, protocolVersion: PROTOCOL_VERSION, token: alice.token });
    assert.equal(welcome.user?.id, alice.user.id);
    assert.equal(client.user?.id, alice.user.id);
    assert.equal(client.isConnected, true);
    await client.close();
  });

  test('[SDK5] a client with a session but no stored pts initialises it with getState on connect', async () => {
    const { server, alice, connectAlice } = setup();
    server.addFillerUpdates(alice.user.id, 3);
    const { client, events } = await connectAlice();
    assert.equal(client.pts, 3);
    assert.equal(server.callsOf('updates.getState').length, 1);
    assert.deepEqual(events.updates, [], 'updates before the state are not replayed');
    await client.close();
  });

  test('[SDK14] a lost connection is reopened after the backoff delay and reported as connection states', async () => {
    const { server, timers, connectAlice } = setup();
    const { client, events } = await connectAlice({ reconnect: { minDelayMs: 100, maxDelayMs: 1000 } });
    server.isDown = true;
    server.dropConnections();
    await flushAsync();
    assert.equal(client.isConnected, false);
    await timers.advance(100); // attempt 0: exactly minDelayMs, fails
    await timers.advance(200); // attempt 1: at most 200 ms, fails
    assert.equal(server.connections.length, 1, 'no socket opens while the server is down');
    server.isDown = false;
    await timers.advance(400); // attempt 2: at most 400 ms, succeeds
    assert.equal(client.isConnected, true);
    assert.equal(server.openConnections.length, 1);
    assert.deepEqual(events.states, ['connecting', 'connected', 'disconnected', 'connecting', 'disconnected', 'connecting', 'disconnected', 'connecting', 'connected']);
    await client.close();
  });

  test('[SDK13] PROTOCOL_VERSION_UNSUPPORTED rejects connect and stops reconnecting', async () => {
    const { server, timers, createClient } = setup();
    server.protocolVersion = PROTOCOL_VERSION + 1;
    const { client, events } = createClient();
    await assert.rejects(client.connect(), (error: unknown) => error instanceof RpcError && error.code === 'PROTOCOL_VERSION_UNSUPPORTED');
    await timers.advance(60_000);
    assert.equal(server.connections.length, 1);
    assert.equal(events.errors.length, 1);
    await assert.rejects(client.call('users.getSelf', {}), RpcError);
    await client.close();
  });

  test('[SDK13] a socket that is never welcomed is replaced after handshakeTimeoutMs', async () => {
    const { server, timers, alice, createClient } = setup();
    let isSilent = true;
    const originalReceive = server.receive.bind(server);
    server.receive = (connection, text) => {
      if (isSilent) return;
      originalReceive(connection, text);
    };
    const { client } = createClient({ token: alice.token, handshakeTimeoutMs: 1000 });
    const connecting = client.connect();
    await timers.advance(999);
    assert.equal(server.connections.length, 1);
    isSilent = false;
    await timers.advance(1 + 250);
    await connecting;
    assert.equal(server.connections.length, 2);
    assert.equal(client.isConnected, true);
    await client.close();
  });

  test('[SDK13] a hello refused with a transient error reconnects no sooner than retryAfterSeconds', async () => {
    const { server, timers, alice, createClient } = setup();
    let refusals = 1;
    const originalReceive = server.receive.bind(server);
    server.receive = (connection, text) => {
      if (refusals > 0 && text.includes('"hello"')) {
        refusals -= 1;
        connection.sendError(0, { code: 'FLOOD_WAIT', retryAfterSeconds: 3 });
        return;
      }
      originalReceive(connection, text);
    };
    const { client } = createClient({ token: alice.token });
    const connecting = client.connect();
    await timers.advance(2999);
    assert.equal(server.connections.length, 1);
    await timers.advance(1);
    await connecting;
    assert.equal(server.connections.length, 2);
    await client.close();
  });

  test('[SDK11] malformed frames are dropped and logged while the connection keeps working', async () => {
    const { server, connectAlice } = setup();
    const warnings: string[] = [];
    const { client } = await connectAlice({ logger: { warn: (message) => warnings.push(message) } });
    const connection = server.openConnections[0];
    assert.ok(connection);
    connection.sendText('not json');
    connection.sendText(JSON.stringify({ type: 'bogus' }));
    connection.sendText(JSON.stringify({ type: 'update', update: { type: 'newMessage', pts: 'x' } }));
    connection.sendText(JSON.stringify({ type: 'result', id: 999, result: {} }));
    await flushAsync();
    const self = await client.call('users.getSelf', {});
    assert.equal(self.user.displayName, 'Alice');
    assert.ok(warnings.filter((message) => message === 'Dropped malformed server frame').length >= 3);
    assert.ok(warnings.includes('Dropped result of unknown call'));
    await client.close();
  });

  test('[SDK18] call checks params before sending and rejects with PARAMS_INVALID', async () => {
    const { server, connectAlice } = setup();
    const { client } = await connectAlice();
    const before = server.connections[0]?.calls.length;
    // Deliberately malformed: a caller without types (plain JS) can pass this.
    const params = { userIds: [] } as unknown as { userIds: number[] };
    await assert.rejects(client.call('users.getUsers', params), (error: unknown) => error instanceof RpcError && error.code === 'PARAMS_INVALID');
    assert.equal(server.connections[0]?.calls.length, before);
    await client.close();
  });

  test('[SDK10] a FLOOD_WAIT under the threshold is waited out; one above it rejects with retryAfterSeconds', async () => {
    const { server, timers, connectAlice } = setup();
    const { client } = await connectAlice({ floodWaitThresholdSeconds: 5 });
    const waits = [5];
    server.intercept = (connection, frame) => {
      const wait = frame.method === 'users.getSelf' ? waits.shift() : undefined;
      if (wait === undefined) return false;
      connection.sendError(frame.id, { code: 'FLOOD_WAIT', retryAfterSeconds: wait });
      return true;
    };
    const first = client.call('users.getSelf', {});
    await timers.advance(5000);
    assert.equal((await first).user.id > 0, true);
    waits.push(6);
    await assert.rejects(client.call('users.getSelf', {}), (error: unknown) => error instanceof RpcError && error.retryAfterSeconds === 6);
    await client.close();
  });
});

describe('SamizdatClient auth', () => {
  test('[SDK15] signIn stores the token, sets the user and initialises the update state before resolving', async () => {
    const { server, store, alice, createClient } = setup();
    server.addFillerUpdates(alice.user.id, 2);
    const { client } = createClient();
    const welcome = await client.connect();
    assert.equal(welcome.user, null);
    const { phoneCodeHash } = await client.sendCode('+1 555 000 0001');
    const result = await client.signIn({ phone: '+1 (555) 000-0001', phoneCodeHash, code: FAKE_CODE });
    assert.equal(result.type, 'authorization');
    assert.equal(client.user?.id, alice.user.id);
    assert.equal(client.pts, 2);
    assert.equal(server.callsOf('auth.signIn')[0]?.params && (server.callsOf('auth.signIn')[0]?.params as { phone: string }).phone, '+15550000001');
    const saved = store.state;
    assert.equal(saved?.token, client.token);
    assert.equal(saved?.userId, alice.user.id);
    assert.equal(saved?.pts, 2);
    await client.close();
  });

  test('[SDK15] signIn answers signUpRequired for a new phone and signUp creates the account', async () => {
    const { createClient } = setup();
    const { client } = createClient();
    await client.connect();
    const phone = '+15550000099';
    const { phoneCodeHash } = await client.sendCode(phone);
    assert.deepEqual(await client.signIn({ phone, phoneCodeHash, code: FAKE_CODE }), { type: 'signUpRequired' });
    const authorization = await client.signUp({ phone, phoneCodeHash, code: FAKE_CODE, displayName: 'Zed' });
    assert.equal(client.user?.displayName, 'Zed');
    assert.equal(client.token, authorization.token);
    assert.equal(client.pts, 0);
    await client.close();
  });

  test('[SDK18] the auth helpers refuse a malformed phone number without asking the server', async () => {
    const { server, createClient } = setup();
    const { client } = createClient();
    await client.connect();
    await assert.rejects(client.sendCode('call me'), (error: unknown) => error instanceof RpcError && error.code === 'PHONE_NUMBER_INVALID');
    assert.equal(server.callsOf('auth.sendCode').length, 0);
    await client.close();
  });

  test('[SDK15] logOut ends the session on the server and forgets token, user, pts and outbox', async () => {
    const { server, store, connectAlice } = setup();
    const { client, events } = await connectAlice();
    await client.logOut();
    assert.equal(server.callsOf('auth.logOut').length, 1);
    assert.equal(client.token, null);
    assert.equal(client.user, null);
    assert.deepEqual(events.loggedOut, [{ reason: 'logOut' }]);
    assert.deepEqual(store.state, { outbox: [] });
    await client.close();
  });

  test('[SDK15] when another user signs in, the previous user\'s pts and outbox do not carry over', async () => {
    const { server, store, bob, createClient } = setup();
    server.addFillerUpdates(bob.user.id, 4);
    const previous: StoredState = {
      token: bob.token,
      userId: 999,
      pts: 1234,
      outbox: [{ randomId: 'old', peer: { type: 'user', userId: 1 }, text: 'x', createdAt: 0 }],
    };
    await store.save(previous);
    const { client } = createClient();
    await client.connect();
    await flushAsync();
    assert.equal(client.pts, 4, 'the pts comes from getState, not from the other user');
    assert.deepEqual(client.outbox, []);
    assert.equal(server.callsOf('messages.send').length, 0, 'the other user\'s outbox is never sent');
    assert.equal(store.state?.userId, bob.user.id);
    await client.close();
  });
});

describe('SamizdatClient sessions ending', () => {
  test('[SDK12] a token refused at hello is dropped, loggedOut is emitted and the client goes on unauthenticated', async () => {
    const { server, timers, store, alice, createClient } = setup();
    server.terminate(alice.token);
    await store.save({ token: alice.token, userId: alice.user.id, pts: 5, outbox: [] });
    const { client, events } = createClient();
    const welcome = await client.connect();
    assert.equal(welcome.user, null);
    assert.equal(client.token, null);
    assert.deepEqual(events.loggedOut, [{ reason: 'sessionTerminated' }]);
    assert.deepEqual(store.state, { userId: alice.user.id, pts: 5, outbox: [] }, 'the token is gone; the pts stays for a later sign-in');
    assert.equal(client.isConnected, true);
    server.dropConnections();
    await timers.advance(250);
    assert.deepEqual(server.connections[1]?.frames[0], { type: 'hello', id: 0, protocolVersion: PROTOCOL_VERSION }, 'no reconnect with the dead token');
    await client.close();
  });

  test('[SDK12] a session terminated while connected rejects sends, clears the outbox and reconnects without the token', async () => {
    const { server, timers, store, alice, bob, connectAlice } = setup();
    const { client, events } = await connectAlice();
    server.intercept = (_connection, frame) => frame.method === 'messages.send'; // never acked
    const sending = client.sendMessage(toBob(bob.user.id), 'hello');
    const rejected = assert.rejects(sending, (error: unknown) => error instanceof RpcError && error.code === 'AUTH_KEY_UNREGISTERED');
    await flushAsync();
    assert.equal(client.outbox.length, 1);
    server.terminate(alice.token);
    await flushAsync();
    await rejected;
    assert.deepEqual(events.loggedOut, [{ reason: 'sessionTerminated' }], 'emitted once for the error frame and the 4001 close together');
    assert.deepEqual(client.outbox, []);
    assert.equal(store.state?.token, undefined);
    await timers.advance(250);
    assert.equal(client.isConnected, true);
    assert.equal(server.connections.at(-1)?.frames[0]?.type, 'hello');
    assert.equal('token' in (server.connections.at(-1)?.frames[0] ?? {}), false);
    await client.close();
  });

  test('[SDK12] a close with code 4001 alone also ends the session', async () => {
    const { server, store, connectAlice } = setup();
    const { client, events } = await connectAlice();
    server.openConnections[0]?.close(4001, 'session terminated');
    await flushAsync();
    assert.deepEqual(events.loggedOut, [{ reason: 'sessionTerminated' }]);
    assert.equal(client.token, null);
    assert.equal(store.state?.token, undefined);
    await client.close();
  });

  test('[SDK12] the same user signing in again after a termination catches up from the kept pts', async () => {
    const { server, timers, alice, connectAlice } = setup();
    const { client, events } = await connectAlice();
    server.addFillerUpdates(alice.user.id, 2);
    await flushAsync();
    server.terminate(alice.token);
    await flushAsync();
    server.isPushing = false;
    server.addFillerUpdates(alice.user.id, 3);
    server.isPushing = true;
    await timers.advance(250);
    const { phoneCodeHash } = await client.sendCode(alice.user.phone ?? '');
    await client.signIn({ phone: alice.user.phone ?? '', phoneCodeHash, code: FAKE_CODE });
    assert.deepEqual(events.updates.map((update) => update.pts), [1, 2, 3, 4, 5]);
    assert.equal(server.callsOf('updates.getDifference').at(-1)?.params && (server.callsOf('updates.getDifference').at(-1)?.params as { pts: number }).pts, 2);
    await client.close();
  });
});

describe('SamizdatClient messages and updates', () => {
  test('[SDK16] sendMessage resolves with the stored message and [SDK2] emits it once despite result and push', async () => {
    const { server, bob, connectAlice } = setup();
    const { client, events } = await connectAlice();
    const message = await client.sendMessage(toBob(bob.user.id), 'hi Bob');
    await flushAsync();
    assert.equal(message.text, 'hi Bob');
    assert.deepEqual(events.messages, [message]);
    assert.equal(client.pts, 1);
    assert.deepEqual(client.outbox, []);
    assert.equal(server.updatesOf(bob.user.id).length, 1);
    await client.close();
  });

  test('[SDK8] an outbox entry is in the store before its send reaches the server', async () => {
    const { server, store, bob, connectAlice } = setup();
    const { client } = await connectAlice();
    let storedAtSend: StoredState | null = null;
    server.intercept = (_connection, frame) => {
      if (frame.method === 'messages.send') storedAtSend = store.state;
      return false;
    };
    await client.sendMessage(toBob(bob.user.id), 'persist me', { randomId: 'r-0000001' });
    assert.deepEqual((storedAtSend as StoredState | null)?.outbox.map((entry) => entry.randomId), ['r-0000001']);
    await client.close();
    assert.deepEqual(store.state?.outbox, [], '[SDK1] the ack removes it');
  });

  test('[SDK8] sends in flight when the connection drops are resent with the same randomIds, in order, and stored once', async () => {
    const { server, timers, bob, connectAlice } = setup();
    const { client, events } = await connectAlice();
    let isHolding = true;
    server.intercept = (_connection, frame) => isHolding && frame.method === 'messages.send';
    const sends = ['one', 'two', 'three'].map((text) => client.sendMessage(toBob(bob.user.id), text));
    await flushAsync();
    const firstIds = server.callsOf('messages.send').map((call) => (call.params as { randomId: string }).randomId);
    assert.equal(firstIds.length, 3);
    isHolding = false;
    server.dropConnections();
    await timers.advance(250);
    const messages = await Promise.all(sends);
    const resent = server.connections[1]?.calls.filter((call) => call.method === 'messages.send').map((call) => (call.params as { randomId: string }).randomId);
    assert.deepEqual(resent, firstIds);
    assert.deepEqual(messages.map((message) => message.text), ['one', 'two', 'three']);
    assert.equal(server.updatesOf(bob.user.id).length, 3, 'each message stored once');
    assert.deepEqual(events.messages.map((message) => message.text), ['one', 'two', 'three']);
    await client.close();
  });

  test('[SDK1] a send retried by the server\'s dedupe returns the original message, not a second one', async () => {
    const { server, timers, bob, connectAlice } = setup();
    const { client, events } = await connectAlice();
    let dropAfterSend = true;
    server.intercept = (connection, frame) => {
      if (frame.method !== 'messages.send' || !dropAfterSend) return false;
      dropAfterSend = false;
      // The server goes on to store the message, but the connection dies before the ack leaves.
      connection.close(1006, 'lost');
      return false;
    };
    const sending = client.sendMessage(toBob(bob.user.id), 'exactly once');
    await flushAsync();
    await timers.advance(250);
    const message = await sending;
    await flushAsync();
    assert.equal(server.updatesOf(bob.user.id).length, 1);
    assert.deepEqual(events.messages, [message]);
    await client.close();
  });

  test('[SDK8] a restarted client resends its stored outbox, in order, before any new call', async () => {
    const { server, store, timers, bob, alice, createClient } = setup();
    server.isDown = true;
    const first = createClient({ token: alice.token });
    void first.client.connect().catch(() => {});
    const lost = ['a', 'b'].map((text) => first.client.sendMessage(toBob(bob.user.id), text));
    await flushAsync();
    await first.client.close();
    for (const send of lost) await assert.rejects(send, ClientClosedError);
    assert.deepEqual(store.state?.outbox.map((entry) => entry.text), ['a', 'b'], '[SDK19] close keeps the outbox in the store');

    server.isDown = false;
    const second = createClient();
    await second.client.connect();
    void second.client.call('users.getSelf', {});
    await flushAsync();
    const calls = server.connections[0]?.calls.map((call) => call.method);
    assert.deepEqual(calls?.slice(0, 2), ['messages.send', 'messages.send']);
    assert.deepEqual(second.events.messages.map((message) => message.text), ['a', 'b']);
    assert.deepEqual(store.state?.outbox, []);
    void timers;
    await second.client.close();
  });

  test('[SDK1] a send the server refuses for good leaves the outbox, rejects and emits outboxFailed', async () => {
    const { connectAlice } = setup();
    const { client, events } = await connectAlice();
    await assert.rejects(client.sendMessage({ type: 'user', userId: 424242 }, 'nobody'), (error: unknown) => error instanceof RpcError && error.code === 'PEER_ID_INVALID');
    assert.deepEqual(client.outbox, []);
    assert.equal(events.outboxFailed.length, 1);
    await client.close();
  });

  test('[SDK18] sendMessage refuses empty and overlong text before it enters the outbox', async () => {
    const { bob, connectAlice } = setup();
    const { client } = await connectAlice();
    await assert.rejects(client.sendMessage(toBob(bob.user.id), '  '), (error: unknown) => error instanceof RpcError && error.code === 'MESSAGE_EMPTY');
    await assert.rejects(client.sendMessage(toBob(bob.user.id), 'x'.repeat(4097)), (error: unknown) => error instanceof RpcError && error.code === 'MESSAGE_TOO_LONG');
    assert.deepEqual(client.outbox, []);
    await client.close();
  });

  test('[SDK33] sendMedia goes through the outbox: stored with its media first, resent with it after a drop', async () => {
    const { server, store, timers, bob, connectAlice } = setup();
    const { client } = await connectAlice();
    let storedAtSend: StoredState | null = null;
    let isDropping = true;
    server.intercept = (connection, frame) => {
      if (frame.method !== 'messages.send') return false;
      storedAtSend ??= store.state;
      if (!isDropping) return false;
      isDropping = false;
      connection.close(1006, 'lost');
      return true;
    };
    const media = { fileId: 'file-abc', kind: 'photo', width: 640, height: 480 } as const;
    const sending = client.sendMedia(toBob(bob.user.id), media, '', { randomId: 'media-0001' });
    await flushAsync();
    await timers.advance(250);
    const message = await sending;
    assert.deepEqual((storedAtSend as StoredState | null)?.outbox.map((entry) => entry.media), [media]);
    const sends = server.callsOf('messages.send').map((call) => call.params as { randomId: string; text: string; media?: unknown });
    assert.equal(sends.length, 2, 'sent, dropped, sent again');
    assert.ok(sends.every((params) => params.randomId === 'media-0001' && params.text === '' && JSON.stringify(params.media) === JSON.stringify(media)));
    assert.equal(message.media?.kind, 'photo');
    assert.equal(message.media?.file.id, 'file-abc');
    assert.deepEqual(client.outbox, []);
    await client.close();
  });

  test('[SDK33] sendMedia refuses a caption over 1024 characters before it enters the outbox', async () => {
    const { server, bob, connectAlice } = setup();
    const { client } = await connectAlice();
    await assert.rejects(
      client.sendMedia(toBob(bob.user.id), { fileId: 'f', kind: 'document' }, 'x'.repeat(1025)),
      (error: unknown) => error instanceof RpcError && error.code === 'MEDIA_CAPTION_TOO_LONG',
    );
    await assert.rejects(
      client.sendMedia(toBob(bob.user.id), { fileId: 'f', kind: 'sticker' as 'photo' }),
      (error: unknown) => error instanceof RpcError && error.code === 'PARAMS_INVALID',
    );
    assert.deepEqual(client.outbox, []);
    assert.equal(server.callsOf('messages.send').length, 0);
    await client.close();
  });

  test('[SDK34] fileUrl is under the HTTP base derived from the WebSocket URL, or the one given', () => {
    const { server } = setup();
    const derived = new SamizdatClient({ url: 'wss://chat.example/prefix/ws', WebSocket: server.WebSocket });
    assert.equal(derived.fileUrl('a b'), 'https://chat.example/prefix/files/a%20b');
    const given = new SamizdatClient({ url: WS_URL, httpUrl: 'https://cdn.example/', WebSocket: server.WebSocket });
    assert.equal(given.fileUrl('f1'), 'https://cdn.example/files/f1');
  });

  test('[SDK30] uploadFile and downloadFile without a session fail before any request', async () => {
    const { createClient } = setup();
    let fetches = 0;
    const { client } = createClient({ fetch: async () => { fetches += 1; return new Response(); } });
    await assert.rejects(client.uploadFile({ size: 1, read: async () => new Uint8Array(1) }), (error: unknown) => error instanceof RpcError && error.code === 'AUTH_KEY_UNREGISTERED');
    await assert.rejects(client.downloadFile('f', () => {}), (error: unknown) => error instanceof RpcError && error.code === 'AUTH_KEY_UNREGISTERED');
    assert.equal(fetches, 0);
    await client.close();
  });

  test('[SDK8] a message sent before connect goes out after the stored outbox', async () => {
    const { server, store, alice, bob, createClient } = setup();
    await store.save({
      token: alice.token,
      userId: alice.user.id,
      outbox: [{ randomId: 'stored-0001', peer: toBob(bob.user.id), text: 'older', createdAt: 0 }],
    });
    const { client, events } = createClient();
    const newer = client.sendMessage(toBob(bob.user.id), 'newer');
    await flushAsync();
    await client.connect();
    await newer;
    await flushAsync();
    assert.deepEqual(server.callsOf('messages.send').map((call) => (call.params as { text: string }).text), ['older', 'newer']);
    assert.deepEqual(events.messages.map((message) => message.text), ['older', 'newer']);
    await client.close();
  });

  test('[SDK8] sendMessage with a randomId already in the outbox returns the same promise', async () => {
    const { server, bob, connectAlice } = setup();
    const { client } = await connectAlice();
    const first = client.sendMessage(toBob(bob.user.id), 'once', { randomId: 'same-0001' });
    const second = client.sendMessage(toBob(bob.user.id), 'once', { randomId: 'same-0001' });
    assert.deepEqual(await first, await second);
    assert.equal(server.callsOf('messages.send').length, 1);
    await client.close();
  });

  test('[SDK5] updates missed while disconnected arrive through getDifference on reconnect, once and in order', async () => {
    const { server, timers, alice, bob, connectAlice } = setup();
    const { client, events } = await connectAlice();
    server.addFillerUpdates(alice.user.id, 2);
    await flushAsync();
    server.isDown = true;
    server.dropConnections();
    await flushAsync();
    server.addFillerUpdates(alice.user.id, 3); // nobody connected: not pushed
    server.isDown = false;
    await timers.advance(250);
    server.addUpdate(alice.user.id, (pts) => ({ type: 'readHistoryOutbox', pts, chatId: 1, maxId: bob.user.id }));
    await flushAsync();
    assert.deepEqual(events.updates.map((update) => update.pts), [1, 2, 3, 4, 5, 6]);
    assert.equal(client.pts, 6);
    await client.close();
  });

  test('[SDK4] a lost push is noticed at the next one and filled by getDifference after gapTimeoutMs', async () => {
    const { server, timers, alice, connectAlice } = setup();
    const { client, events } = await connectAlice({ gapTimeoutMs: 300 });
    server.addFillerUpdates(alice.user.id, 1);
    server.isPushing = false;
    server.addFillerUpdates(alice.user.id, 1);
    server.isPushing = true;
    server.addFillerUpdates(alice.user.id, 1);
    await flushAsync();
    assert.deepEqual(events.updates.map((update) => update.pts), [1]);
    const differencesBefore = server.callsOf('updates.getDifference').length;
    await timers.advance(300);
    assert.equal(server.callsOf('updates.getDifference').length, differencesBefore + 1);
    assert.deepEqual(events.updates.map((update) => update.pts), [1, 2, 3]);
    await client.close();
  });

  test('[SDK6] a client too far behind adopts the server state and emits tooLong', async () => {
    const { server, store, alice, createClient } = setup();
    server.tooLongThreshold = 10;
    server.isPushing = false;
    server.addFillerUpdates(alice.user.id, 20);
    await store.save({ token: alice.token, userId: alice.user.id, pts: 2, outbox: [] });
    const { client, events } = createClient();
    await client.connect();
    await flushAsync();
    assert.deepEqual(events.tooLong, [{ pts: 20, date: 1_700_000_000 }]);
    assert.deepEqual(events.updates, []);
    assert.equal(client.pts, 20);
    assert.equal(store.state?.pts, 20);
    await client.close();
  });

  test('[SDK7] a restarted client resumes from the stored pts without repeating an update', async () => {
    const { server, store, alice, createClient } = setup();
    server.differenceSliceLimit = 2;
    const first = createClient({ token: alice.token });
    await first.client.connect();
    await flushAsync();
    server.addFillerUpdates(alice.user.id, 3);
    await flushAsync();
    await first.client.close();
    assert.equal(store.state?.pts, 3);
    server.addFillerUpdates(alice.user.id, 5); // while no client runs
    const second = createClient();
    await second.client.connect();
    await flushAsync();
    const seen = [...first.events.updates, ...second.events.updates].map((update) => update.pts);
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(
      server.callsOf('updates.getDifference').map((call) => (call.params as { pts: number }).pts),
      [3, 5, 7],
      'the difference is fetched in slices until final',
    );
    await second.client.close();
  });

  test('[SDK16] a readHistory result feeds its update to the sequencer', async () => {
    const { server, alice, bob, connectAlice } = setup();
    const { client, events } = await connectAlice();
    server.isPushing = false; // only the result carries it
    const { updates } = await client.call('messages.readHistory', { peer: toBob(bob.user.id), maxId: 1 });
    assert.equal(updates.length, 1);
    assert.deepEqual(events.updates, updates.map((item) => item.update));
    assert.equal(client.pts, server.updatesOf(alice.user.id).length);
    await client.close();
  });
});

describe('SamizdatClient flood limits', () => {
  test('[SDK1] a send refused with a long FLOOD_WAIT stays in the outbox and goes out after the wait', async () => {
    const { server, timers, bob, connectAlice } = setup();
    const { client } = await connectAlice({ floodWaitThresholdSeconds: 5 });
    let isFlooding = true;
    server.intercept = (connection, frame) => {
      if (frame.method !== 'messages.send' || !isFlooding) return false;
      isFlooding = false;
      connection.sendError(frame.id, { code: 'FLOOD_WAIT', retryAfterSeconds: 60 });
      return true;
    };
    const sending = client.sendMessage(toBob(bob.user.id), 'patience');
    await timers.advance(59_999);
    assert.equal(client.outbox.length, 1);
    assert.equal(server.callsOf('messages.send').length, 1);
    await timers.advance(1);
    assert.equal((await sending).text, 'patience');
    assert.deepEqual(client.outbox, []);
    await client.close();
  });

  test('[SDK23] a FLOOD_WAIT that answers no call makes the client reconnect and resend what is in flight', async () => {
    const { server, timers, connectAlice } = setup();
    const { client } = await connectAlice();
    let isDropping = true;
    server.intercept = (connection, frame) => {
      if (frame.method !== 'users.getSelf' || !isDropping) return false;
      isDropping = false;
      connection.sendError(null, { code: 'FLOOD_WAIT', retryAfterSeconds: 2 });
      return true;
    };
    const pending = client.call('users.getSelf', {});
    await timers.advance(1999);
    assert.equal(server.openConnections.length, 0, 'the connection is dropped at once');
    assert.equal(server.connections.length, 1, 'and not reopened before the wait');
    await timers.advance(1);
    assert.equal((await pending).user.displayName, 'Alice');
    assert.equal(server.connections.length, 2);
    await client.close();
  });
});

describe('SamizdatClient close', () => {
  test('[SDK19] close rejects calls in flight with ClientClosedError and never reconnects', async () => {
    const { server, timers, connectAlice } = setup();
    const { client } = await connectAlice();
    server.intercept = () => true;
    const pending = client.call('users.getSelf', {});
    await flushAsync();
    await client.close();
    await assert.rejects(pending, ClientClosedError);
    await timers.advance(60_000);
    assert.equal(server.connections.length, 1);
    assert.equal(timers.pendingCount, 0, 'no timer survives close');
    await assert.rejects(client.connect(), ClientClosedError);
  });
});

describe('SamizdatClient hygiene', () => {
  test('[SDK21] logs carry no message text, phone number or token', async () => {
    const { server, timers, alice, bob, createClient } = setup();
    const lines: string[] = [];
    const record = (message: string, fields?: LogFields) => lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
    const logger = { debug: record, info: record, warn: record, error: record };
    const { client } = createClient({ logger });
    await client.connect();
    const phone = alice.user.phone ?? '';
    const { phoneCodeHash } = await client.sendCode(phone);
    await client.signIn({ phone, phoneCodeHash, code: FAKE_CODE });
    await client.sendMessage(toBob(bob.user.id), 'secret words');
    server.dropConnections();
    await timers.advance(250);
    await client.sendMessage({ type: 'user', userId: 777 }, 'more secret words').catch(() => {});
    server.terminate(client.token ?? '');
    await flushAsync();
    await client.close();
    const log = lines.join('\n');
    assert.ok(lines.length > 3, 'the flow logged something');
    for (const secret of ['secret words', phone, phone.slice(1), 'token-']) {
      assert.equal(log.includes(secret), false, `logs must not contain ${secret}`);
    }
  });

  test('[SDK20] the SDK sources use no Node-only module or global', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const directory = new URL('.', import.meta.url);
    const files = (await readdir(directory)).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    assert.ok(files.length > 10);
    const forbidden = [/from ['"]node:/, /\bBuffer\b/, /\bprocess\./, /\brequire\(/, /__dirname/, /\bsetImmediate\b/, /from ['"]ws['"]/];
    for (const file of files) {
      // Comments may name what the code avoids; only code counts.
      const source = (await readFile(new URL(file, directory), 'utf8')).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const pattern of forbidden) assert.doesNotMatch(source, pattern, `${file} must run in browsers`);
    }
  });
});
