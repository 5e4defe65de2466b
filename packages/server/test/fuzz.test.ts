import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compiled, METHOD_NAMES, PROTOCOL_VERSION, ServerFrame } from '@samizdat/protocol';
import { spawnServer } from './child-server.ts';
import { RawClient, signUpTestUser } from './harness.ts';

/** A small seeded generator, so a failing run can be replayed with the seed it prints. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}

type Rng = ReturnType<typeof prng>;

const NASTY_STRINGS = ['', ' ', '\u0000', '\ud800', '😀'.repeat(50), 'a'.repeat(5000), '<script>', "'; DROP TABLE users; --", '__proto__', 'constructor', '+9996610001', '@user_name', '0', '-1', '1e309', 'null'];

function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 3 ? 6 : 9)) {
    case 0: return rng.pick(NASTY_STRINGS);
    case 1: return rng.pick([0, -1, 1, 2 ** 53, -(2 ** 63), 1.5, Number.MAX_SAFE_INTEGER, 7, 100_001]);
    case 2: return rng.pick([true, false, null]);
    case 3: return String.fromCharCode(...Array.from({ length: rng.int(20) }, () => rng.int(0xffff)));
    case 4: return rng.int(1000);
    case 5: return rng.pick(METHOD_NAMES);
    case 6: return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      const keys = ['type', 'id', 'method', 'params', 'peer', 'userId', 'chatId', 'text', 'randomId', 'phone', 'code', 'pts', 'limit', 'offsetId', 'maxId', 'username', '__proto__', 'token'];
      for (let i = rng.int(5); i > 0; i--) object[rng.pick(keys)] = randomValue(rng, depth + 1);
      return object;
    }
  }
}

/** Plausible params for each method, so that mutations reach the handlers and not only the schema check. */
function plausibleParams(rng: Rng, method: string, selfId: number, otherId: number): Record<string, unknown> {
  const peer = rng.pick([{ type: 'user', userId: otherId }, { type: 'user', userId: selfId }, { type: 'chat', chatId: 1 }, { type: 'user', userId: 424242 }]);
  const params: Record<string, Record<string, unknown>> = {
    'auth.sendCode': { phone: rng.pick(['+9996650001', '+123', '+4915100000000']) },
    'auth.signIn': { phone: '+9996650001', phoneCodeHash: 'deadbeef', code: '55555' },
    'auth.signUp': { phone: '+9996650001', phoneCodeHash: 'deadbeef', code: '55555', displayName: 'Fuzz' },
    'account.terminateSession': { sessionId: rng.int(50) + 1 },
    'account.updateProfile': { displayName: rng.pick(NASTY_STRINGS) },
    'account.setUsername': { username: rng.pick(['fuzzer_name', null, 'bad', 'x'.repeat(40)]) },
    'account.setPrivacy': { phoneVisibility: rng.pick(['everybody', 'nobody', 'contacts']) },
    'users.getUsers': { userIds: [selfId, otherId, rng.int(1000) + 1] },
    'users.resolveUsername': { username: rng.pick(['fuzzer_name', 'nobody_here', '']) },
    'users.resolvePhone': { phone: rng.pick(['+9996610401', '+9996620401', 'x']) },
    'messages.send': { peer, text: rng.pick(NASTY_STRINGS), randomId: `fuzz-${rng.int(1e9)}` },
    'messages.getHistory': { peer, offsetId: rng.int(100) + 1, limit: rng.int(100) + 1 },
    'messages.getChats': { limit: rng.int(500) + 1, offsetDate: rng.int(2e9) },
    'messages.readHistory': { peer, maxId: rng.int(100) + 1 },
    'updates.getDifference': { pts: rng.int(200), limit: rng.int(1000) + 1 },
    'updates.getChatDifference': { chatId: rng.int(5) + 1, pts: rng.int(50) },
    'messages.forward': { fromPeer: peer, messageIds: [rng.int(20) + 1], toPeer: peer, randomIds: [`fuzz-${rng.int(1e9)}`] },
    'messages.edit': { peer, messageId: rng.int(20) + 1, text: rng.pick(NASTY_STRINGS) },
    'messages.delete': { peer, messageIds: [rng.int(20) + 1], forEveryone: rng.int(2) === 0 },
    'messages.react': { peer, messageId: rng.int(20) + 1, emoji: rng.pick(['👍', 'x', null, '🔥', '']) },
    'messages.pin': { peer, messageId: rng.pick([null, rng.int(20) + 1]) },
    'messages.setTyping': { peer, action: rng.pick(['typing', 'cancel']) },
    'messages.saveDraft': { peer, text: rng.pick(NASTY_STRINGS).slice(0, 4096) },
    'messages.search': { peer, query: rng.pick(['a', 'fuzz', '%', '_']) },
    'messages.getViews': { peer, messageIds: [rng.int(20) + 1], increment: true },
    'chats.createGroup': { title: rng.pick(NASTY_STRINGS).slice(0, 256), userIds: [otherId] },
    'chats.createChannel': { title: rng.pick(NASTY_STRINGS).slice(0, 256), username: rng.pick(['fuzz_channel', 'x', undefined]) },
    'chats.get': { chatId: rng.int(5) + 1 },
    'chats.join': { chatId: rng.int(5) + 1 },
    'chats.leave': { chatId: rng.int(5) + 1 },
    'chats.addMembers': { chatId: rng.int(5) + 1, userIds: [otherId, selfId] },
    'chats.ban': { chatId: rng.int(5) + 1, userId: rng.pick([otherId, selfId]), untilDate: null },
    'chats.setAdmin': { chatId: rng.int(5) + 1, userId: otherId, rights: null },
    'chats.exportInviteLink': { chatId: rng.int(5) + 1 },
    'chats.joinByLink': { hash: rng.pick(['x', 'abcdefghijklmnop']) },
    'chats.search': { query: rng.pick(['a', '%', 'fuzz']) },
    'chats.getMembers': { chatId: rng.int(5) + 1 },
  };
  return Object.hasOwn(params, method) ? params[method]! : {};
}

/** Changes one thing about a value: a field dropped, retyped or added, or the whole thing replaced. */
function mutate(rng: Rng, value: Record<string, unknown>): unknown {
  const copy: Record<string, unknown> = structuredClone(value);
  const keys = Object.keys(copy);
  switch (rng.int(5)) {
    case 0: if (keys.length > 0) delete copy[rng.pick(keys)]; return copy;
    case 1: if (keys.length > 0) copy[rng.pick(keys)] = randomValue(rng); return copy;
    case 2: copy[rng.pick(['extra', 'id', 'type', 'nested'])] = randomValue(rng); return copy;
    case 3: return randomValue(rng);
    default: return copy;
  }
}

function fuzzFrame(rng: Rng, selfId: number, otherId: number): string | Buffer {
  const kind = rng.int(100);
  if (kind < 5) return Buffer.from(Array.from({ length: rng.int(64) }, () => rng.int(256)));
  if (kind < 12) return String.fromCharCode(...Array.from({ length: rng.int(80) }, () => rng.int(128)));
  if (kind < 18) {
    const json = JSON.stringify({ type: 'call', id: rng.int(1e6), method: rng.pick(METHOD_NAMES), params: {} });
    return json.slice(0, rng.int(json.length));
  }
  if (kind < 22) return JSON.stringify({ type: 'hello', id: rng.int(1e6), protocolVersion: rng.pick([PROTOCOL_VERSION, 0, 99, -1]), ...(rng.int(2) ? { token: rng.pick(NASTY_STRINGS) } : {}) });
  if (kind < 30) return JSON.stringify(randomValue(rng));
  const method = rng.int(10) === 0 ? rng.pick(['messages.sendX', 'auth', '', 'toString', '__proto__']) : rng.pick(METHOD_NAMES);
  const call = { type: 'call', id: rng.int(1e6), method, params: plausibleParams(rng, method, selfId, otherId) };
  if (kind < 55) return JSON.stringify(call);
  if (kind < 75) return JSON.stringify({ ...call, params: mutate(rng, call.params) });
  return JSON.stringify(mutate(rng, call));
}

/**
 * Says hello and tells whether it was answered (true) or the server closed the connection first:
 * an oversized frame closes it, and so does a fuzzed `account.terminateSession` that ends the
 * session this hello signs in with, even while the hello is being answered.
 */
function helloOrClosed(client: RawClient, token: string | undefined): Promise<boolean> {
  return Promise.race([client.hello(token).then(() => true), client.closed().then(() => false)]);
}

test('[PRO1][PRO2][PRO6] 100,000 random and mutated frames get typed answers, and the server still serves a normal client', async (t) => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  const rng = prng(seed);
  const dataDir = mkdtempSync(join(tmpdir(), 'samizdat-fuzz-'));
  const server = await spawnServer({ dataDir, connectionLimits: { frames: { capacity: 1_000_000, perSecond: 1_000_000 }, maxInFlight: 1_000_000 } });
  const checkServerFrame = compiled(ServerFrame);
  try {
    const alice = await RawClient.open(server.wsUrl);
    const bob = await RawClient.open(server.wsUrl);
    const a = await signUpTestUser(alice, '+9996610401', 'Alice');
    const b = await signUpTestUser(bob, '+9996620401', 'Bob');
    // Stored data the fuzzing account cannot touch by legitimate calls: a chat between two others.
    const dave = await RawClient.open(server.wsUrl, { localAddress: '127.0.0.4' });
    const d = await signUpTestUser(dave, '+9996640401', 'Dave');
    const before = await bob.call('messages.send', { peer: { type: 'user', userId: d.user.id }, text: 'sent before the fuzz', randomId: 'before-fuzz-1' });

    let sent = 0;
    let answers = 0;
    let internalErrors = 0;
    let badFrames = 0;
    let closes = 0;
    const TOTAL = 100_000;
    const WORKERS = 4;
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, worker) => {
        let client: RawClient | null = null;
        let seen = 0;
        const account = worker % 2 === 0 ? a.token : null;
        while (sent < TOTAL) {
          if (client === null) {
            client = await RawClient.open(server.wsUrl);
            seen = 0;
            if (account && !(await helloOrClosed(client, account))) closes++;
          }
          for (let i = 0; i < 200 && sent < TOTAL; i++, sent++) client.sendRaw(fuzzFrame(rng, a.user.id, b.user.id));
          if (rng.int(50) === 0) {
            sent++;
            client.sendRaw('x'.repeat(70_000));
          }
          if (!(await helloOrClosed(client, account ?? undefined))) closes++;
          for (const frame of client.frames.slice(seen)) {
            answers++;
            if (!checkServerFrame.Check(frame)) badFrames++;
            if (frame.type === 'error' && frame.code === 'INTERNAL') internalErrors++;
          }
          seen = client.frames.length;
          if (client.ws.readyState !== client.ws.OPEN) client = null;
        }
        client?.close();
      }),
    );
    t.diagnostic(`seed ${seed}: ${sent} frames sent, ${answers} answers, ${closes} connections closed by the server`);
    assert.ok(sent >= TOTAL, `sent ${sent}`);
    assert.ok(answers > TOTAL / 2, `only ${answers} answers to ${sent} frames`);
    assert.equal(badFrames, 0, `seed ${seed}: the server sent frames outside its own schema`);
    assert.equal(internalErrors, 0, `seed ${seed}: ${internalErrors} frames caused INTERNAL errors:\n${server.stderr.filter((l) => l.includes('call.failed')).slice(0, 5).join('\n')}`);
    assert.ok(closes > 0, 'oversized frames closed their connections');
    assert.equal(server.process.exitCode, null, `seed ${seed}: the server died`);
    assert.ok(!server.stderr.some((line) => line.includes('cluster.worker_died')), `seed ${seed}: a worker died`);

    // A normal client (from another address: the fuzzer's own has used up its code requests) is
    // served as if nothing happened, and stored data is intact.
    const carol = await RawClient.open(server.wsUrl, { localAddress: '127.0.0.2' });
    const c = await signUpTestUser(carol, '+9996630401', 'Carol');
    const sentAfter = await carol.call('messages.send', { peer: { type: 'user', userId: b.user.id }, text: 'after the fuzz', randomId: 'after-fuzz-1' });
    await bob.waitForUpdates((updates) => updates.some((u) => u.type === 'newMessage' && u.message.randomId === 'after-fuzz-1'));
    assert.equal(sentAfter.message.text, 'after the fuzz');
    const history = await dave.call('messages.getHistory', { peer: { type: 'chat', chatId: before.message.chatId } });
    assert.deepEqual(history.messages, [before.message]);
    assert.equal(c.user.displayName, 'Carol');
    for (const client of [alice, bob, carol, dave]) client.close();
  } finally {
    server.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
