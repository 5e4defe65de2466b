import { linkedController, throwIfAborted } from './abort.ts';
import type { BackoffOptions } from './backoff.ts';
import { ProtocolError } from './client-errors.ts';
import type { FileHttp, FileRange } from './file-http.ts';
import { planRanges } from './file-parts.ts';
import type { Logger } from './logger.ts';
import type { Timers } from './timers.ts';
import { withTransferRetry, type TransferRetryOptions } from './transfer-retry.ts';

/**
 * Where downloaded bytes go: called one call at a time, in offset order, each `bytes` starting
 * where the previous ended; the download waits for a returned promise before the next call.
 */
export type DownloadSink = (bytes: Uint8Array, offset: number) => Promise<void> | void;

/** Options of `SamizdatClient.downloadFile`. */
export interface DownloadFileOptions {
  /** The file's size (`FileInfo.size`); learnt from the first answer when absent. */
  size?: number;
  /** Starts here instead of at 0: the bytes before it are already in the sink (a resumed download). @default 0 */
  offset?: number;
  /** Ranges requested at once; memory used is about `parallel × chunkSize`. @default 4 */
  parallel?: number;
  /** Bytes per range request. @default 1048576 */
  chunkSize?: number;
  /** Called as bytes reach the sink: how many of the file's bytes it holds (`offset` included), of `totalBytes`. */
  onProgress?(receivedBytes: number, totalBytes: number): void;
  /** Cancels the download; the promise rejects with the signal's reason. What the sink got stays valid. */
  signal?: AbortSignal;
  /** Tries per range before the download fails. @default 5 */
  maxAttempts?: number;
}

/** How a finished download went. */
export interface DownloadResult {
  /** The file's size in bytes. */
  size: number;
}

/** What the downloader needs from the client around it. */
export interface DownloaderDeps {
  http: Pick<FileHttp, 'getRange'>;
  timers: Timers;
  floodWaitThresholdSeconds: number;
  logger?: Logger;
  backoff?: BackoffOptions;
}

/** Defaults of {@link DownloadFileOptions}. */
export const DEFAULT_DOWNLOAD_PARALLEL = 4;
export const DEFAULT_DOWNLOAD_CHUNK_BYTES = 1024 * 1024;

/**
 * Downloads a file into `sink` over HTTP ranges ([SDK32]): up to `parallel` ranges on the wire at
 * once, handed to the sink strictly in order, so a sink may simply append and a download cut off at
 * any point leaves a valid prefix to resume from (`offset`).
 */
export async function downloadFile(deps: DownloaderDeps, fileId: string, sink: DownloadSink, options: DownloadFileOptions = {}): Promise<DownloadResult> {
  const parallel = options.parallel ?? DEFAULT_DOWNLOAD_PARALLEL;
  const chunkSize = options.chunkSize ?? DEFAULT_DOWNLOAD_CHUNK_BYTES;
  const offset = options.offset ?? 0;
  if (!Number.isSafeInteger(parallel) || parallel < 1) throw new RangeError(`Cannot download file ${fileId}: parallel is ${parallel}, not a positive integer`);
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new RangeError(`Cannot download file ${fileId}: chunkSize is ${chunkSize}, not a positive integer`);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`Cannot download file ${fileId}: offset is ${offset}, not a non-negative integer`);
  if (options.size !== undefined && offset > options.size) {
    throw new RangeError(`Cannot download file ${fileId}: offset ${offset} is past its ${options.size} bytes`);
  }
  throwIfAborted(options.signal);

  const retry: TransferRetryOptions = {
    floodWaitThresholdSeconds: deps.floodWaitThresholdSeconds,
    timers: deps.timers,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    ...(deps.backoff === undefined ? {} : { backoff: deps.backoff }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  };
  const { controller, dispose } = linkedController(options.signal);
  const fetchRange = (start: number, end: number): Promise<FileRange> =>
    withTransferRetry(`download ${fileId} bytes ${start}-${end}`, () => deps.http.getRange(fileId, start, end, controller.signal), {
      ...retry,
      signal: controller.signal,
    });

  let received = offset;
  const deliver = async (bytes: Uint8Array, at: number, size: number) => {
    if (bytes.length === 0) return;
    await sink(bytes, at);
    received = at + bytes.length;
    options.onProgress?.(received, size);
  };

  try {
    let size = options.size;
    let next = offset;
    if (size === undefined) {
      // The first range says how long the file is; an empty file has no range to ask for.
      if (offset > 0) {
        const first = await fetchRange(offset - 1, offset - 1 + chunkSize);
        size = first.size;
        await deliver(first.bytes.subarray(1), offset, size);
        next = offset + first.bytes.length - 1;
      } else {
        const first = await fetchRange(0, chunkSize - 1);
        size = first.size;
        options.onProgress?.(0, size);
        await deliver(first.bytes, 0, size);
        next = first.bytes.length;
      }
    } else {
      options.onProgress?.(offset, size);
    }
    if (size === 0 || next >= size) return { size };
    await fetchInOrder(planRanges(next, size, chunkSize), parallel, controller, fetchRange, async (range, bytes) => {
      if (bytes.size !== size) throw new ProtocolError(`Cannot download file ${fileId}: the server says it is ${bytes.size} bytes, not ${String(size)}`);
      await deliver(bytes.bytes, range.start, size);
    });
    deps.logger?.debug?.('Download complete', { fileId, size, from: offset });
    return { size };
  } finally {
    dispose();
  }
}

/**
 * Fetches `ranges` with at most `parallel` fetched or on the wire at once, and hands each to
 * `deliver` in order, one at a time. The first failure aborts the rest and rejects.
 */
async function fetchInOrder(
  ranges: readonly { start: number; end: number }[],
  parallel: number,
  controller: AbortController,
  fetchRange: (start: number, end: number) => Promise<FileRange>,
  deliver: (range: { start: number; end: number }, result: FileRange) => Promise<void>,
): Promise<void> {
  const fetches: Promise<FileRange>[] = [];
  const start = (index: number) => {
    const range = ranges[index];
    if (range === undefined) return;
    const fetching = fetchRange(range.start, range.end);
    // Awaited in order below; until then a rejection must not count as unhandled.
    fetching.catch(() => {});
    fetches[index] = fetching;
  };
  for (let index = 0; index < Math.min(parallel, ranges.length); index += 1) start(index);
  try {
    for (const [index, range] of ranges.entries()) {
      const result = await (fetches[index] as Promise<FileRange>);
      const expected = range.end - range.start + 1;
      if (result.bytes.length !== expected) {
        throw new ProtocolError(`Cannot download bytes ${range.start}-${range.end}: got ${result.bytes.length} of ${expected}`);
      }
      await deliver(range, result);
      // Let go of the bytes before the next range is asked for: memory stays at `parallel` ranges.
      delete fetches[index];
      start(index + parallel);
    }
  } catch (error) {
    controller.abort(error);
    throw error;
  }
}
