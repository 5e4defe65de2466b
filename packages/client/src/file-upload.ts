import { MAX_FILE_PART_BYTES, RpcError, type FileInfo, type MethodParams, type MethodResult } from '@samizdat/protocol';
import { linkedController, throwIfAborted } from './abort.ts';
import type { BackoffOptions } from './backoff.ts';
import { ProtocolError } from './client-errors.ts';
import type { FileHttp } from './file-http.ts';
import { bytesInParts, isValidPartSize, partAt, partCountOf, type FilePart } from './file-parts.ts';
import type { FileSource } from './file-source.ts';
import type { Logger } from './logger.ts';
import { createSha256, sha256Hex } from './sha256.ts';
import type { Timers } from './timers.ts';
import { withTransferRetry, type TransferRetryOptions } from './transfer-retry.ts';

/** An upload as the server keeps it: which parts it holds so far. */
export type UploadState = MethodResult<'files.startUpload'>;

/** Options of `SamizdatClient.uploadFile`. */
export interface UploadFileOptions {
  /** The file's name as receivers see it (no folders). */
  name?: string;
  /** The file's MIME type; the server guesses when absent. */
  mimeType?: string;
  /** Bytes per part: a power of two from 1 KiB to 512 KiB. Ignored when resuming (the upload has one). @default 524288 */
  partSize?: number;
  /** Parts on the wire at once; memory used is about `(parallel + 1) × partSize`. @default 4 */
  parallel?: number;
  /** Called as parts are stored: bytes the server holds so far (parts of a resumed upload included), of `totalBytes`. */
  onProgress?(sentBytes: number, totalBytes: number): void;
  /**
   * Called once the server has the upload, before any part is sent: keep `upload.uploadId` to
   * resume it (`uploadId`) after a lost connection or a restart.
   */
  onStarted?(upload: UploadState): void;
  /** Cancels the upload; the promise rejects with the signal's reason. The server keeps the parts until the upload expires. */
  signal?: AbortSignal;
  /** Resumes this upload (from `onStarted`): only the parts the server lacks are sent. */
  uploadId?: string;
  /** Tries per part before the upload fails. @default 5 */
  maxAttempts?: number;
}

/** What the uploader needs from the client around it. */
export interface UploaderDeps {
  call<M extends 'files.startUpload' | 'files.getUpload' | 'files.completeUpload'>(method: M, params: MethodParams<M>): Promise<MethodResult<M>>;
  http: Pick<FileHttp, 'putPart'>;
  timers: Timers;
  floodWaitThresholdSeconds: number;
  logger?: Logger;
  /** Delays between the tries of a part; for tests. */
  backoff?: BackoffOptions;
}

/** The default of {@link UploadFileOptions.parallel}. */
export const DEFAULT_UPLOAD_PARALLEL = 4;

/**
 * Uploads `source` and resolves with the stored file ([SDK30], [SDK31]).
 *
 * The file is read once, in order, one part at a time: each part feeds the whole-file SHA-256
 * (which needs the bytes in order) and, unless the server already has it, goes out with its own
 * SHA-256 while the next parts are read. At most `parallel` parts are read and not yet stored,
 * so memory stays bounded whatever the file's size.
 */
export async function uploadFile(deps: UploaderDeps, source: FileSource, options: UploadFileOptions = {}): Promise<FileInfo> {
  const parallel = options.parallel ?? DEFAULT_UPLOAD_PARALLEL;
  if (!Number.isSafeInteger(parallel) || parallel < 1) throw new RangeError(`Cannot upload file: parallel is ${parallel}, not a positive integer`);
  if (!Number.isSafeInteger(source.size) || source.size < 1) {
    throw new RpcError('PARAMS_INVALID', `Cannot upload file: the source is ${source.size} bytes; a file has at least 1`);
  }
  throwIfAborted(options.signal);
  const upload = await openUpload(deps, source, options);
  const { uploadId, size, partSize } = upload;
  options.onStarted?.(upload);
  deps.logger?.info?.('Upload started', { uploadId, size, partSize, received: upload.receivedParts.length });

  const retry: TransferRetryOptions = {
    floodWaitThresholdSeconds: deps.floodWaitThresholdSeconds,
    timers: deps.timers,
    signal: options.signal,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    ...(deps.backoff === undefined ? {} : { backoff: deps.backoff }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  };
  const received = new Set(upload.receivedParts);
  const progress = new UploadProgress(size, bytesInParts(received, size, partSize), options.onProgress);
  progress.report();

  const sendPart = async (part: FilePart, bytes: Uint8Array, signal: AbortSignal): Promise<void> => {
    const hash = await sha256Hex(bytes);
    await withTransferRetry(`upload ${uploadId} part ${part.index}`, () => deps.http.putPart(uploadId, part.index, bytes, hash, signal), { ...retry, signal });
    progress.add(part.length);
  };

  const sha256 = await readAndSend(source, upload, (index) => received.has(index), sendPart, { parallel, signal: options.signal });
  try {
    return await complete(deps, uploadId, sha256);
  } catch (error) {
    if (!(error instanceof RpcError && error.code === 'FILE_PARTS_MISSING')) throw error;
    // Parts the server counted as stored are gone (expired, a storage hiccup): send them again, once.
    const state = await deps.call('files.getUpload', { uploadId });
    const has = new Set(state.receivedParts);
    const missing = Array.from({ length: upload.partCount }, (_, index) => index).filter((index) => !has.has(index));
    deps.logger?.warn?.('Upload lost parts; sending them again', { uploadId, missing: missing.length });
    progress.reset(bytesInParts(has, size, partSize));
    for (const index of missing) {
      throwIfAborted(options.signal);
      const part = partAt(index, size, partSize);
      await sendPart(part, await readPart(source, part), options.signal ?? new AbortController().signal);
    }
    return complete(deps, uploadId, sha256);
  }
}

/** Starts an upload, or fetches the one to resume and checks that it fits the source. */
async function openUpload(deps: UploaderDeps, source: FileSource, options: UploadFileOptions): Promise<UploadState> {
  let upload: UploadState;
  if (options.uploadId !== undefined) {
    upload = await deps.call('files.getUpload', { uploadId: options.uploadId });
    if (upload.size !== source.size) {
      throw new RpcError('UPLOAD_ID_INVALID', `Cannot resume upload ${options.uploadId}: it is ${upload.size} bytes, the source is ${source.size}`);
    }
  } else {
    const partSize = options.partSize ?? MAX_FILE_PART_BYTES;
    if (!isValidPartSize(partSize)) {
      throw new RpcError('FILE_PART_SIZE_INVALID', `Cannot upload file: part size is ${partSize} bytes, not a power of two from 1 KiB to 512 KiB`);
    }
    const params: MethodParams<'files.startUpload'> = { size: source.size, partSize };
    if (options.name !== undefined) params.name = options.name;
    if (options.mimeType !== undefined) params.mimeType = options.mimeType;
    upload = await deps.call('files.startUpload', params);
  }
  // The part arithmetic below trusts these numbers: a server that disagrees with itself is a bug there.
  if (upload.size !== source.size || !isValidPartSize(upload.partSize) || upload.partCount !== partCountOf(upload.size, upload.partSize)) {
    throw new ProtocolError(
      `Cannot upload file: the server described upload ${upload.uploadId} as ${upload.size} bytes in ${upload.partCount} parts of ${upload.partSize}`,
    );
  }
  return upload;
}

/**
 * Reads every part in order into the whole-file hash and hands those `isReceived` does not cover to
 * `send`, with at most `parallel` parts read and not yet stored. Resolves with the file's hex
 * SHA-256 once every part is stored; the first failure aborts the others and rejects.
 */
async function readAndSend(
  source: FileSource,
  upload: UploadState,
  isReceived: (index: number) => boolean,
  send: (part: FilePart, bytes: Uint8Array, signal: AbortSignal) => Promise<void>,
  options: { parallel: number; signal: AbortSignal | undefined },
): Promise<string> {
  const { controller, dispose } = linkedController(options.signal);
  const hasher = createSha256();
  const slots = new Slots(options.parallel, controller.signal);
  const sending = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  try {
    for (let index = 0; index < upload.partCount; index += 1) {
      await slots.acquire();
      const part = partAt(index, upload.size, upload.partSize);
      let bytes: Uint8Array;
      try {
        bytes = await readPart(source, part);
      } catch (error) {
        slots.release();
        throw error;
      }
      hasher.update(bytes);
      if (isReceived(index)) {
        slots.release();
        continue;
      }
      const task: Promise<void> = send(part, bytes, controller.signal)
        .catch((error: unknown) => {
          // The first failure is the upload's; the aborts it causes in the other parts are not.
          if (failure === null) {
            failure = { error };
            controller.abort(error);
          }
        })
        .finally(() => {
          sending.delete(task);
          slots.release();
        });
      sending.add(task);
    }
    await Promise.all(sending);
  } catch (error) {
    if (failure === null) {
      failure = { error };
      controller.abort(error);
    }
  } finally {
    // Nothing may still be on the wire, or reading the source, once this returns.
    await Promise.all(sending);
    dispose();
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
  throwIfAborted(options.signal);
  return hasher.digestHex();
}

async function readPart(source: FileSource, part: FilePart): Promise<Uint8Array> {
  const bytes = await source.read(part.offset, part.length);
  if (bytes.length !== part.length) {
    throw new RangeError(`Cannot upload file: the source gave ${bytes.length} bytes at offset ${part.offset}, expected ${part.length} (did the file change?)`);
  }
  return bytes;
}

async function complete(deps: UploaderDeps, uploadId: string, sha256: string): Promise<FileInfo> {
  const { file } = await deps.call('files.completeUpload', { uploadId, sha256 });
  deps.logger?.info?.('Upload complete', { uploadId, fileId: file.id, size: file.size });
  return file;
}

/** Bytes stored so far, reported as they grow. */
class UploadProgress {
  readonly #total: number;
  readonly #onProgress: ((sentBytes: number, totalBytes: number) => void) | undefined;
  #sent: number;

  constructor(total: number, sent: number, onProgress: ((sentBytes: number, totalBytes: number) => void) | undefined) {
    this.#total = total;
    this.#sent = sent;
    this.#onProgress = onProgress;
  }

  add(bytes: number): void {
    this.#sent = Math.min(this.#total, this.#sent + bytes);
    this.report();
  }

  reset(sent: number): void {
    this.#sent = sent;
    this.report();
  }

  report(): void {
    this.#onProgress?.(this.#sent, this.#total);
  }
}

/**
 * A counting semaphore whose waits end when `signal` aborts, so that a failed upload stops reading
 * instead of waiting for a slot that the aborted parts free only later.
 */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  readonly #signal: AbortSignal;

  constructor(count: number, signal: AbortSignal) {
    this.#free = count;
    this.#signal = signal;
  }

  async acquire(): Promise<void> {
    throwIfAborted(this.#signal);
    if (this.#free > 0) {
      this.#free -= 1;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = this.#waiting.indexOf(grant);
        if (at !== -1) this.#waiting.splice(at, 1);
        reject(this.#signal.reason);
      };
      const grant = () => {
        this.#signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#waiting.push(grant);
      this.#signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#free += 1;
    else next();
  }
}
