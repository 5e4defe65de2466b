import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PROTOCOL_VERSION } from '@samizdat/protocol';
import { RawClient, signUpTestUser, startTestServer } from './harness.ts';

describe('the protocol edge', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.stop();
  });

  test('[PRO3] a call before hello gets HELLO_REQUIRED, another protocol version PROTOCOL_VERSION_UNSUPPORTED', async () => {
    const client = await RawClient.open(t.server.wsUrl);
    const early = await client.request({ type: 'call', method: 'users.getSelf', params: {} });
    assert.equal(early.type === 'error' && early.code, 'HELLO_REQUIRED');
    const wrong = await client.request({ type: 'hello', protocolVersion: PROTOCOL_VERSION + 1 });
    assert.equal(wrong.type === 'error' && wrong.code, 'PROTOCOL_VERSION_UNSUPPORTED');
    const right = await client.hello();
    assert.equal(right.type, 'result');
    assert.deepEqual((right as { result: { user: unknown } }).result.user, null);
    client.close();
  });

  test('[PRO1][PRO2] bad JSON, unknown shapes, unknown methods and wrong params each get their typed error', async () => {
    const client = await RawClient.open(t.server.wsUrl);
    await client.hello();
    client.sendRaw('{not json');
    client.sendRaw(JSON.stringify({ type: 'teleport', id: 5 }));
    client.sendRaw(Buffer.from([1, 2, 3]));
    await new Promise((done) => setTimeout(done, 50));
    const nulls = client.frames.filter((f) => f.type === 'error' && f.id === null).map((f) => f.type === 'error' && f.code);
    assert.deepEqual(nulls, ['FRAME_INVALID', 'FRAME_INVALID']);
    const withId = client.frames.find((f) => f.type === 'error' && f.id === 5);
    assert.equal(withId?.type === 'error' && withId.code, 'FRAME_INVALID', 'a frame with a readable id is answered under that id');
    const unknown = await client.request({ type: 'call', method: 'messages.teleport', params: {} });
    assert.equal(unknown.type === 'error' && unknown.code, 'METHOD_INVALID');
    const badParams = await client.request({ type: 'call', method: 'auth.sendCode', params: { phone: 12345 } });
    assert.equal(badParams.type === 'error' && badParams.code, 'PARAMS_INVALID');
    assert.match(badParams.type === 'error' ? badParams.message : '', /auth\.sendCode: \/phone/);
    const extra = await client.request({ type: 'call', method: 'auth.sendCode', params: { phone: '+9996610501', admin: true } });
    assert.equal(extra.type === 'error' && extra.code, 'PARAMS_INVALID');
    const empty = await client.request({ type: 'call', method: 'account.setPrivacy', params: {} });
    assert.equal(empty.type === 'error' && empty.code, 'AUTH_KEY_UNREGISTERED');
    const signedOut = await client.request({ type: 'call', method: 'messages.getChats', params: {} });
    assert.equal(signedOut.type === 'error' && signedOut.code, 'AUTH_KEY_UNREGISTERED');
    client.close();
  });

  test('[PRO8] the server sends text frames only: answers, and pushes serialised once for all their recipients', async () => {
    const ann = await RawClient.open(t.server.wsUrl);
    const bob = await RawClient.open(t.server.wsUrl);
    const kinds: boolean[] = [];
    for (const client of [ann, bob]) client.ws.on('message', (_data, isBinary) => kinds.push(isBinary));
    const a = await signUpTestUser(ann, '+9996610701', 'Ann');
    await signUpTestUser(bob, '+9996620701', 'Bob');
    const group = await bob.call('chats.createGroup', { title: 'Text frames', userIds: [a.user.id] });
    await bob.call('messages.send', { peer: { type: 'chat', chatId: group.chat.id }, text: 'pushed', randomId: 'pro7-pushed-xxxx' });
    await ann.waitForChatUpdates((updates) => updates.some((u) => u.update.type === 'newMessage'));
    assert.ok(ann.frames.some((frame) => frame.type === 'update') && ann.frames.some((frame) => frame.type === 'chatUpdate'), 'pushes of both kinds arrived');
    assert.ok(kinds.length >= ann.frames.length + bob.frames.length - 4, 'every frame was seen');
    assert.deepEqual(kinds.filter((isBinary) => isBinary), [], 'no binary frame');
    ann.close();
    bob.close();
  });

  test('[PRO4] a frame over 64 KiB closes only its own connection', async () => {
    const big = await RawClient.open(t.server.wsUrl);
    const other = await RawClient.open(t.server.wsUrl);
    await signUpTestUser(other, '+9996610502', 'Other');
    await big.hello();
    big.sendRaw('x'.repeat(65 * 1024));
    assert.equal((await big.closed()).code, 1009);
    assert.equal((await other.call('users.getSelf')).user.displayName, 'Other');
    other.close();
  });

  test('[PRO5] a flooding connection gets FLOOD_WAIT with a retry-after, then is closed, and others are served', async () => {
    const flooder = await RawClient.open(t.server.wsUrl);
    const other = await RawClient.open(t.server.wsUrl, { localAddress: '127.0.0.3' });
    await other.hello();
    await flooder.hello();
    for (let i = 0; i < 2000; i++) flooder.sendRaw(JSON.stringify({ type: 'call', id: 10_000 + i, method: 'updates.getState', params: {} }));
    const closed = await flooder.closed();
    assert.equal(closed.code, 4008);
    const waits = flooder.frames.filter((f) => f.type === 'error' && f.code === 'FLOOD_WAIT');
    assert.ok(waits.length > 0);
    assert.ok(waits.every((f) => f.type === 'error' && (f.retryAfterSeconds ?? 0) >= 1));
    assert.ok(waits.every((f) => f.type === 'error' && typeof f.id === 'number' && f.id >= 10_000), 'each refusal names its call');
    const hello = await other.hello();
    assert.equal(hello.type, 'result');
    other.close();
  });

  test('the landing page and health check answer over HTTP', async () => {
    const page = await fetch(`${t.server.httpUrl}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Samizdat/);
    const health = await (await fetch(`${t.server.httpUrl}/healthz`)).json();
    assert.deepEqual(health, { ok: true, protocolVersion: PROTOCOL_VERSION, pid: health.pid });
    assert.ok(t.server.servingPids().includes(health.pid), 'the pid is of a process that serves');
    assert.equal((await fetch(`${t.server.httpUrl}/nope`)).status, 404);
  });
});

describe('a steady flood', () => {
  test('[PRO5] a connection sending steadily above its rate is closed, though the refilling bucket lets the odd frame through', async () => {
    const t = await startTestServer({ connectionLimits: { frames: { capacity: 2, perSecond: 50 }, floodStrikesBeforeClose: 20 } });
    try {
      const flooder = await RawClient.open(t.server.wsUrl);
      await flooder.hello();
      let closedCode: number | undefined;
      void flooder.closed().then(({ code }) => (closedCode = code));
      // Four frames per token: every fourth one is accepted, the rest refused.
      for (let i = 0; i < 200 && closedCode === undefined; i++) {
        if (flooder.ws.readyState === flooder.ws.OPEN) flooder.sendRaw(JSON.stringify({ type: 'call', id: i + 1, method: 'updates.getState', params: {} }));
        await new Promise((done) => setTimeout(done, 5));
      }
      const accepted = flooder.frames.filter((f) => f.type === 'error' && f.code !== 'FLOOD_WAIT');
      assert.ok(accepted.length > 0, 'some frames got through between refusals');
      const closed = await Promise.race([flooder.closed(), new Promise((done) => setTimeout(() => done('still open'), 3000))]);
      assert.deepEqual(closed, { code: 4008 });
    } finally {
      await t.stop();
    }
  });
});

describe('dead connections', () => {
  test('[PRO7] a connection that never says hello is closed with 4002', async () => {
    const t = await startTestServer({ connectionLimits: { helloTimeoutMs: 100 } });
    try {
      const silent = await RawClient.open(t.server.wsUrl);
      const polite = await RawClient.open(t.server.wsUrl);
      await polite.hello();
      assert.equal((await silent.closed()).code, 4002);
      await new Promise((done) => setTimeout(done, 150));
      assert.equal(polite.ws.readyState, polite.ws.OPEN);
      polite.close();
    } finally {
      await t.stop();
    }
  });

  test('[PRO7] a peer that stops answering pings is dropped, one that answers is kept', async () => {
    const t = await startTestServer({ connectionLimits: { heartbeatIntervalMs: 50 } });
    try {
      const vanished = await RawClient.open(t.server.wsUrl);
      const alive = await RawClient.open(t.server.wsUrl);
      await vanished.hello();
      await alive.hello();
      // Stop reading the socket: pings go unanswered, as with a phone that lost its signal.
      (vanished.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      await new Promise((done) => setTimeout(done, 400));
      assert.equal(alive.ws.readyState, alive.ws.OPEN);
      assert.equal((await alive.call('updates.getState').catch((e: { code: string }) => e.code)), 'AUTH_KEY_UNREGISTERED');
      (vanished.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      const dropped = await Promise.race([vanished.closed(), new Promise((done) => setTimeout(() => done('still open'), 2000))]);
      assert.notEqual(dropped, 'still open', 'the server did not drop the silent peer');
      alive.close();
    } finally {
      await t.stop();
    }
  });
});
