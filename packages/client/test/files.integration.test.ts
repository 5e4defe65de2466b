/**
 * File transfer against the real server: uploads over `PUT /files/uploads/…`, downloads over
 * `GET /files/<id>` with ranges, media messages, resumes and refusals.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePng } from './png.ts';
import { after, before, describe, test } from 'node:test';
import { RpcError, type Message } from '@samizdat/protocol';
// The server is started in-process for these tests only; the SDK itself never imports it.
import { createMemoryLogger, type RunningServer } from '@samizdat/server';
import { startServerUnderTest } from '@samizdat/server/testing';
import { WebSocket } from 'ws';
import { bytesSource, type FileSource } from '../src/file-source.ts';
import type { FetchLike } from '../src/file-http.ts';
import { SamizdatClient, type SamizdatClientOptions } from '../src/samizdat-client.ts';

function testPhone(digit: number, suffix: number): { phone: string; code: string } {
  return { phone: `+99966${digit}${String(suffix).padStart(4, '0')}`, code: String(digit).repeat(5) };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Bytes that differ at every offset, so a misplaced part changes the hash. */
function patterned(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  let state = seed;
  for (let index = 0; index < size; index += 1) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

/** Collects a download in memory, checking the sink is called in order. */
async function downloadAll(client: SamizdatClient, fileId: string, options: { size?: number; chunkSize?: number; offset?: number } = {}): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let next = options.offset ?? 0;
  await client.downloadFile(
    fileId,
    (bytes, offset) => {
      assert.equal(offset, next);
      next += bytes.length;
      chunks.push(bytes.slice());
    },
    options,
  );
  return Buffer.concat(chunks);
}

/** A fetch that counts the parts put, and can fail the n-th one. */
function countingFetch() {
  const puts: string[] = [];
  const fetch: FetchLike = (url, init) => {
    if (init.method === 'PUT') puts.push(url.slice(url.lastIndexOf('/') + 1));
    return globalThis.fetch(url, init);
  };
  return { fetch, puts };
}

describe('file transfer against the real server', () => {
  let dataDir: string;
  let server: RunningServer;
  const clients: SamizdatClient[] = [];

  function createClient(options: Partial<SamizdatClientOptions> = {}): SamizdatClient {
    const client = new SamizdatClient({ url: server.wsUrl, WebSocket, reconnect: { minDelayMs: 20, maxDelayMs: 200 }, requestTimeoutMs: 10_000, ...options });
    clients.push(client);
    return client;
  }

  async function signedIn(digit: number, suffix: number, options: Partial<SamizdatClientOptions> = {}): Promise<SamizdatClient> {
    const client = createClient(options);
    await client.connect();
    const { phone, code } = testPhone(digit, suffix);
    const { phoneCodeHash } = await client.sendCode(phone);
    const result = await client.signIn({ phone, phoneCodeHash, code });
    if (result.type === 'signUpRequired') await client.signUp({ phone, phoneCodeHash, code, displayName: `User ${digit}${suffix}` });
    return client;
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'samizdat-client-files-'));
    server = await startServerUnderTest({ port: 0, host: '127.0.0.1', dataDir, testNumbers: true, logger: createMemoryLogger() });
  });

  after(async () => {
    for (const client of clients) await client.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('[SDK30] [SDK32] a 3 MB file goes up in parallel parts and comes back byte for byte over HTTP ranges', async () => {
    const { fetch, puts } = countingFetch();
    const alice = await signedIn(1, 1, { fetch });
    const bytes = patterned(3 * 1024 * 1024 + 12_345);
    const progress: number[] = [];
    const file = await alice.uploadFile(bytesSource(bytes), { name: 'data.bin', mimeType: 'application/octet-stream', parallel: 4, onProgress: (sent) => progress.push(sent) });
    assert.equal(file.size, bytes.length);
    assert.equal(file.sha256, sha256(bytes));
    assert.equal(file.name, 'data.bin');
    assert.equal(puts.length, 7, '512 KiB parts');
    assert.equal(progress.at(-1), bytes.length);

    const back = await downloadAll(alice, file.id, { size: file.size, chunkSize: 256 * 1024 });
    assert.equal(sha256(back), file.sha256);
    const unknownSize = await downloadAll(alice, file.id);
    assert.equal(unknownSize.length, bytes.length);
    const tail = await downloadAll(alice, file.id, { offset: bytes.length - 1000 });
    assert.deepEqual(tail, Buffer.from(bytes.subarray(bytes.length - 1000)));

    const part = await alice.call('files.getPart', { fileId: file.id, offset: 1000, limit: 100 });
    assert.deepEqual(Buffer.from(part.bytes, 'base64'), Buffer.from(bytes.subarray(1000, 1100)));
    assert.equal(part.size, bytes.length);
  });

  test('[SDK30] an interrupted upload resumes with its uploadId and sends only the missing parts', async () => {
    const { fetch, puts } = countingFetch();
    const alice = await signedIn(2, 1, { fetch });
    const bytes = patterned(10 * 1024 + 7, 2);
    const controller = new AbortController();
    let uploadId = '';
    let stored = 0;
    await assert.rejects(
      alice.uploadFile(bytesSource(bytes), {
        partSize: 1024,
        parallel: 1,
        signal: controller.signal,
        onStarted: (upload) => (uploadId = upload.uploadId),
        onProgress: () => {
          stored += 1;
          // The first report is the start (nothing stored); stop after 4 parts.
          if (stored === 5) controller.abort(new Error('lost the network'));
        },
      }),
      /lost the network/,
    );
    const state = await alice.call('files.getUpload', { uploadId });
    assert.deepEqual(state.receivedParts, [0, 1, 2, 3]);
    puts.length = 0;
    const file = await alice.uploadFile(bytesSource(bytes), { uploadId });
    assert.equal(file.sha256, sha256(bytes));
    assert.deepEqual(puts.sort((a, b) => Number(a) - Number(b)), ['4', '5', '6', '7', '8', '9', '10']);
  });

  test('[SDK33] a photo sent with sendMedia reaches the recipient, measured by the server, and can be downloaded and forwarded', async () => {
    const alice = await signedIn(3, 1);
    const bob = await signedIn(3, 2);
    const carol = await signedIn(3, 3);
    const bobId = bob.user?.id ?? 0;
    const photo = makePng(40, 30);
    const file = await alice.uploadFile(bytesSource(photo), { name: 'dot.png', mimeType: 'image/png' });
    const arrival = new Promise<Message>((resolve) => bob.on('message', (message) => message.media !== null && resolve(message)));
    const sent = await alice.sendMedia({ type: 'user', userId: bobId }, { fileId: file.id, kind: 'photo' }, 'a dot');
    assert.equal(sent.text, 'a dot');
    assert.equal(sent.media?.kind, 'photo');
    assert.equal(sent.media?.file.id, file.id);
    assert.equal(sent.media?.width, 40);
    assert.equal(sent.media?.height, 30);
    const received = await arrival;
    assert.equal(received.media?.file.sha256, sha256(photo));
    assert.equal(sha256(await downloadAll(bob, file.id)), sha256(photo), 'the recipient may read the file');
    const thumbnail = received.media?.thumbnail ?? null;
    if (thumbnail !== null) assert.ok((await downloadAll(bob, thumbnail.id)).length > 0);

    await assert.rejects(downloadAll(carol, file.id), (error: unknown) => error instanceof RpcError && error.code === 'FILE_ID_INVALID', 'a stranger may not');

    const carolId = carol.user?.id ?? 0;
    const { messages } = await bob.call('messages.forward', { fromPeer: { type: 'user', userId: alice.user?.id ?? 0 }, toPeer: { type: 'user', userId: carolId }, messageIds: [received.id], randomIds: ['fwd-media-0001'] });
    assert.equal(messages[0]?.media?.file.id, file.id, 'forwarding reuses the file');
    assert.equal(sha256(await downloadAll(carol, file.id)), sha256(photo), 'now Carol may read it');
  });

  test('[SDK33] an empty caption is allowed with media; a long one is refused', async () => {
    const alice = await signedIn(4, 1);
    const file = await alice.uploadFile(bytesSource(patterned(2000, 4)), { name: 'notes.txt', mimeType: 'text/plain' });
    const me = { type: 'user', userId: alice.user?.id ?? 0 } as const;
    const sent = await alice.sendMedia(me, { fileId: file.id, kind: 'document' });
    assert.equal(sent.text, '');
    assert.equal(sent.media?.file.name, 'notes.txt');
    await assert.rejects(alice.sendMedia(me, { fileId: file.id, kind: 'document' }, 'x'.repeat(1025)), (error: unknown) => error instanceof RpcError && error.code === 'MEDIA_CAPTION_TOO_LONG');
    await assert.rejects(alice.sendMedia(me, { fileId: 'no-such-file', kind: 'document' }), (error: unknown) => error instanceof RpcError && (error.code === 'FILE_ID_INVALID' || error.code === 'MEDIA_INVALID'));
  });

  test('[SDK30] a file over the server\'s limit is refused before any byte is read or sent', async () => {
    const { fetch, puts } = countingFetch();
    const alice = await signedIn(5, 1, { fetch });
    let reads = 0;
    const huge: FileSource = { size: 3 * 1024 ** 3, read: async () => { reads += 1; return new Uint8Array(0); } };
    await assert.rejects(alice.uploadFile(huge), (error: unknown) => error instanceof RpcError && error.code === 'FILE_TOO_BIG');
    assert.equal(reads, 0);
    assert.equal(puts.length, 0);
  });

  test('[SDK31] resuming an upload the server does not know is refused at once', async () => {
    const alice = await signedIn(6, 1);
    await assert.rejects(alice.uploadFile(bytesSource(patterned(100)), { uploadId: 'no-such-upload' }), (error: unknown) => error instanceof RpcError && error.code === 'UPLOAD_ID_INVALID');
  });
});
