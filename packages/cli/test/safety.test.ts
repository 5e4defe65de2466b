/**
 * Trust and safety through the `samizdat` command: reports, the operator granting roles on the
 * data folder (`admin`), moderation, appeals, lawful requests under the two-person rule, and the
 * public transparency report and log — verified, then tampered with in the server's SQLite file.
 * A real server in this process; the CLI as child processes with one profile per person. The
 * tests run in order and build on each other.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Sqlite from 'better-sqlite3';
import { BLOCK_CATEGORIES, type Appeal, type Disclosure, type LegalRequest, type ModerationQueueItem } from '@samizdat/protocol';
// Tests may start a server; the CLI itself reaches it only through `samizdat server` and `samizdat admin`.
import { createMemoryLogger, type RunningServer } from '@samizdat/server';
import { startServerUnderTest } from '@samizdat/server/testing';
import { runCli } from '../src/program.ts';
import { TRANSPARENCY_FILE } from '../src/transparency-check.ts';
import { cli, ok, okJson, type Run } from './harness.ts';

const OWNER_PHONE = '+9996610001';
const REPORTER_PHONE = '+9996620002';
const MODERATOR_PHONE = '+9996630003';
const OFFICER_PHONE = '+9996640004';
const SECOND_PHONE = '+9996650005';
const CHANNEL = 'front_line_cli';
const NOTICE = "This channel can't be displayed because it was used to spread terrorist propaganda";

/** Runs the CLI in this process (for help and for refusals made before anything is asked of a server), capturing its output. */
async function inProcess(args: readonly string[]): Promise<Run> {
  const [writeOut, writeErr] = [process.stdout.write, process.stderr.write];
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await runCli(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}

/** The UTC date today, as `--date` takes it. */
function today(): string {
  return new Date().toISOString().slice(0, 10);
}

describe('trust and safety on the command line against a real server', () => {
  let server: RunningServer;
  let scratch: string;
  let dataDir: string;
  let owner: string;
  let reporter: string;
  let moderator: string;
  let officer: string;
  let second: string;
  /** A profile that never logs in: anyone may read and verify the transparency log. */
  let auditor: string;
  let reporterId: number;
  let channelId: number;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'samizdat-cli-safety-'));
    dataDir = join(scratch, 'data');
    [owner, reporter, moderator, officer, second, auditor] = ['owner', 'reporter', 'moderator', 'officer', 'second', 'auditor'].map((name) => join(scratch, name)) as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    server = await startServerUnderTest({ port: 0, dataDir, testNumbers: true, logger: createMemoryLogger() });
    const login = (profile: string, phone: string, name: string) =>
      okJson<{ user: { id: number } }>(['login', '--server', server.httpUrl, '--phone', phone, '--code', phone.charAt(6).repeat(5), '--name', name, '--profile', profile]).then(
        ({ user }) => user.id,
      );
    [, reporterId] = await Promise.all([
      login(owner, OWNER_PHONE, 'Olga'),
      login(reporter, REPORTER_PHONE, 'Rita'),
      login(moderator, MODERATOR_PHONE, 'Mo'),
      login(officer, OFFICER_PHONE, 'Officer'),
      login(second, SECOND_PHONE, 'Second'),
    ]);
  });

  after(async () => {
    await server?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  test('a user reports a public channel and a post in it; a second report of the channel is folded', async () => {
    channelId = (await okJson<{ id: number }>(['channel', 'create', 'Front', '--username', CHANNEL, '--profile', owner])).id;
    await Promise.all([ok(['channel', 'post', `@${CHANNEL}`, 'join the fight', '--profile', owner]), ok(['channel', 'subscribe', `@${CHANNEL}`, '--profile', reporter])]);
    assert.equal(await ok(['report', `@${CHANNEL}`, '--reason', 'terrorism', '--comment', 'recruits fighters', '--profile', reporter]), 'Reported; moderators will look at it\n');
    const [again, post] = await Promise.all([
      ok(['report', String(channelId), '--reason', 'terrorism', '--profile', reporter]),
      okJson<{ isDuplicate: boolean; target: unknown }>(['report', `@${CHANNEL}:1`, '--reason', 'violence', '--profile', reporter]),
    ]);
    assert.equal(again, 'Already reported; your report is still open\n');
    assert.deepEqual(post, { ...post, isDuplicate: false, target: { type: 'message', chatId: channelId, messageId: 1 } });
  });

  test('only an account the operator made a moderator with admin grant sees the queue; it lists the reports by target', async () => {
    const refused = await cli(['mod', 'queue', '--profile', moderator]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^ROLE_REQUIRED: /);
    assert.match(await ok(['admin', 'grant', 'moderator', MODERATOR_PHONE, '--data', dataDir]), /^Granted moderator to user \d+\n$/);
    const missing = await inProcess(['admin', 'grant', 'moderator', MODERATOR_PHONE, '--data', join(scratch, 'nowhere')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^DATA_NOT_FOUND: Cannot open .*samizdat\.db: no server database there/);

    const [items, human] = await Promise.all([
      okJson<ModerationQueueItem[]>(['mod', 'queue', '--profile', moderator]),
      ok(['mod', 'queue', '--profile', moderator]),
    ]);
    const channelItem = items.find((item) => item.target.type === 'chat' && item.target.chatId === channelId);
    assert.ok(channelItem !== undefined, JSON.stringify(items));
    assert.equal(channelItem.reportCount, 1);
    assert.equal(channelItem.reporterCount, 1);
    assert.deepEqual(channelItem.reasons, { terrorism: 1 });
    assert.deepEqual(channelItem.comments, ['recruits fighters']);
    assert.equal(channelItem.content.chatUsername, CHANNEL);
    const postItem = items.find((item) => item.target.type === 'message');
    assert.equal(postItem?.content.messageText, 'join the fight');
    assert.match(human, new RegExp(`^\\[channel ${channelId} "Front" @${CHANNEL}\\] 1 report from 1 user · terrorism 1 · first `, 'm'));
    assert.match(human, /^ {2}comment: recruits fighters$/m);
    assert.match(human, new RegExp(`^  act: samizdat mod act ${channelId} dismiss\\|block --category CATEGORY --note TEXT$`, 'm'));
    assert.match(human, new RegExp(`^  act: samizdat mod act ${channelId}:1 dismiss\\|remove `, 'm'));
  });

  test('mod act offers only the fixed categories: political is refused by the CLI, and the help lists no such category', async () => {
    const political = await cli(['mod', 'act', String(channelId), 'block', '--category', 'political', '--note', 'asked by a ministry', '--profile', moderator]);
    assert.equal(political.code, 1);
    assert.match(political.stderr, /^USAGE_INVALID: .*'political' is invalid\. Allowed choices are terrorism, childAbuse, pornography, copyright, illegalGoods, fraud/);
    const help = await inProcess(['mod', 'act', '--help']);
    assert.equal(help.code, 0);
    const choices = /--category <category>[\s\S]*?\(choices:([^)]*)\)/.exec(help.stdout)?.[1] ?? '';
    assert.deepEqual([...choices.matchAll(/"(\w+)"/g)].map((match) => match[1]), [...BLOCK_CATEGORIES]);
    assert.match(help.stdout, /There is no category for political speech, and no block per country or region/);
    for (const [args, message] of [
      [['mod', 'act', String(channelId), 'block', '--note', 'n'], /give --category/],
      [['mod', 'act', 'user:5', 'block', '--category', 'fraud', '--note', 'n'], /block takes a group or channel, and that is a user/],
      [['mod', 'act', String(channelId), 'block', '--category', 'fraud', '--note', 'n', '--country', 'RU'], /unknown option '--country'/],
    ] as const) {
      const run = await inProcess([...args, '--profile', moderator]);
      assert.equal(run.code, 1, args.join(' '));
      assert.match(run.stderr, /^USAGE_INVALID: /);
      assert.match(run.stderr, message);
    }
  });

  test('a block: its members see the notice; the owner appeals once by the username; the blocking moderator cannot decide it', async () => {
    const acted = await okJson<{ actionId: number; target: unknown; action: string; category: string }>([
      'mod', 'act', `@${CHANNEL}`, 'block', '--category', 'terrorism', '--note', 'recruitment posts', '--profile', moderator,
    ]);
    assert.deepEqual(acted, { actionId: acted.actionId, target: { type: 'chat', chatId: channelId }, action: 'blockChat', category: 'terrorism' });
    const [chats, appeal] = await Promise.all([
      ok(['chats', '--profile', reporter]),
      // The blocked channel's username answers CHAT_BLOCKED; the owner's own chat list still has it.
      okJson<Appeal>(['appeal', 'chat', `@${CHANNEL}`, 'It is a news channel', '--profile', owner]),
    ]);
    assert.match(chats, new RegExp(`^\\[channel ${channelId} "Front"\\] @${CHANNEL} · .* · blocked: ${NOTICE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    assert.deepEqual(appeal.subject, { type: 'chatBlock', chatId: channelId });
    const [decide, appeals] = await Promise.all([
      cli(['mod', 'decide', String(appeal.id), 'lifted', '--note', 'my own block', '--profile', moderator]),
      ok(['mod', 'appeals', '--profile', moderator]),
    ]);
    assert.equal(decide.code, 1);
    assert.match(decide.stderr, /^APPEAL_INVALID: /);
    assert.match(appeals, new RegExp(`^#${appeal.id} pending · block of chat ${channelId} · by user \\d+ on .*: It is a news channel$`, 'm'));
  });

  test('lawful requests: a second legal-role account must approve, and a disclosure is a phone number and IP addresses only', async () => {
    await Promise.all([ok(['admin', 'grant', 'legal', OFFICER_PHONE, '--data', dataDir]), ok(['admin', 'grant', 'legal', SECOND_PHONE, '--data', dataDir])]);
    const requestArgs = ['legal', 'request', '--country', 'de', '--authority', 'Bundeskriminalamt', '--category', 'terrorism', '--target', REPORTER_PHONE, '--date', today()];
    const first = await okJson<LegalRequest>([...requestArgs, '--reference', 'AZ 1/26', '--profile', officer]);
    assert.equal(first.status, 'pending');
    assert.equal(first.country, 'DE');
    assert.deepEqual(first.target, { type: 'phone', phone: REPORTER_PHONE });

    const self = await cli(['legal', 'approve', String(first.id), '--profile', officer]);
    assert.equal(self.code, 1);
    assert.match(self.stderr, /^TWO_PERSON_RULE: /);
    assert.equal(await ok(['legal', 'approve', String(first.id), '--profile', second]), `Approved request #${first.id}; disclose it with samizdat legal disclose ${first.id}\n`);

    const lines = (await ok(['legal', 'disclose', String(first.id), '--profile', officer])).trimEnd().split('\n');
    assert.match(lines[0]!, new RegExp(`^Disclosure for request #${first.id}, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`));
    assert.equal(lines[1], `phone ${REPORTER_PHONE} (user ${reporterId})`);
    assert.ok(lines.length >= 3, 'at least one IP address');
    for (const line of lines.slice(2)) assert.match(line, /^ip 127\.0\.0\.1 · first seen \d{4}-\d\d-\d\d \d\d:\d\d · last seen \d{4}-\d\d-\d\d \d\d:\d\d$/);

    const secondRequest = await okJson<LegalRequest>([...requestArgs, '--reference', 'AZ 2/26', '--profile', officer]);
    await ok(['legal', 'approve', String(secondRequest.id), '--profile', second]);
    const disclosure = await okJson<Disclosure>(['legal', 'disclose', String(secondRequest.id), '--profile', second]);
    assert.deepEqual(Object.keys(disclosure).sort(), ['disclosedAt', 'ipAddresses', 'phone', 'requestId', 'userId']);
    assert.equal(disclosure.phone, REPORTER_PHONE);
    assert.equal(disclosure.userId, reporterId);
    assert.ok(disclosure.ipAddresses.length >= 1);
    for (const record of disclosure.ipAddresses) assert.deepEqual(Object.keys(record).sort(), ['firstSeenAt', 'ip', 'lastSeenAt']);
    assert.equal(disclosure.ipAddresses[0]?.ip, '127.0.0.1');

    const list = await ok(['legal', 'list', '--profile', second]);
    assert.match(list, new RegExp(`^#${first.id} approved · DE · Bundeskriminalamt · ref AZ 1/26 · terrorism · target \\${REPORTER_PHONE} · dated ${today()} · .* · approved by user \\d+`, 'm'));
  });

  test('transparency verify passes without a login, remembers the log in a 0600 file, and fails once the stored log is altered or cut short', async () => {
    const verify = () => cli(['transparency', 'verify', server.httpUrl, '--profile', auditor]);
    const honest = await verify();
    assert.equal(honest.code, 0, honest.stderr);
    assert.match(honest.stdout, /^OK: 3 entries, signed by [0-9a-f]{4}( [0-9a-f]{4}){7}\n$/, 'a block and two disclosures');
    assert.equal((await stat(join(auditor, TRANSPARENCY_FILE))).mode & 0o777, 0o600);

    const db = new Sqlite(server.databasePath);
    try {
      const { body } = db.prepare('SELECT body FROM transparency_log WHERE seq = 2').get() as { body: string };
      assert.match(body, /"DE"/);
      db.prepare('UPDATE transparency_log SET body = ? WHERE seq = 2').run(body.replace('"DE"', '"US"'));
      const altered = await verify();
      assert.equal(altered.code, 4);
      assert.equal(altered.stdout, '');
      assert.match(altered.stderr, /^TRANSPARENCY_LOG_INVALID: The transparency log of http:\/\/127\.0\.0\.1:\d+ does not verify: entry 2: its hash does not match its contents: the entry was altered\n$/);

      // Put back, then the last entry removed: the chain that is left holds, but not against the entry remembered.
      db.prepare('UPDATE transparency_log SET body = ? WHERE seq = 2').run(body);
      db.prepare('DELETE FROM transparency_log WHERE seq = 3').run();
      const cut = await verify();
      assert.equal(cut.code, 4);
      assert.match(cut.stderr, /^TRANSPARENCY_LOG_INVALID: .*entries were removed from its end/);
    } finally {
      db.close();
    }
  });

  test('transparency show prints the blocks and the lawful requests, without a login', async () => {
    const report = await ok(['transparency', 'show', server.httpUrl, '--profile', auditor]);
    assert.match(report, /^Public groups and channels blocked, per day \(UTC\): 1 in all$/m);
    assert.match(report, new RegExp(`^  ${today()}  terrorism  1$`, 'm'));
    assert.match(report, /^ {2}\d{4}-Q[1-4] {2}DE {2}received 2 · approved 2 · refused 0 · users affected 2$/m);
  });

  test('admin load-hashes loads a checked hash file, and refuses one with a bad line without loading anything', async () => {
    const good = join(scratch, 'hashes.txt');
    await writeFile(good, `# known files\n${'ab'.repeat(32)}  evil.jpg\n\n${'CD'.repeat(32)}\n${'ab'.repeat(32)} # again\n`);
    assert.equal(await ok(['admin', 'load-hashes', good, '--data', dataDir]), 'Loaded 2 hashes, 2 new\n');
    const bad = join(scratch, 'bad.txt');
    await writeFile(bad, `${'ef'.repeat(32)}\nnot-a-hash\n`);
    const run = await inProcess(['admin', 'load-hashes', bad, '--data', dataDir]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^HASH_FILE_INVALID: Cannot load .*bad\.txt: line 2: "not-a-hash" is not a SHA-256 in hex/);
    const db = new Sqlite(server.databasePath, { readonly: true });
    try {
      assert.equal((db.prepare('SELECT count(*) AS n FROM blocked_file_hashes').get() as { n: number }).n, 2);
    } finally {
      db.close();
    }
  });

  test('restrictions: an account without limits is told so', async () => {
    assert.equal(await ok(['restrictions', '--profile', reporter]), 'No restrictions on your account\n');
  });
});
