/**
 * The `samizdat` command end to end: a real server in this process, the CLI as child processes
 * (`node --import tsx packages/cli/src/main.ts …`) with temporary profiles, as a script would run it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Message, Session, Update, User } from '@samizdat/protocol';
// Tests may start a server; the CLI itself reaches it only through `samizdat server`.
import { createMemoryLogger, type RunningServer } from '@samizdat/server';
import { startServerUnderTest } from '@samizdat/server/testing';
import { commandPaths, createProgram, runCli } from '../src/program.ts';
import { cli, Listener, ok } from './harness.ts';

const ALICE_PHONE = '+9996610001';
const BOB_PHONE = '+9996620002';

function parseUpdates(lines: readonly string[]): Update[] {
  return lines.map((line) => JSON.parse(line) as Update);
}

function messageTexts(updates: readonly Update[]): string[] {
  return updates.flatMap((update) => (update.type === 'newMessage' ? [update.message.text] : []));
}

describe('samizdat against a real server', () => {
  let server: RunningServer;
  let scratch: string;
  let alice: string;
  let aliceLaptop: string;
  let bob: string;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'samizdat-cli-test-'));
    alice = join(scratch, 'alice');
    aliceLaptop = join(scratch, 'alice-laptop');
    bob = join(scratch, 'bob');
    server = await startServerUnderTest({ port: 0, dataDir: join(scratch, 'data'), testNumbers: true, logger: createMemoryLogger() });
  });

  after(async () => {
    await server?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  test('login works with --profile before the subcommand and after it', async () => {
    const [aliceLogin, bobLogin] = await Promise.all([
      ok(['--profile', alice, '--json', 'login', '--server', server.httpUrl, '--phone', ALICE_PHONE, '--code', '11111', '--name', 'Alice']),
      ok(['login', '--server', server.httpUrl, '--phone', BOB_PHONE, '--code', '22222', '--name', 'Bob', '--profile', bob]),
    ]);
    const signedIn = JSON.parse(aliceLogin) as { server: string; user: User };
    assert.equal(signedIn.server, server.httpUrl);
    assert.equal(signedIn.user.displayName, 'Alice');
    assert.match(bobLogin, /^Logged in as Bob, user \d+, on http:\/\/127\.0\.0\.1:\d+\n$/);
    const saved = JSON.parse(await readFile(join(bob, 'session.json'), 'utf8')) as { server: string; state: { token?: string } };
    assert.equal(saved.server, server.httpUrl);
    assert.equal(typeof saved.state.token, 'string');
  });

  test('username sets the name others find the user by', async () => {
    const user = JSON.parse(await ok(['username', '@Alice_cli', '--json', '--profile', alice])) as User;
    assert.equal(user.username, 'alice_cli');
  });

  test('send by @username prints the id of the stored message', async () => {
    assert.match(await ok(['send', '@alice_cli', 'hello by username', '--profile', bob]), /^\d+\n$/);
  });

  test('send by phone number with --json prints the stored Message', async () => {
    const message = JSON.parse(await ok(['send', ALICE_PHONE, 'hello by phone', '--json', '--profile', bob])) as Message;
    assert.equal(message.text, 'hello by phone');
  });

  test('history --json prints the messages of a chat oldest first', async () => {
    const messages = JSON.parse(await ok(['history', BOB_PHONE, '--json', '--profile', alice])) as Message[];
    assert.deepEqual(
      messages.map((message) => message.text),
      ['hello by username', 'hello by phone'],
    );
  });

  test('chats lists the chat with its last message', async () => {
    assert.match(await ok(['chats', '--profile', alice]), /^\[chat \d+\] Bob · 2 unread · Bob: hello by phone\n$/);
  });

  test('listen --json catches up on missed updates, prints new ones, and exits 0 on SIGINT', async () => {
    const listener = new Listener(['--json', '--profile', alice]);
    // Lines with "type" are Updates of the user's sequence; others (the secret chats', with "secret") are left aside here.
    const updates = () => parseUpdates(listener.lines.filter((line) => 'type' in (JSON.parse(line) as object)));
    await listener.waitForLine((line) => line.includes('"text":"hello by phone"'), 'the second message');
    assert.deepEqual(messageTexts(updates()), ['hello by username', 'hello by phone']);
    await ok(['send', '@alice_cli', 'live', '--profile', bob]);
    await listener.waitForLine((line) => line.includes('"text":"live"'), 'the live message');
    assert.deepEqual(messageTexts(updates()), ['hello by username', 'hello by phone', 'live']);
    // Gapless and in order; listen's secret chats registering this device add a secretDevicesChanged of their own.
    assert.deepEqual(
      updates().map((update) => update.pts),
      updates().map((_, index) => index + 1),
    );
    assert.equal(await listener.interrupt(), 0);
  });

  test('the next listen continues where the last one stopped', async () => {
    await ok(['send', '@alice_cli', 'while away', '--profile', bob]);
    const listener = new Listener(['--profile', alice]);
    assert.match((await listener.waitForLines(1))[0] ?? '', /^\[chat \d+\] Bob: while away$/);
    assert.equal(await listener.interrupt(), 0);
  });

  test('sending to an unknown username fails with USERNAME_NOT_OCCUPIED and exit code 1', async () => {
    const run = await cli(['send', '@nosuchuser1', 'hi', '--profile', bob]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^USERNAME_NOT_OCCUPIED: /);
    assert.equal(run.stdout, '');
  });

  test('login without --code and without a terminal fails with INPUT_REQUIRED', async () => {
    const run = await cli(['login', '--server', server.httpUrl, '--phone', '+9996630003', '--profile', join(scratch, 'carol')]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^INPUT_REQUIRED: Cannot log in: no --code given/);
  });

  test('terminate-session ends another device, which is then logged out', async () => {
    await ok(['login', '--server', server.httpUrl, '--phone', ALICE_PHONE, '--code', '11111', '--device', 'laptop', '--profile', aliceLaptop]);
    const sessions = JSON.parse(await ok(['sessions', '--json', '--profile', alice])) as Session[];
    const laptop = sessions.find((session) => session.deviceName === 'laptop');
    assert.ok(laptop !== undefined && !laptop.isCurrent, `no laptop session in ${JSON.stringify(sessions)}`);
    assert.equal(sessions.filter((session) => session.isCurrent).length, 1);
    await ok(['terminate-session', String(laptop.id), '--profile', alice]);
    const run = await cli(['whoami', '--profile', aliceLaptop]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^NOT_LOGGED_IN: /);
  });

  test('logout ends the session, after which whoami fails with NOT_LOGGED_IN', async () => {
    assert.equal(await ok(['logout', '--profile', bob]), 'Logged out\n');
    const run = await cli(['whoami', '--profile', bob]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^NOT_LOGGED_IN: Cannot use profile .*: not logged in/);
  });
});

describe('samizdat --help', () => {
  test('samizdat send --help exits 0 from the real entry point', async () => {
    const run = await cli(['send', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: samizdat send \[options\] <peer> <text>/);
  });

  test('--help of every command and subcommand exits 0 and shows its usage and the global options', async () => {
    const paths = [[], ...commandPaths(createProgram())].filter((path) => path.at(-1) !== 'help');
    assert.ok(paths.some((path) => path.join(' ') === 'group create'), 'subcommands are listed');
    for (const path of paths) {
      const name = ['samizdat', ...path].join(' ');
      const { code, stdout } = await captureStdout(() => runCli([...path, '--help']));
      assert.equal(code, 0, `${name} --help`);
      assert.match(stdout, new RegExp(`^Usage: ${name} `), `${name} --help`);
      assert.match(stdout, /--profile <dir>/, `${name} --help`);
    }
  });
});

/** Runs `run` in this process with stdout captured (commander writes help there). */
async function captureStdout(run: () => Promise<number>): Promise<{ code: number; stdout: string }> {
  const write = process.stdout.write;
  let stdout = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await run(), stdout };
  } finally {
    process.stdout.write = write;
  }
}
