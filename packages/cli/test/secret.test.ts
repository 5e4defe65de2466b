/**
 * `samizdat secret …` and secret chats in `listen`, end to end: a real server in this process, the
 * CLI as child processes with temporary profiles. Alice has two devices (profiles), Bob one and
 * later a second; Bob's listen runs in the background throughout, so his one-shot commands share
 * his profile (and its secret.json) with a running process.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SafetyNumber, SecretMessage } from '@samizdat/client';
import { createMemoryLogger, type RunningServer } from '@samizdat/server';
import { startServerUnderTest } from '@samizdat/server/testing';
import { cli, Listener, ok } from './harness.ts';

const ALICE_PHONE = '+9996660001';
const BOB_PHONE = '+9996660002';
const CODE = '66666';

/** A `listen --json` line of a secret-chat event. */
interface SecretLine {
  secret: { event: string; peerUserId?: number; userId?: number; added?: number[]; deviceId?: number; message?: SecretMessage };
}

function secretLines(listener: Listener): SecretLine[] {
  return listener.lines.map((line) => JSON.parse(line) as Partial<SecretLine>).filter((value): value is SecretLine => value.secret !== undefined);
}

function digitsOf(text: string): string {
  return (text.match(/\b\d{5}\b/g) ?? []).join('');
}

describe('secret chats on the command line against a real server', () => {
  const logger = createMemoryLogger();
  let server: RunningServer;
  let scratch: string;
  let dataDir: string;
  let alice: string;
  let aliceLaptop: string;
  let bob: string;
  let bobTablet: string;
  let bobListener: Listener | undefined;
  let aliceId: number;
  let bobId: number;
  /** Texts that must never reach the server in the clear. */
  const marker = `SECRETMARKER-${randomBytes(6).toString('hex')}`;
  const secrets: string[] = [marker];
  let markerId = '';
  let verifiedDigits = '';

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'samizdat-cli-secret-'));
    dataDir = join(scratch, 'data');
    [alice, aliceLaptop, bob, bobTablet] = ['alice', 'alice-laptop', 'bob', 'bob-tablet'].map((name) => join(scratch, name)) as [string, string, string, string];
    server = await startServerUnderTest({ port: 0, dataDir, testNumbers: true, logger });
  });

  after(async () => {
    if (bobListener !== undefined) await bobListener.interrupt();
    await server?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  const login = (profile: string, phone: string, name: string) =>
    ok(['--json', 'login', '--server', server.httpUrl, '--phone', phone, '--code', CODE, '--name', name, '--device', name, '--profile', profile]).then(
      (stdout) => (JSON.parse(stdout) as { user: { id: number } }).user.id,
    );

  test('devices take part in secret chats once they run listen or a secret command', async () => {
    aliceId = await login(alice, ALICE_PHONE, 'Alice');
    [bobId] = await Promise.all([login(bob, BOB_PHONE, 'Bob'), login(aliceLaptop, ALICE_PHONE, 'Alice')]);
    bobListener = new Listener(['--json', '--profile', bob]);
    const [, laptopChats] = await Promise.all([
      bobListener.waitForLine((line) => line.includes('"event":"ready"'), 'secret chats ready', 20_000),
      ok(['secret', 'chats', '--profile', aliceLaptop]),
    ]);
    assert.equal(laptopChats, '', 'no secret chats yet');
  });

  test('a user without a secret-chat device cannot be started with: DEVICE_NOT_REGISTERED, exit 1', async () => {
    const carol = join(scratch, 'carol');
    await login(carol, '+9996660003', 'Carol');
    const run = await cli(['secret', 'start', '+9996660003', '--profile', alice]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^DEVICE_NOT_REGISTERED: Cannot start a secret chat with Carol: they have no device that takes part in secret chats yet/);
  });

  test("a message sent with secret send is decrypted by Bob's listen and shows on Alice's other device", async () => {
    const started = await ok(['secret', 'start', BOB_PHONE, '--profile', alice]);
    assert.match(started, /^Secret chat with Bob.*: end-to-end encrypted for 2 devices of yours and 1 device of theirs; self-destruct timer off\n/);
    assert.match(started, /samizdat secret verify \+9996660002\n$/, 'the hint names Bob as the command line did');
    const sent = JSON.parse(await ok(['--json', 'secret', 'send', BOB_PHONE, `hello ${marker}`, '--profile', alice])) as SecretMessage;
    assert.match(sent.id, /^[0-9a-f]{32}$/);
    markerId = sent.id;
    const line = JSON.parse(await bobListener!.waitForLine((text) => text.includes(marker), 'the secret message')) as SecretLine;
    assert.equal(line.secret.event, 'message');
    assert.equal(line.secret.peerUserId, aliceId);
    assert.equal(line.secret.message?.text, `hello ${marker}`);
    assert.equal(line.secret.message?.senderUserId, aliceId);
    const laptopHistory = await ok(['secret', 'history', BOB_PHONE, '--profile', aliceLaptop]);
    assert.match(laptopHistory, new RegExp(`^#${markerId.slice(0, 8)} \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d You: hello ${marker}$`, 'm'));
  });

  test('Bob replies from a second terminal while his listen runs on the same profile', async () => {
    const replyText = `reply ${marker}`;
    const replyId = (await ok(['secret', 'send', ALICE_PHONE, replyText, '--reply-to', markerId.slice(0, 6), '--profile', bob])).trim();
    assert.match(replyId, /^[0-9a-f]{32}$/);
    const history = JSON.parse(await ok(['--json', 'secret', 'history', BOB_PHONE, '--profile', alice])) as { kind: string; id?: string; text?: string; replyToId?: string }[];
    const reply = history.find((entry) => entry.id === replyId);
    assert.equal(reply?.text, replyText);
    assert.equal(reply?.replyToId, markerId);
    assert.deepEqual(history.filter((entry) => entry.kind === 'message').map((entry) => entry.text), [`hello ${marker}`, replyText]);
  });

  test('verify prints the same safety number on both sides', async () => {
    const [aliceView, bobView] = await Promise.all([
      ok(['secret', 'verify', BOB_PHONE, '--profile', alice]),
      ok(['--json', 'secret', 'verify', ALICE_PHONE, '--profile', bob]).then((stdout) => JSON.parse(stdout) as SafetyNumber),
    ]);
    assert.match(aliceView, /^Safety number with Bob.*:\n {2}\d{5} \d{5} \d{5} \d{5}\n {2}\d{5} \d{5} \d{5} \d{5}\n {2}\d{5} \d{5} \d{5} \d{5}\n/);
    assert.match(aliceView, /It covers 2 devices of yours and 1 device of theirs/);
    verifiedDigits = digitsOf(aliceView);
    assert.match(verifiedDigits, /^\d{60}$/);
    assert.equal(bobView.digits, verifiedDigits);
    assert.ok(aliceView.includes(bobView.emoji.join(' ')), 'the same emoji');
    assert.deepEqual([bobView.devices.mine.length, bobView.devices.theirs.length], [1, 2]);
  });

  test("a new device of Bob changes the safety number, and Alice's next send, history and Bob's listen say so", async () => {
    await login(bobTablet, BOB_PHONE, 'Bob');
    await ok(['secret', 'chats', '--profile', bobTablet]);
    const sent = await cli(['secret', 'send', BOB_PHONE, 'after the new device', '--profile', alice]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stderr, /⚠ safety number changed: Bob's devices changed \(\+1 −0\); run samizdat secret verify \+9996660002$/m);
    const [history, aliceNumber, tabletNumber] = await Promise.all([
      ok(['secret', 'history', BOB_PHONE, '--profile', alice]),
      ok(['--json', 'secret', 'verify', BOB_PHONE, '--profile', alice]).then((stdout) => JSON.parse(stdout) as SafetyNumber),
      ok(['--json', 'secret', 'verify', ALICE_PHONE, '--profile', bobTablet]).then((stdout) => JSON.parse(stdout) as SafetyNumber),
    ]);
    assert.match(history, /^⚠ \d{4}-\d\d-\d\d \d\d:\d\d safety number changed: Bob's devices changed \(\+1 −0\); run samizdat secret verify /m);
    assert.match(history, /You: after the new device$/m, 'the message after the change is in the history');
    assert.notEqual(aliceNumber.digits, verifiedDigits, 'the safety number changed');
    assert.equal(tabletNumber.digits, aliceNumber.digits, "Bob's new device computes the same new number");
    // Bob's listen learns of his own new device and gets the message sent to both of his devices.
    await bobListener!.waitForLine((line) => line.includes('after the new device'), "Alice's message after the change");
    const ownChange = secretLines(bobListener!).find((line) => line.secret.event === 'devicesChanged' && line.secret.userId === bobId);
    assert.ok(ownChange !== undefined && ownChange.secret.added?.length === 1, JSON.stringify(bobListener!.lines));
  });

  test('secret.json is private: mode 0600 in a 0700 profile folder', async () => {
    for (const profile of [alice, bob]) {
      assert.equal((await stat(join(profile, 'secret.json'))).mode & 0o777, 0o600, profile);
      assert.equal((await stat(profile)).mode & 0o777, 0o700, profile);
      assert.deepEqual((await readdir(profile)).filter((name) => name.startsWith('secret.lock')), [], 'no lock is left behind');
    }
  });

  test('forward refuses a secret message with SECRET_FORWARD_FORBIDDEN', async () => {
    const runs = await Promise.all([
      cli(['forward', BOB_PHONE, markerId, 'me', '--profile', alice]),
      cli(['forward', `secret:${BOB_PHONE}`, '1', 'me', '--profile', alice]),
    ]);
    for (const run of runs) {
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^SECRET_FORWARD_FORBIDDEN: Messages of a secret chat cannot be forwarded/);
      assert.equal(run.stdout, '');
    }
  });

  test('send-file encrypts on the device; download decrypts to the very same bytes', async () => {
    const fileMarker = `FILEMARKER-${randomBytes(6).toString('hex')}`;
    const caption = `caption ${marker}`;
    const name = `plans-${randomBytes(4).toString('hex')}.pdf`;
    secrets.push(fileMarker, caption, name);
    const bytes = Buffer.concat([Buffer.from(fileMarker), randomBytes(700_000), Buffer.from(fileMarker)]);
    const source = join(scratch, name);
    await writeFile(source, bytes);
    const id = (await ok(['secret', 'send-file', BOB_PHONE, source, '--caption', caption, '--profile', alice])).trim();
    const line = JSON.parse(await bobListener!.waitForLine((text) => text.includes(id), 'the file message')) as SecretLine;
    const file = line.secret.message?.file as Record<string, unknown> | undefined;
    assert.deepEqual([file?.name, file?.kind, file?.size, file?.mimeType], [name, 'document', bytes.length, 'application/pdf']);
    assert.equal(file?.key, undefined, 'listen does not print the file key');
    const downloads = join(scratch, 'downloads');
    await mkdir(downloads);
    const path = (await ok(['secret', 'download', ALICE_PHONE, id.slice(0, 8), '--out', `${downloads}/`, '--profile', bob])).trim();
    assert.equal(path, join(downloads, name));
    assert.ok((await readFile(path)).equals(bytes), 'the downloaded file equals the original');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  test("nothing of the secret chats reached the server's files or logs in the clear", async () => {
    const files = await filesUnder(dataDir);
    assert.ok(files.length > 0);
    for (const path of files) {
      const content = await readFile(path);
      for (const secret of secrets) assert.equal(content.includes(secret), false, `${path} holds "${secret}"`);
    }
    const logged = logger.lines.join('\n');
    for (const secret of secrets) assert.equal(logged.includes(secret), false, `the server log holds "${secret}"`);
  });

  test('listen decrypted everything it was sent and stops with exit 0', async () => {
    const events = secretLines(bobListener!).map((line) => line.secret.event);
    assert.equal(events.includes('decryptFailed'), false, JSON.stringify(bobListener!.lines));
    const listener = bobListener!;
    bobListener = undefined;
    assert.equal(await listener.interrupt(), 0);
  });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)])));
  return nested.flat();
}
