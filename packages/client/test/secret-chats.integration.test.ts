import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
// The server is started in-process for these tests only; the SDK itself never imports it.
import { createMemoryLogger, type RunningServer } from '@samizdat/server';
import { startServerUnderTest } from '@samizdat/server/testing';
import { WebSocket } from 'ws';
import { MemoryStore } from '../src/client-store.ts';
import { bytesSource } from '../src/file-source.ts';
import { SamizdatClient } from '../src/samizdat-client.ts';
import { SecretChats, type SecretChatsEvents } from '../src/secret/secret-chats.ts';
import type { SecretMessage } from '../src/secret/secret-history.ts';
import { MemorySecretStore } from '../src/secret/secret-state.ts';
import { FakeTimers } from '../src/testing/fake-timers.ts';
import { DeviceKeys } from '@samizdat/crypto';

let dataDir: string;
let server: RunningServer;
const logger = createMemoryLogger();
const open: { client: SamizdatClient; secret: SecretChats }[] = [];
/** One clock for every device: self-destruct countdowns are driven by hand. */
const clock = new FakeTimers(Date.now());

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samizdat-secret-'));
  server = await startServerUnderTest({ port: 0, host: '127.0.0.1', dataDir, testNumbers: true, logger });
});

after(async () => {
  for (const { client, secret } of open) {
    await secret.close();
    await client.close();
  }
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Device {
  name: string;
  client: SamizdatClient;
  secret: SecretChats;
  store: MemoryStore;
  secretStore: MemorySecretStore;
  events: { [E in keyof SecretChatsEvents]?: SecretChatsEvents[E][] };
}

/** Signs a device in (a fresh session, or the saved one in `stores`) and starts its secret chats. */
async function device(name: string, phone: string, stores = { store: new MemoryStore(), secretStore: new MemorySecretStore() }): Promise<Device> {
  const client = new SamizdatClient({ url: `ws://127.0.0.1:${server.port}/ws`, WebSocket, store: stores.store, reconnect: { minDelayMs: 20, maxDelayMs: 200 }, requestTimeoutMs: 10_000 });
  const welcome = await client.connect();
  if (welcome.user === null) {
    const code = phone.charAt(6).repeat(5);
    const { phoneCodeHash } = await client.sendCode(phone);
    const result = await client.signIn({ phone, phoneCodeHash, code });
    if (result.type === 'signUpRequired') await client.signUp({ phone, phoneCodeHash, code, displayName: name.replace(/\d/g, '') });
  }
  const secret = new SecretChats(client, { store: stores.secretStore, timers: clock });
  const d: Device = { name, client, secret, ...stores, events: {} };
  for (const event of ['message', 'messageEdited', 'messagesDeleted', 'reaction', 'timerChanged', 'read', 'devicesChanged', 'decryptFailed', 'error'] as const) {
    secret.on(event, (payload) => ((d.events[event] ??= []) as unknown[]).push(payload));
  }
  await secret.start();
  open.push({ client, secret });
  return d;
}

async function stop(d: Device): Promise<void> {
  await d.secret.close();
  await d.client.close();
}

/** Waits until `check` holds, polling; fails with `what` after 10 s. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const texts = (d: Device, peer: number) => (d.secret.chat(peer)?.history ?? []).filter((e): e is SecretMessage => e.kind === 'message').map((m) => m.text);

test('[SDK35][SDK36][SDK37][SDK38][SDK39][SDK40] Alice with two devices and Bob with three talk in a secret chat, one device offline, with replies, edits, reactions, deletions, files and timers on every device', async () => {
  const alicePhone = '+9996650001';
  const bobPhone = '+9996650002';
  const a1 = await device('Alice1', alicePhone);
  const a2 = await device('Alice2', alicePhone);
  const b1 = await device('Bob1', bobPhone);
  const b2 = await device('Bob2', bobPhone);
  const b3 = await device('Bob3', bobPhone);
  const alice = a1.client.user!.id;
  const bob = b1.client.user!.id;
  const everyone = [a1, a2, b1, b2, b3];

  // Bob's third device goes offline.
  const b3Stores = { store: b3.store, secretStore: b3.secretStore };
  await stop(b3);
  const online = [a1, a2, b1, b2];

  await a1.secret.startChat(bob);
  const hello = await a1.secret.sendText(bob, 'Hello Bob, this is secret');
  await a1.secret.flush();
  const peerOf = (d: Device) => (d.client.user!.id === alice ? bob : alice);
  await until('every online device has the first message', () => online.every((d) => texts(d, peerOf(d)).includes('Hello Bob, this is secret')));
  assert.deepEqual(a2.events.message?.map((e) => [e.peerUserId, e.message.senderUserId]), [[bob, alice]], "Alice's other device shows her message in the chat with Bob");

  const reply = await b2.secret.sendText(alice, 'Hi Alice!', { replyToId: hello.id });
  await b2.secret.flush();
  await until('every online device has the reply', () => online.every((d) => texts(d, peerOf(d)).includes('Hi Alice!')));
  const replyOnA2 = a2.secret.chat(bob)!.history.find((e): e is SecretMessage => e.kind === 'message' && e.id === reply.id)!;
  assert.equal(replyOnA2.replyToId, hello.id);

  // The offline device comes back with its saved session and catches up, in order.
  const b3Back = await device('Bob3', bobPhone, b3Stores);
  await until('the returning device has both messages', () => texts(b3Back, alice).length === 2);
  assert.deepEqual(texts(b3Back, alice), ['Hello Bob, this is secret', 'Hi Alice!']);
  const all = [a1, a2, b1, b2, b3Back];

  await a1.secret.edit(bob, hello.id, 'Hello Bob (edited)');
  await b1.secret.react(alice, hello.id, '👍');
  await a2.secret.delete(bob, [reply.id]);
  for (const d of [a1, a2, b1]) await d.secret.flush();
  await until('edits, reactions and deletions reach every device', () =>
    all.every((d) => {
      const history = texts(d, peerOf(d));
      const message = d.secret.chat(peerOf(d))!.history.find((e): e is SecretMessage => e.kind === 'message' && e.id === hello.id);
      return history.length === 1 && history[0] === 'Hello Bob (edited)' && message?.reactions[String(bob)] === '👍';
    }),
  );
  await assert.rejects(b1.secret.edit(alice, hello.id, 'forged'), (e: { code?: string }) => e.code === 'MESSAGE_AUTHOR_REQUIRED');

  // A file, encrypted on Alice's second device, opened on Bob's device that was offline.
  const marker = `FILEMARKER-${randomBytes(8).toString('hex')}`;
  const fileBytes = new Uint8Array(Buffer.concat([Buffer.from(marker), randomBytes(200_000), Buffer.from(marker)]));
  const sentFile = await a2.secret.sendFile(bob, bytesSource(fileBytes), { name: 'plans.pdf', mimeType: 'application/pdf', caption: 'the plans' });
  await a2.secret.flush();
  await until('the file message arrives', () => b3Back.secret.chat(alice)!.history.some((e) => e.kind === 'message' && e.id === sentFile.id));
  const received = b3Back.secret.chat(alice)!.history.find((e): e is SecretMessage => e.kind === 'message' && e.id === sentFile.id)!;
  assert.equal(received.file?.name, 'plans.pdf');
  const parts: Uint8Array[] = [];
  const size = await b3Back.secret.downloadFile(received.file!, (bytes) => void parts.push(bytes.slice()));
  assert.equal(size, fileBytes.length);
  assert.deepEqual(new Uint8Array(Buffer.concat(parts)), fileBytes);

  // Self-destruct: Bob sets 5 s; Alice's next message disappears everywhere 5 s after Bob reads it.
  await b1.secret.setTimer(alice, 5);
  await b1.secret.flush();
  await until('every device has the timer', () => all.every((d) => d.secret.chat(peerOf(d))!.ttlSeconds === 5));
  const vanishing = await a1.secret.sendText(bob, 'this will self-destruct');
  await a1.secret.flush();
  await until('the timed message arrives', () => all.every((d) => texts(d, peerOf(d)).includes('this will self-destruct')));
  assert.ok(await b2.secret.markRead(alice).then((ids) => ids.includes(vanishing.id)));
  await b2.secret.flush();
  await until('every device saw it read', () => all.every((d) => d.secret.chat(peerOf(d))!.history.some((e) => e.kind === 'message' && e.id === vanishing.id && e.expiresAt !== null)));
  await clock.advance(4_000);
  assert.ok(all.every((d) => texts(d, peerOf(d)).includes('this will self-destruct')), 'still there before its time');
  await clock.advance(1_500);
  await until('it is gone from every device', () => all.every((d) => !texts(d, peerOf(d)).includes('this will self-destruct')));
  for (const d of all) assert.ok(d.events.messagesDeleted?.some((e) => e.reason === 'expired' && e.ids.includes(vanishing.id)), `${d.name} reports it expired`);

  for (const d of everyone) assert.deepEqual(d.events.decryptFailed ?? [], [], `${d.name} opened every envelope`);
  for (const d of all) assert.deepEqual(d.events.error ?? [], [], `${d.name} had no background error`);

  // Nothing of it reached the server in the clear: not its files (database, WAL, uploads) nor its logs.
  const secrets = ['Hello Bob', 'Hi Alice!', 'self-destruct', marker, 'plans.pdf', 'the plans'];
  for (const path of filesUnder(dataDir)) {
    const content = readFileSync(path);
    for (const s of secrets) assert.equal(content.includes(s), false, `${path} holds "${s}"`);
  }
  // Nor did a private key: the identity secrets of every device stayed on it.
  const identitySecrets = everyone.map((d) => (JSON.parse(d.secretStore.state!.keys) as { identitySecret: string }).identitySecret);
  for (const path of filesUnder(dataDir)) {
    const content = readFileSync(path, 'latin1');
    for (const key of identitySecrets) assert.equal(content.includes(key), false, `${path} holds a private key`);
  }
  const logged = logger.lines.join("\n");
  for (const s of secrets) assert.equal(logged.includes(s), false, `the log holds "${s}"`);
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('[SDK41][SDK42] a new device of the peer is a visible change: announced, in the history, and in a changed safety number that both sides compute alike', async () => {
  const alicePhone = '+9996650011';
  const bobPhone = '+9996650012';
  const a1 = await device('Alice1', alicePhone);
  const b1 = await device('Bob1', bobPhone);
  const alice = a1.client.user!.id;
  const bob = b1.client.user!.id;
  await a1.secret.startChat(bob);
  await a1.secret.sendText(bob, 'before');
  await a1.secret.flush();
  await until('Bob has it', () => texts(b1, alice).includes('before'));
  const before = await a1.secret.safetyNumber(bob);
  assert.equal(before.digits, (await b1.secret.safetyNumber(alice)).digits, 'both sides compute the same number');
  assert.deepEqual(before.emoji, (await b1.secret.safetyNumber(alice)).emoji);
  assert.match(before.digits, /^\d{60}$/);

  // Bob signs in on a new device. Alice's next message reaches it too, and Alice is shown the change.
  const b2 = await device('Bob2', bobPhone);
  await a1.secret.sendText(bob, 'after');
  await a1.secret.flush();
  await until("Bob's new device has the message", () => texts(b2, alice).includes('after'));
  assert.deepEqual(texts(b2, alice), ['after'], 'a new device gets what is sent from then on, not the past');
  assert.deepEqual(a1.events.devicesChanged?.find((e) => e.userId === bob), { userId: bob, added: [b2.secret.deviceId], removed: [] });
  assert.ok(
    a1.secret.chat(bob)!.history.some((e) => e.kind === 'service' && e.action.type === 'devicesChanged' && e.action.added.includes(b2.secret.deviceId)),
    'the change is written into the chat history',
  );
  const afterNumber = await a1.secret.safetyNumber(bob);
  assert.notEqual(afterNumber.digits, before.digits, 'the safety number changed');
  assert.equal(afterNumber.digits, (await b2.secret.safetyNumber(alice)).digits);
});

test('[SDK43] a tampered envelope is refused and reported, a replayed one dropped, and the conversation goes on', async () => {
  const a1 = await device('Alice1', '+9996650021');
  const b1 = await device('Bob1', '+9996650022');
  const alice = a1.client.user!.id;
  const bob = b1.client.user!.id;
  await a1.secret.sendText(bob, 'first');
  await a1.secret.flush();
  await until('Bob has the first message', () => texts(b1, alice).includes('first'));

  // Bob's secret chats stop; someone on the path takes Alice's next envelope and alters one bit of it.
  await b1.secret.close();
  await a1.secret.sendText(bob, 'second');
  await a1.secret.flush();
  const [taken] = (await b1.client.call('secret.getEnvelopes', {})).envelopes;
  await b1.client.call('secret.ack', { qts: taken!.qts });
  const tampered = Buffer.from(taken!.ciphertext, 'base64');
  tampered[tampered.length - 20]! ^= 0x01;
  await a1.client.call('secret.sendEnvelopes', { envelopes: [{ deviceId: b1.secret.deviceId, ciphertext: tampered.toString('base64') }] });
  await a1.client.call('secret.sendEnvelopes', { envelopes: [{ deviceId: b1.secret.deviceId, ciphertext: taken!.ciphertext }] });
  // And replays it once it was delivered.
  await a1.client.call('secret.sendEnvelopes', { envelopes: [{ deviceId: b1.secret.deviceId, ciphertext: taken!.ciphertext }] });

  const failed: unknown[] = [];
  const restarted = new SecretChats(b1.client, { store: b1.secretStore, timers: clock });
  restarted.on('decryptFailed', (e) => failed.push(e));
  await restarted.start();
  open.push({ client: b1.client, secret: restarted });
  await restarted.sync();
  const bobTexts = () => (restarted.chat(alice)?.history ?? []).filter((e): e is SecretMessage => e.kind === 'message').map((m) => m.text);
  assert.deepEqual(bobTexts(), ['first', 'second'], 'the genuine envelope opened, once');
  assert.equal(failed.length, 1, 'only the tampered envelope is reported; the replay is dropped silently');
  assert.equal((failed[0] as { senderUserId: number }).senderUserId, alice);
  await a1.secret.sendText(bob, 'third');
  await a1.secret.flush();
  await until('the next message still opens', () => bobTexts().includes('third'));
});

test('[SDK44] two processes sharing one device\'s store never advance a ratchet from the same state', async () => {
  const a1 = await device('Alice1', '+9996650031');
  const b1 = await device('Bob1', '+9996650032');
  const alice = a1.client.user!.id;
  const bob = b1.client.user!.id;
  await a1.secret.sendText(bob, 'one session first');
  await a1.secret.flush();
  await until('Bob has it', () => texts(b1, alice).length === 1);
  await a1.secret.close();
  // Two SecretChats on Alice's one device (as a `listen` and a `send` in two terminals), sharing a locked store.
  const shared = new LockedStore(a1.secretStore);
  const first = new SecretChats(a1.client, { store: shared, timers: clock });
  const second = new SecretChats(a1.client, { store: shared, timers: clock });
  await first.start();
  await second.start();
  open.push({ client: a1.client, secret: first }, { client: a1.client, secret: second });
  for (let i = 0; i < 3; i++) {
    await first.sendText(bob, `from the first ${i}`);
    await first.flush();
    await second.sendText(bob, `from the second ${i}`);
    await second.flush();
  }
  await until('Bob has all six', () => texts(b1, alice).length === 7);
  assert.deepEqual(texts(b1, alice).slice(1), [0, 1, 2].flatMap((i) => [`from the first ${i}`, `from the second ${i}`]));
  assert.deepEqual(b1.events.decryptFailed ?? [], []);
});

/** A store whose `exclusive` is a lock shared by every SecretChats using it, as a lock file is across processes. */
class LockedStore {
  #tail: Promise<unknown> = Promise.resolve();
  constructor(private readonly inner: MemorySecretStore) {}
  load() {
    return this.inner.load();
  }
  save(state: Parameters<MemorySecretStore['save']>[0]) {
    return this.inner.save(state);
  }
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task, task);
    this.#tail = run.catch(() => {});
    return run;
  }
}

test('[SDK44] when the server says the one-time prekeys run low, the device makes and uploads more', async () => {
  const a1 = await device('Alice1', '+9996650041');
  const b1 = await device('Bob1', '+9996650042');
  const localStock = () => DeviceKeys.deserialize(b1.secretStore.state!.keys).oneTimePrekeyCount;
  assert.equal(localStock(), 100);
  assert.equal(b1.secret.serverPrekeyStock, 100);
  // Someone draws Bob's bundles until fewer than ten one-time prekeys are left.
  for (let i = 0; i < 95; i++) await a1.client.call('secret.getBundle', { deviceId: b1.secret.deviceId });
  // Draws may go on while the upload is under way, so the stock comes back to nearly 100.
  await until('Bob uploaded more one-time prekeys', () => (b1.secret.serverPrekeyStock ?? 0) >= 90);
  assert.ok(localStock() > 100 && localStock() <= 100 + 2 * 95, `a burst of reports costs at most two uploads, not one each (stock ${localStock()})`);
  const drawn = [];
  for (let i = 0; i < 20; i++) drawn.push((await a1.client.call('secret.getBundle', { deviceId: b1.secret.deviceId })).bundle.oneTimePrekey);
  assert.ok(drawn.every((key) => key !== null), 'the server was given the new ones');
});
