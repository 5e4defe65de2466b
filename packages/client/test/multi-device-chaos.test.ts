import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Message } from '@samizdat/protocol';
import { createMemoryLogger, startCluster, startServer } from '@samizdat/server';
import { WebSocket } from 'ws';
import { SamizdatClient } from '../src/index.ts';
import { FlakyProxy } from './flaky-proxy.ts';

const TOTAL_MESSAGES = 1000;
const DEVICES_PER_USER = 3;

/** Signs a new device of a test number in through the SDK. */
async function signedInDevice(url: string, phone: string, name: string, device: number): Promise<SamizdatClient> {
  const client = new SamizdatClient({ url, WebSocket: WebSocket as never, reconnect: { minDelayMs: 10, maxDelayMs: 200 }, gapTimeoutMs: 100 });
  await client.connect();
  const { phoneCodeHash } = await client.sendCode(phone);
  const code = phone.charAt(6).repeat(5);
  const result = await client.signIn({ phone, phoneCodeHash, code, deviceName: `device ${device}` });
  if (result.type === 'signUpRequired') await client.signUp({ phone, phoneCodeHash, code, displayName: name });
  return client;
}

async function until(predicate: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out: ${describe()}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

test('[SDK][UPD1][UPD2][MSG2] two users on three devices each exchange 1,000 messages while connections are cut at random; every device ends with all of them, once, in order', async (t) => {
  await exchangeUnderChaos(t, 1);
});

test('[SDK][UPD1][UPD2][MSG2][CL2] the same, with the server as two worker processes: devices of one user on different workers', async (t) => {
  await exchangeUnderChaos(t, 2);
});

async function exchangeUnderChaos(t: TestContext, workers: 1 | 2): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samizdat-chaos-'));
  const options = { port: 0, host: '127.0.0.1', dataDir, testNumbers: true, logger: createMemoryLogger() };
  const server = workers === 1 ? await startServer(options) : await startCluster({ ...options, workers });
  const proxy = await FlakyProxy.start(server.port);
  const url = `ws://127.0.0.1:${proxy.port}/ws`;
  const devices: SamizdatClient[] = [];
  let chaos: NodeJS.Timeout | undefined;
  try {
    for (let i = 0; i < DEVICES_PER_USER; i++) devices.push(await signedInDevice(url, '+9996610901', 'Alice', i));
    for (let i = 0; i < DEVICES_PER_USER; i++) devices.push(await signedInDevice(url, '+9996620901', 'Bob', i));
    const aliceId = devices[0]!.user!.id;
    const bobId = devices[DEVICES_PER_USER]!.user!.id;
    const received = devices.map(() => [] as Message[]);
    devices.forEach((device, index) => device.on('message', (message) => received[index]!.push(message)));

    // Cut a random connection every 15 ms for as long as messages flow.
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    chaos = setInterval(() => proxy.cutOne(random()), 15);

    // Each device sends its share one after another, as a person typing would; all six type at once.
    const perDevice = TOTAL_MESSAGES / devices.length;
    const sends = devices.map(async (device, index) => {
      const peer = { type: 'user' as const, userId: index < DEVICES_PER_USER ? bobId : aliceId };
      const count = Math.floor(perDevice) + (index < TOTAL_MESSAGES % devices.length ? 1 : 0);
      const pending: Promise<Message>[] = [];
      for (let n = 0; n < count; n++) {
        pending.push(device.sendMessage(peer, `device ${index} message ${n}`));
        if (n % 10 === 9) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
    });
    await Promise.all(sends);
    await until(
      () => received.every((list) => list.length >= TOTAL_MESSAGES),
      120_000,
      () => `received ${received.map((list) => list.length).join(', ')}`,
    );
    clearInterval(chaos);
    await new Promise((done) => setTimeout(done, 300));
    t.diagnostic(`connections cut: ${proxy.cuts}`);
    assert.ok(proxy.cuts > 20, `only ${proxy.cuts} cuts`);

    const expectedTexts = new Set(Array.from({ length: devices.length }, (_, index) => index).flatMap((index) => {
      const count = Math.floor(perDevice) + (index < TOTAL_MESSAGES % devices.length ? 1 : 0);
      return Array.from({ length: count }, (_, n) => `device ${index} message ${n}`);
    }));
    for (const [index, list] of received.entries()) {
      assert.equal(list.length, TOTAL_MESSAGES, `device ${index} got ${list.length}`);
      assert.deepEqual(list.map((m) => m.id), Array.from({ length: TOTAL_MESSAGES }, (_, i) => i + 1), `device ${index}: once each, in order`);
      assert.deepEqual(new Set(list.map((m) => m.text)), expectedTexts, `device ${index}: exactly the texts sent`);
      assert.deepEqual(list, received[0], `device ${index} agrees with device 0`);
    }
    // Each device's own messages appear in the order it sent them.
    for (let index = 0; index < devices.length; index++) {
      const own = received[0]!.filter((m) => m.text.startsWith(`device ${index} `)).map((m) => Number(m.text.split(' ').at(-1)));
      assert.deepEqual(own, [...own].sort((a, b) => a - b), `device ${index}'s messages keep their order`);
    }
    for (const device of devices) assert.equal(device.outbox.length, 0);
  } finally {
    clearInterval(chaos);
    await Promise.all(devices.map((device) => device.close()));
    await proxy.stop();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
