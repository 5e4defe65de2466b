/**
 * `send-file` and `download` end to end: a real server in this process, the CLI as child
 * processes with temporary profiles, files on disk in a scratch folder.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Message } from '@samizdat/protocol';
// Tests may start a server; the CLI itself reaches it only through `samizdat server`.
import { createMemoryLogger, type RunningServer } from '@samizdat/server';
import { startServerUnderTest } from '@samizdat/server/testing';
import { SamizdatClient } from '@samizdat/client';
import { WebSocket } from 'ws';
import { openFileSource } from '../src/file-handle-source.ts';
import { cli, MAIN, ok, okJson, ROOT } from './harness.ts';

const ALICE_PHONE = '+9996610301';
const BOB_PHONE = '+9996620302';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Bytes that differ at every offset, so a misplaced part changes the hash. */
function patterned(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let state = 7;
  for (let index = 0; index < size; index += 1) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

const hasScript = spawnSync('script', ['--version']).status === 0;

describe('samizdat send-file and download', () => {
  let server: RunningServer;
  let scratch: string;
  let alice: string;
  let bob: string;
  let files: string;
  let bigPath: string;
  let big: Uint8Array;
  let bigMessage: Message;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'samizdat-cli-files-'));
    [alice, bob, files] = ['alice', 'bob', 'files'].map((name) => join(scratch, name)) as [string, string, string];
    await mkdir(files);
    server = await startServerUnderTest({ port: 0, dataDir: join(scratch, 'data'), testNumbers: true, logger: createMemoryLogger() });
    const login = (profile: string, phone: string, code: string, name: string) =>
      ok(['login', '--server', server.httpUrl, '--phone', phone, '--code', code, '--name', name, '--profile', profile]);
    await Promise.all([login(alice, ALICE_PHONE, '11111', 'Alice'), login(bob, BOB_PHONE, '22222', 'Bob')]);
    big = patterned(3 * 1024 * 1024 + 4321);
    bigPath = join(files, 'big data.bin');
    await writeFile(bigPath, big);
  });

  after(async () => {
    await server?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  test('send-file uploads a 3 MB file and prints the message id; piped stderr gets no progress bar', async () => {
    const run = await cli(['send-file', BOB_PHONE, bigPath, '--caption', 'the data', '--profile', alice]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^\d+\n$/);
    assert.equal(run.stderr, '', 'no progress bar, no carriage returns');
    const [message] = await okJson<Message[]>(['history', ALICE_PHONE, '--limit', '1', '--profile', bob]);
    assert.ok(message !== undefined);
    assert.equal(message.id, Number(run.stdout));
    assert.equal(message.text, 'the data');
    assert.equal(message.media?.kind, 'document');
    assert.equal(message.media?.file.name, 'big data.bin');
    assert.equal(message.media?.file.size, big.length);
    assert.equal(message.media?.file.sha256, sha256(big));
    bigMessage = message;
  });

  test('download saves the file byte for byte under its own name, and never overwrites', async () => {
    const out = join(scratch, 'downloads');
    await mkdir(out);
    const first = await cli(['download', `${ALICE_PHONE}:${bigMessage.id}`, '--out', out, '--profile', bob]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, '');
    assert.equal(first.stdout, `${join(out, 'big data.bin')}\n`);
    assert.equal(sha256(await readFile(join(out, 'big data.bin'))), sha256(big));

    const second = await okJson<{ path: string; messageId: number; file: { sha256: string } }>(['download', `${ALICE_PHONE}:${bigMessage.id}`, '--out', out, '--profile', bob]);
    assert.equal(second.path, join(out, 'big data (1).bin'));
    assert.equal(second.messageId, bigMessage.id);
    assert.equal(sha256(await readFile(second.path)), sha256(big));
    assert.deepEqual((await readdir(out)).sort(), ['big data (1).bin', 'big data.bin'], 'no partial files left behind');
  });

  test('the sender downloads from saved messages with me:ID and --out naming a file', async () => {
    const id = Number(await ok(['send-file', 'me', bigPath, '--profile', alice]));
    const target = join(scratch, 'mine.bin');
    assert.equal(await ok(['download', `me:${id}`, '--out', target, '--profile', alice]), `${target}\n`);
    assert.equal(sha256(await readFile(target)), sha256(big));
  });

  test('download resumes from a partial file left by an interrupted run', async () => {
    const out = join(scratch, 'resume');
    await mkdir(out);
    const partial = join(out, `big data.bin.${sha256(big).slice(0, 12)}.part`);
    await writeFile(partial, big.subarray(0, 1_000_000));
    const run = await cli(['download', `${ALICE_PHONE}:${bigMessage.id}`, '--out', out, '--profile', bob]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Resuming from 976\.6 KiB/);
    assert.equal(sha256(await readFile(join(out, 'big data.bin'))), sha256(big));
    assert.deepEqual(await readdir(out), ['big data.bin']);
  });

  test('a partial file that does not match is thrown away, not saved', async () => {
    const out = join(scratch, 'corrupt');
    await mkdir(out);
    const partial = join(out, `big data.bin.${sha256(big).slice(0, 12)}.part`);
    await writeFile(partial, patterned(1000).map((byte) => byte ^ 0xff));
    const run = await cli(['download', `${ALICE_PHONE}:${bigMessage.id}`, '--out', out, '--profile', bob]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^FILE_HASH_INVALID: .*the partial file was removed/m);
    assert.deepEqual(await readdir(out), []);
    await ok(['download', `${ALICE_PHONE}:${bigMessage.id}`, '--out', out, '--profile', bob]);
    assert.equal(sha256(await readFile(join(out, 'big data.bin'))), sha256(big));
  });

  test('send-file guesses photo from the extension, and --kind overrides the guess', async () => {
    const notAPicture = join(files, 'notes.png');
    await writeFile(notAPicture, 'not really a png');
    const asDocument = await okJson<Message>(['send-file', BOB_PHONE, notAPicture, '--kind', 'document', '--profile', alice]);
    assert.equal(asDocument.media?.kind, 'document');
    assert.equal(asDocument.media?.file.mimeType, 'image/png');
    const voicePath = join(files, 'hello.ogg');
    await writeFile(voicePath, patterned(5000));
    const voice = await okJson<Message>(['send-file', BOB_PHONE, voicePath, '--profile', alice]);
    assert.equal(voice.media?.kind, 'voice');
    const history = await ok(['history', ALICE_PHONE, '--limit', '1', '--profile', bob]);
    assert.match(history, /Alice \[voice, 4\.9 KiB\]\n$/);
  });

  test('send-file and download refuse what cannot work before uploading anything', async () => {
    const missing = await cli(['send-file', BOB_PHONE, join(files, 'nope.bin'), '--profile', alice]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^FILE_UNREADABLE: Cannot read file .*nope\.bin: no such file or directory/);
    const empty = join(files, 'empty.txt');
    await writeFile(empty, '');
    assert.match((await cli(['send-file', BOB_PHONE, empty, '--profile', alice])).stderr, /^FILE_UNREADABLE: .*empty/);
    assert.match((await cli(['send-file', BOB_PHONE, files, '--profile', alice])).stderr, /^FILE_UNREADABLE: .*(not a regular file|EISDIR)/);
    assert.match((await cli(['send-file', BOB_PHONE, bigPath, '--kind', 'sticker', '--profile', alice])).stderr, /^USAGE_INVALID: .*sticker/);
    assert.match((await cli(['send-file', BOB_PHONE, bigPath, '--caption', 'x'.repeat(1025), '--profile', alice])).stderr, /^MEDIA_CAPTION_TOO_LONG: /);

    const text = Number(await ok(['send', BOB_PHONE, 'just text', '--profile', alice]));
    const noFile = await cli(['download', `${ALICE_PHONE}:${text}`, '--out', scratch, '--profile', bob]);
    assert.equal(noFile.code, 1);
    assert.match(noFile.stderr, /^MEDIA_INVALID: Cannot download .*has no file/);
    assert.match((await cli(['download', `${ALICE_PHONE}:99999`, '--profile', bob])).stderr, /^MESSAGE_ID_INVALID: /);
    assert.match((await cli(['download', 'nonsense', '--profile', bob])).stderr, /^USAGE_INVALID: /);
  });

  test('send-file --upload-id finishes an upload that was cut off, sending only the missing parts', async () => {
    // Cut an upload off after two parts, as an interrupted send-file leaves it, with the SDK on Alice's session.
    const { state } = JSON.parse(await readFile(join(alice, 'session.json'), 'utf8')) as { state: { token: string } };
    const client = new SamizdatClient({ url: server.wsUrl, WebSocket, token: state.token });
    let uploadId = '';
    try {
      await client.connect();
      const controller = new AbortController();
      let reports = 0;
      const opened = await openFileSource(bigPath);
      await assert.rejects(
        client.uploadFile(opened.source, {
          parallel: 1,
          signal: controller.signal,
          onStarted: (upload) => (uploadId = upload.uploadId),
          onProgress: () => {
            reports += 1;
            if (reports === 3) controller.abort(new Error('cut off'));
          },
        }),
        /cut off/,
      );
      await opened.close();
      assert.deepEqual((await client.call('files.getUpload', { uploadId })).receivedParts, [0, 1]);
    } finally {
      await client.close();
    }
    const message = await okJson<Message>(['send-file', BOB_PHONE, bigPath, '--upload-id', uploadId, '--profile', alice]);
    assert.equal(message.media?.file.sha256, sha256(big));

    const unknown = await cli(['send-file', BOB_PHONE, bigPath, '--upload-id', 'ffffffffffffffffffffffffffffffff', '--profile', alice]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^UPLOAD_ID_INVALID: /m);
    assert.doesNotMatch(unknown.stderr, /To resume/, 'an unknown upload cannot be resumed');
  });

  test('send-file draws a progress bar when stderr is a terminal', { skip: !hasScript && 'needs script(1) for a pseudo-terminal' }, async () => {
    const command = ['node', '--import', 'tsx', MAIN, 'send-file', BOB_PHONE, bigPath, '--profile', alice].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
    // Asynchronously: the server answering the CLI runs in this very process.
    const run = await new Promise<{ status: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout }));
    });
    assert.equal(run.status, 0, run.stdout);
    assert.match(run.stdout, /\rbig data\.bin \[#+\] +100%  3\.0 MiB \/ 3\.0 MiB .*done\u001b\[K\r?\n/);
    assert.match(run.stdout, /\n\d+\r?\n$/, 'the message id follows on stdout');
  });
});
