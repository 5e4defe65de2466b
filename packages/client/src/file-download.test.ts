import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RpcError } from '@samizdat/protocol';
import { ProtocolError } from './client-errors.ts';
import { downloadFile, type DownloaderDeps, type DownloadFileOptions } from './file-download.ts';
import { TransferNetworkError, type FileRange } from './file-http.ts';
import { FakeTimers } from './testing/fake-timers.ts';

/** A file served by range from memory; ranges finish out of order, a few real milliseconds apart. */
class FakeFileServer {
  readonly requests: { start: number; end: number }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  fault: (start: number, attempt: number) => Error | null = () => null;
  /** Lies about the file's size from this start on. */
  sizeOverride: ((start: number) => number) | null = null;
  readonly #attempts = new Map<number, number>();

  constructor(readonly bytes: Uint8Array) {}

  deps(timers: FakeTimers): DownloaderDeps {
    return { http: { getRange: (fileId, start, end, signal) => this.getRange(fileId, start, end, signal) }, timers, floodWaitThresholdSeconds: 10, backoff: { minDelayMs: 100, maxDelayMs: 100 } };
  }

  async getRange(fileId: string, start: number, end: number, signal?: AbortSignal): Promise<FileRange> {
    if (fileId !== 'file-1') throw new RpcError('FILE_ID_INVALID');
    const attempt = (this.#attempts.get(start) ?? 0) + 1;
    this.#attempts.set(start, attempt);
    this.requests.push({ start, end });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, ((start / 1024) * 5) % 4));
      if (signal?.aborted === true) throw signal.reason;
      const fault = this.fault(start, attempt);
      if (fault !== null) throw fault;
      return { bytes: this.bytes.slice(start, Math.min(end + 1, this.bytes.length)), size: this.sizeOverride?.(start) ?? this.bytes.length };
    } finally {
      this.inFlight -= 1;
    }
  }
}

function patterned(size: number): Uint8Array {
  return new Uint8Array(size).map((_, index) => (index * 131 + (index >> 8)) & 0xff);
}

/** Downloads into an array, checking that every sink call starts where the last ended and none overlap. */
async function download(server: FakeFileServer, options: DownloadFileOptions = {}, fileId = 'file-1') {
  const timers = new FakeTimers();
  const chunks: Uint8Array[] = [];
  const offsets: number[] = [];
  let sinkBusy = false;
  let expectedOffset = options.offset ?? 0;
  const result = await downloadFile(
    server.deps(timers),
    fileId,
    async (bytes, offset) => {
      assert.equal(sinkBusy, false, 'one sink call at a time');
      assert.equal(offset, expectedOffset, 'in order, without gaps');
      sinkBusy = true;
      await new Promise((resolve) => setTimeout(resolve, 1));
      chunks.push(bytes.slice());
      offsets.push(offset);
      expectedOffset = offset + bytes.length;
      sinkBusy = false;
    },
    options,
  );
  const received = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    received.set(chunk, at);
    at += chunk.length;
  }
  return { result, received, offsets };
}

describe('downloadFile', () => {
  test('[SDK32] ranges go out in parallel and reach the sink in order, one call at a time', async () => {
    const bytes = patterned(20 * 1024 + 5);
    const server = new FakeFileServer(bytes);
    const { result, received } = await download(server, { size: bytes.length, chunkSize: 1024, parallel: 4 });
    assert.equal(result.size, bytes.length);
    assert.deepEqual(received, bytes);
    assert.equal(server.maxInFlight, 4);
    assert.equal(server.requests.length, 21);
  });

  test('[SDK32] without a size the first range tells it', async () => {
    const bytes = patterned(3000);
    const server = new FakeFileServer(bytes);
    const { result, received } = await download(server, { chunkSize: 1024 });
    assert.equal(result.size, 3000);
    assert.deepEqual(received, bytes);
    assert.deepEqual(server.requests[0], { start: 0, end: 1023 });
  });

  test('[SDK32] a download resumes at an offset and reports progress from there', async () => {
    const bytes = patterned(5000);
    const server = new FakeFileServer(bytes);
    const progress: [number, number][] = [];
    const { received, offsets } = await download(server, { size: 5000, offset: 1500, chunkSize: 1024, onProgress: (done, total) => progress.push([done, total]) });
    assert.deepEqual(received, bytes.subarray(1500));
    assert.equal(offsets[0], 1500);
    assert.deepEqual(progress[0], [1500, 5000]);
    assert.deepEqual(progress.at(-1), [5000, 5000]);
    assert.ok(server.requests.every((range) => range.start >= 1500));
  });

  test('[SDK32] a resume without a size asks from one byte before the offset to learn it', async () => {
    const bytes = patterned(5000);
    const server = new FakeFileServer(bytes);
    const { received, result } = await download(server, { offset: 4000, chunkSize: 1024 });
    assert.equal(result.size, 5000);
    assert.deepEqual(received, bytes.subarray(4000));
    const finished = await download(new FakeFileServer(bytes), { offset: 5000 });
    assert.equal(finished.received.length, 0, 'a complete file gets nothing more');
  });

  test('[SDK32] at most `parallel` ranges are fetched and not yet handed to the sink', async () => {
    const bytes = patterned(32 * 1024);
    const server = new FakeFileServer(bytes);
    const timers = new FakeTimers();
    let delivered = 0;
    let maxAhead = 0;
    await downloadFile(
      { ...server.deps(timers), http: { getRange: async (...args) => {
        maxAhead = Math.max(maxAhead, server.requests.length + 1 - delivered);
        return server.getRange(...args);
      } } },
      'file-1',
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        delivered += 1;
      },
      { size: bytes.length, chunkSize: 1024, parallel: 3 },
    );
    assert.ok(maxAhead <= 3, `${maxAhead} ranges ahead of the sink`);
  });

  test('[SDK31] a failed range is retried; a refused file fails at once', async () => {
    const bytes = patterned(4096);
    const server = new FakeFileServer(bytes);
    server.fault = (start, attempt) => (start === 2048 && attempt === 1 ? new TransferNetworkError('reset') : null);
    const timers = new FakeTimers();
    const chunks: number[] = [];
    const downloading = downloadFile(server.deps(timers), 'file-1', (chunk) => void chunks.push(chunk.length), { size: 4096, chunkSize: 1024 });
    let isDone = false;
    void downloading.then(() => (isDone = true), () => (isDone = true));
    for (let step = 0; step < 20 && !isDone; step += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await timers.advance(100);
    }
    await downloading;
    assert.deepEqual(chunks, [1024, 1024, 1024, 1024]);
    assert.equal(server.requests.filter((range) => range.start === 2048).length, 2);

    await assert.rejects(download(new FakeFileServer(bytes), { size: 4096 }, 'no-such-file'), (error: unknown) => error instanceof RpcError && error.code === 'FILE_ID_INVALID');
  });

  test('[SDK32] a server that changes its mind about the size fails the download', async () => {
    const server = new FakeFileServer(patterned(4096));
    server.sizeOverride = (start) => (start >= 2048 ? 9999 : 4096);
    await assert.rejects(download(server, { chunkSize: 1024 }), ProtocolError);
  });

  test('[SDK31] aborting stops the download with the signal\'s reason', async () => {
    const server = new FakeFileServer(patterned(64 * 1024));
    const controller = new AbortController();
    const timers = new FakeTimers();
    let calls = 0;
    const downloading = downloadFile(server.deps(timers), 'file-1', () => {
      calls += 1;
      if (calls === 2) controller.abort(new Error('stop'));
    }, { size: 64 * 1024, chunkSize: 1024, signal: controller.signal });
    await assert.rejects(downloading, /stop/);
    assert.ok(server.requests.length < 64);
  });
});
