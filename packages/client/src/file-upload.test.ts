import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RpcError, type FileInfo, type MethodParams, type MethodResult } from '@samizdat/protocol';
import { TransferNetworkError } from './file-http.ts';
import { partCountOf } from './file-parts.ts';
import { bytesSource, type FileSource } from './file-source.ts';
import { uploadFile, type UploaderDeps, type UploadFileOptions } from './file-upload.ts';
import { createSha256, sha256Hex } from './sha256.ts';
import { FakeTimers, flushAsync } from './testing/fake-timers.ts';

interface FakeUpload {
  size: number;
  partSize: number;
  parts: Map<number, Uint8Array>;
}

type PutFault = (uploadId: string, index: number, attempt: number) => Error | null;

/**
 * The server side of uploads, in memory: it checks every part's hash and the whole file's, as the
 * real one does, and records what it was sent. Puts finish a few real milliseconds apart, out of
 * order, so that parallel parts overlap.
 */
class FakeUploadServer {
  readonly uploads = new Map<string, FakeUpload>();
  readonly puts: { uploadId: string; index: number }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  fault: PutFault = () => null;
  /** Parts to forget once, to answer completeUpload with FILE_PARTS_MISSING. */
  forgetOnComplete: number[] = [];
  readonly #attempts = new Map<string, number>();
  #nextId = 1;

  deps(timers: FakeTimers, extra: Partial<UploaderDeps> = {}): UploaderDeps {
    return {
      call: async <M extends 'files.startUpload' | 'files.getUpload' | 'files.completeUpload'>(method: M, params: MethodParams<M>) =>
        (await this.call(method, params)) as MethodResult<M>,
      http: { putPart: (uploadId, index, bytes, sha256, signal) => this.putPart(uploadId, index, bytes, sha256, signal) },
      timers,
      floodWaitThresholdSeconds: 10,
      backoff: { minDelayMs: 100, maxDelayMs: 100 },
      ...extra,
    };
  }

  state(uploadId: string): MethodResult<'files.startUpload'> {
    const upload = this.uploads.get(uploadId);
    if (upload === undefined) throw new RpcError('UPLOAD_ID_INVALID');
    return {
      uploadId,
      size: upload.size,
      partSize: upload.partSize,
      partCount: partCountOf(upload.size, upload.partSize),
      receivedParts: [...upload.parts.keys()].sort((a, b) => a - b),
      expiresAt: 1_900_000_000,
    };
  }

  async call(method: string, params: unknown): Promise<unknown> {
    switch (method) {
      case 'files.startUpload': {
        const { size, partSize } = params as MethodParams<'files.startUpload'>;
        const uploadId = `up-${this.#nextId++}`;
        this.uploads.set(uploadId, { size, partSize, parts: new Map() });
        return this.state(uploadId);
      }
      case 'files.getUpload':
        return this.state((params as MethodParams<'files.getUpload'>).uploadId);
      case 'files.completeUpload': {
        const { uploadId, sha256 } = params as MethodParams<'files.completeUpload'>;
        const upload = this.uploads.get(uploadId);
        if (upload === undefined) throw new RpcError('UPLOAD_ID_INVALID');
        for (const index of this.forgetOnComplete.splice(0)) upload.parts.delete(index);
        if (upload.parts.size !== partCountOf(upload.size, upload.partSize)) throw new RpcError('FILE_PARTS_MISSING');
        const hasher = createSha256();
        for (let index = 0; index < upload.parts.size; index += 1) hasher.update(upload.parts.get(index) as Uint8Array);
        if (hasher.digestHex() !== sha256) throw new RpcError('FILE_HASH_INVALID');
        const file: FileInfo = { id: `file-${uploadId}`, size: upload.size, mimeType: 'application/octet-stream', name: 'f', sha256 };
        return { file };
      }
      default:
        throw new Error(`unexpected ${method}`);
    }
  }

  async putPart(uploadId: string, index: number, bytes: Uint8Array, sha256: string, signal?: AbortSignal): Promise<void> {
    const key = `${uploadId}/${index}`;
    const attempt = (this.#attempts.get(key) ?? 0) + 1;
    this.#attempts.set(key, attempt);
    this.puts.push({ uploadId, index });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, (index * 7) % 4);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      const fault = this.fault(uploadId, index, attempt);
      if (fault !== null) throw fault;
      if ((await sha256Hex(bytes)) !== sha256) throw new RpcError('FILE_PART_HASH_INVALID');
      this.uploads.get(uploadId)?.parts.set(index, bytes.slice());
    } finally {
      this.inFlight -= 1;
    }
  }
}

/** Bytes that differ at every offset, so a misplaced part changes the hash. */
function patterned(size: number): Uint8Array {
  return new Uint8Array(size).map((_, index) => (index * 131 + (index >> 8)) & 0xff);
}

/** A source that records its reads and, with the server, how many parts are read but not yet stored. */
function watchedSource(bytes: Uint8Array, server: FakeUploadServer, partSize: number) {
  const reads: number[] = [];
  let maxOutstanding = 0;
  const source: FileSource = {
    size: bytes.length,
    async read(offset, length) {
      reads.push(offset);
      const stored = [...server.uploads.values()].reduce((sum, upload) => sum + upload.parts.size, 0);
      maxOutstanding = Math.max(maxOutstanding, reads.length - stored);
      return bytes.slice(offset, offset + length);
    },
  };
  return { source, reads, partCount: partCountOf(bytes.length, partSize), maxOutstanding: () => maxOutstanding };
}

async function upload(server: FakeUploadServer, source: FileSource, options: UploadFileOptions = {}, extra: Partial<UploaderDeps> = {}) {
  const timers = new FakeTimers();
  return { timers, uploading: uploadFile(server.deps(timers, extra), source, options) };
}

describe('uploadFile', () => {
  test('[SDK30] uploads every part, reads the source once in order, and completes with the file hash', async () => {
    const server = new FakeUploadServer();
    const bytes = patterned(10 * 1024 + 100);
    const watched = watchedSource(bytes, server, 1024);
    const { uploading } = await upload(server, watched.source, { partSize: 1024, parallel: 3 });
    const file = await uploading;
    assert.equal(file.sha256, await sha256Hex(bytes));
    assert.deepEqual(watched.reads, Array.from({ length: 11 }, (_, index) => index * 1024));
    assert.deepEqual(server.puts.map((put) => put.index).sort((a, b) => a - b), Array.from({ length: 11 }, (_, index) => index));
  });

  test('[SDK30] at most `parallel` parts are read and not yet stored, and they do overlap', async () => {
    const server = new FakeUploadServer();
    const watched = watchedSource(patterned(64 * 1024), server, 1024);
    const { uploading } = await upload(server, watched.source, { partSize: 1024, parallel: 4 });
    await uploading;
    assert.equal(server.maxInFlight, 4);
    assert.ok(watched.maxOutstanding() <= 4, `${watched.maxOutstanding()} parts held at once`);
  });

  test('[SDK30] progress counts stored bytes, never goes down, and ends at the size', async () => {
    const server = new FakeUploadServer();
    const size = 5 * 1024 + 1;
    const progress: [number, number][] = [];
    const { uploading } = await upload(server, bytesSource(patterned(size)), { partSize: 1024, onProgress: (sent, total) => progress.push([sent, total]) });
    await uploading;
    assert.deepEqual(progress[0], [0, size]);
    assert.deepEqual(progress.at(-1), [size, size]);
    assert.ok(progress.every(([sent], index) => index === 0 || sent >= (progress[index - 1]?.[0] ?? 0)));
    assert.equal(progress.length, 1 + 6);
  });

  test('[SDK30] a resumed upload sends only the parts the server lacks and reports the rest as sent', async () => {
    const server = new FakeUploadServer();
    const bytes = patterned(8 * 1024);
    let uploadId = '';
    const cancelled = new AbortController();
    server.fault = (_id, index) => {
      if (index !== 4) return null;
      const error = new Error('connection lost');
      cancelled.abort(error);
      return error;
    };
    const first = await upload(server, bytesSource(bytes), {
      partSize: 1024,
      parallel: 1,
      signal: cancelled.signal,
      onStarted: (state) => (uploadId = state.uploadId),
    });
    await assert.rejects(first.uploading, /connection lost/);
    const stored = server.state(uploadId).receivedParts;
    assert.deepEqual(stored, [0, 1, 2, 3]);

    server.fault = () => null;
    server.puts.length = 0;
    const progress: number[] = [];
    const second = await upload(server, bytesSource(bytes), { uploadId, parallel: 2, onProgress: (sent) => progress.push(sent) });
    const file = await second.uploading;
    assert.deepEqual(server.puts.map((put) => put.index).sort(), [4, 5, 6, 7]);
    assert.equal(progress[0], 4 * 1024, 'the parts the server holds count from the start');
    assert.equal(file.sha256, await sha256Hex(bytes));
  });

  test('[SDK30] resuming with a source of another size is refused before anything is sent', async () => {
    const server = new FakeUploadServer();
    const started = await server.call('files.startUpload', { size: 4096, partSize: 1024 }) as MethodResult<'files.startUpload'>;
    const { uploading } = await upload(server, bytesSource(patterned(4000)), { uploadId: started.uploadId });
    await assert.rejects(uploading, (error: unknown) => error instanceof RpcError && error.code === 'UPLOAD_ID_INVALID');
    assert.equal(server.puts.length, 0);
  });

  test('[SDK30] a part size that is not a power of two from 1 KiB to 512 KiB is refused locally', async () => {
    const server = new FakeUploadServer();
    for (const partSize of [1000, 512, 1024 * 1024]) {
      const { uploading } = await upload(server, bytesSource(patterned(10)), { partSize });
      await assert.rejects(uploading, (error: unknown) => error instanceof RpcError && error.code === 'FILE_PART_SIZE_INVALID');
    }
    assert.equal(server.uploads.size, 0);
  });

  test('[SDK31] a part that fails on the network is retried after a backoff and the upload succeeds', async () => {
    const server = new FakeUploadServer();
    server.fault = (_id, index, attempt) => (index === 2 && attempt <= 2 ? new TransferNetworkError('fetch failed') : null);
    const bytes = patterned(4 * 1024);
    const { timers, uploading } = await upload(server, bytesSource(bytes), { partSize: 1024 });
    let isDone = false;
    void uploading.then(() => (isDone = true), () => (isDone = true));
    for (let step = 0; step < 50 && !isDone; step += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await timers.advance(100);
    }
    const file = await uploading;
    assert.equal(file.sha256, await sha256Hex(bytes));
    assert.equal(server.puts.filter((put) => put.index === 2).length, 3);
  });

  test('[SDK31] a part still failing after maxAttempts fails the upload, and nothing stays on the wire', async () => {
    const server = new FakeUploadServer();
    server.fault = (_id, index) => (index === 1 ? new RpcError('INTERNAL') : null);
    const { timers, uploading } = await upload(server, bytesSource(patterned(16 * 1024)), { partSize: 1024, maxAttempts: 3, parallel: 4 });
    let settled = false;
    void uploading.catch(() => {}).finally(() => (settled = true));
    for (let step = 0; step < 50 && !settled; step += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await timers.advance(100);
    }
    await assert.rejects(uploading, (error: unknown) => error instanceof RpcError && error.code === 'INTERNAL');
    assert.equal(server.puts.filter((put) => put.index === 1).length, 3);
    assert.equal(server.inFlight, 0, 'nothing stays on the wire');
  });

  test('[SDK31] a refusal no resend can change fails the upload at once', async () => {
    const server = new FakeUploadServer();
    server.fault = () => new RpcError('UPLOAD_ID_INVALID');
    const { uploading } = await upload(server, bytesSource(patterned(8 * 1024)), { partSize: 1024, parallel: 2 });
    await assert.rejects(uploading, (error: unknown) => error instanceof RpcError && error.code === 'UPLOAD_ID_INVALID');
    assert.ok(server.puts.length <= 2);
  });

  test('[SDK31] a short FLOOD_WAIT is waited out without counting as a try; a long one fails', async () => {
    const server = new FakeUploadServer();
    server.fault = (_id, index, attempt) => (index === 0 && attempt <= 3 ? new RpcError('FLOOD_WAIT', 'wait', { retryAfterSeconds: 2 }) : null);
    const { timers, uploading } = await upload(server, bytesSource(patterned(2048)), { partSize: 1024, maxAttempts: 1 });
    let isDone = false;
    void uploading.then(() => (isDone = true), () => (isDone = true));
    for (let step = 0; step < 20 && !isDone; step += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(timers.pendingDelaysMs.filter((delay) => delay > 0).every((delay) => delay <= 2000), true);
      await timers.advance(2000);
    }
    await uploading;
    assert.equal(server.puts.filter((put) => put.index === 0).length, 4);

    const slow = new FakeUploadServer();
    slow.fault = () => new RpcError('FLOOD_WAIT', 'wait', { retryAfterSeconds: 60 });
    const failing = await upload(slow, bytesSource(patterned(2048)), { partSize: 1024 });
    await assert.rejects(failing.uploading, (error: unknown) => error instanceof RpcError && error.retryAfterSeconds === 60);
  });

  test('[SDK31] aborting stops the upload with the signal\'s reason', async () => {
    const server = new FakeUploadServer();
    const controller = new AbortController();
    let parts = 0;
    const { uploading } = await upload(server, bytesSource(patterned(32 * 1024)), {
      partSize: 1024,
      signal: controller.signal,
      onProgress: () => {
        parts += 1;
        if (parts === 3) controller.abort(new Error('stop'));
      },
    });
    await assert.rejects(uploading, /stop/);
    await flushAsync();
    assert.equal(server.inFlight, 0);
    assert.ok(server.puts.length < 32);
  });

  test('[SDK30] parts lost before completion are sent again once, then the upload completes', async () => {
    const server = new FakeUploadServer();
    server.forgetOnComplete = [1, 3];
    const bytes = patterned(4 * 1024);
    const { uploading } = await upload(server, bytesSource(bytes), { partSize: 1024 });
    const file = await uploading;
    assert.equal(file.sha256, await sha256Hex(bytes));
    assert.deepEqual(server.puts.slice(4).map((put) => put.index), [1, 3]);
  });

  test('[SDK30] a source that returns fewer bytes than asked fails the upload', async () => {
    const server = new FakeUploadServer();
    const source: FileSource = { size: 4096, read: async (offset, length) => new Uint8Array(offset === 2048 ? length - 1 : length) };
    const { uploading } = await upload(server, source, { partSize: 1024 });
    await assert.rejects(uploading, /gave 1023 bytes at offset 2048/);
  });
});
