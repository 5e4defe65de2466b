import { ERROR_CATALOG, RpcError, isErrorCode } from '@samizdat/protocol';
import { abortReason, linkedController } from './abort.ts';
import { ProtocolError } from './client-errors.ts';
import type { Timers } from './timers.ts';

/** The part of `fetch` the SDK uses; the global one fits in Node 20 and in browsers. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** The server's HTTP side for a WebSocket endpoint: `ws://h:p/ws` → `http://h:p` (`wss` → `https`), keeping a path prefix. */
export function httpBaseUrl(webSocketUrl: string): string {
  const url = new URL(webSocketUrl);
  const scheme = { 'ws:': 'http:', 'wss:': 'https:', 'http:': 'http:', 'https:': 'https:' }[url.protocol];
  if (scheme === undefined) throw new TypeError(`Cannot derive the HTTP address of ${url.protocol}// URL: expected ws:, wss:, http: or https:`);
  const path = url.pathname.replace(/\/+$/, '').replace(/\/ws$/, '');
  return `${scheme}//${url.host}${path}`;
}

/**
 * A failure of the HTTP transfer itself rather than a refusal by the server: the network, a
 * timeout, a proxy's error page. Always worth retrying.
 */
export class TransferNetworkError extends Error {
  /** The HTTP status, when an answer came at all. */
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TransferNetworkError';
    this.status = options.status;
  }
}

/** What {@link FileHttp} needs from the client around it. */
export interface FileHttpOptions {
  /** The server's HTTP base, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  fetch: FetchLike;
  /** The session token to present, or null when signed out. */
  getToken(): string | null;
  timers: Timers;
  /** A request without its answer (the whole body, for downloads) after this long is abandoned. */
  requestTimeoutMs: number;
}

/** A downloaded range and the file's full length, as `Content-Range` gives it. */
export interface FileRange {
  bytes: Uint8Array;
  /** The file's whole length. */
  size: number;
}

/** Longest error body read from the server; anything longer is not our JSON anyway. */
const MAX_ERROR_BODY_CHARS = 4096;

/**
 * The two HTTP endpoints of file transfer: `PUT /files/uploads/<uploadId>/<index>` and
 * `GET /files/<fileId>` with `Range`. Turns the server's JSON errors into `RpcError`s and anything
 * else that went wrong on the way into {@link TransferNetworkError}. No retries here.
 */
export class FileHttp {
  readonly #options: FileHttpOptions;

  constructor(options: FileHttpOptions) {
    this.#options = options;
  }

  /** Where a file is served: `GET` with `authorization: Bearer <token>`, `Range` supported. */
  fileUrl(fileId: string): string {
    return `${this.#options.baseUrl}/files/${encodeURIComponent(fileId)}`;
  }

  /** Stores one part of an upload; the server checks it against `sha256`. */
  async putPart(uploadId: string, index: number, bytes: Uint8Array, sha256: string, signal?: AbortSignal): Promise<void> {
    const what = `Cannot upload part ${index} of upload ${uploadId}`;
    const url = `${this.#options.baseUrl}/files/uploads/${encodeURIComponent(uploadId)}/${index}`;
    await this.#fetch(what, url, { method: 'PUT', headers: { 'x-part-sha256': sha256, 'content-type': 'application/octet-stream' }, body: bytes as Uint8Array<ArrayBuffer> }, signal, async (response) => {
      if (response.status !== 200 && response.status !== 201 && response.status !== 204) {
        throw new ProtocolError(`${what}: the server answered HTTP ${response.status}`);
      }
      // The body (`{"ok":true}`) carries nothing more; read it so the connection can be reused.
      await response.arrayBuffer();
    });
  }

  /** Bytes `[start, end]` (inclusive) of a file, checked against the `Content-Range` the server answers with. */
  async getRange(fileId: string, start: number, end: number, signal?: AbortSignal): Promise<FileRange> {
    const what = `Cannot download bytes ${start}-${end} of file ${fileId}`;
    const expected = end - start + 1;
    return this.#fetch(what, this.fileUrl(fileId), { method: 'GET', headers: { range: `bytes=${start}-${end}` } }, signal, async (response) => {
      if (response.status === 200) {
        // A server that ignores Range answers with the whole file: usable only when that is all we asked for.
        const length = Number(response.headers.get('content-length'));
        if (start !== 0 || !Number.isSafeInteger(length) || length > expected) {
          await response.body?.cancel();
          throw new ProtocolError(`${what}: the server ignored the Range header`);
        }
        const bytes = new Uint8Array(await response.arrayBuffer());
        if (bytes.length !== length) throw new TransferNetworkError(`${what}: got ${bytes.length} of ${length} bytes`);
        return { bytes, size: bytes.length };
      }
      if (response.status !== 206) {
        await response.body?.cancel();
        throw new ProtocolError(`${what}: the server answered HTTP ${response.status}`);
      }
      const range = parseContentRange(response.headers.get('content-range'));
      if (range === null || range.start !== start || range.end > end || (range.end !== end && range.end !== range.size - 1)) {
        await response.body?.cancel();
        throw new ProtocolError(`${what}: the server answered Content-Range ${JSON.stringify(response.headers.get('content-range'))}`);
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      const length = range.end - range.start + 1;
      if (bytes.length !== length) throw new TransferNetworkError(`${what}: got ${bytes.length} of ${length} bytes`);
      return { bytes, size: range.size };
    });
  }

  /**
   * Sends one request with the session token and a timeout, and hands a successful answer to
   * `read`; errors become `RpcError` (the server's JSON) or {@link TransferNetworkError}.
   */
  async #fetch<T>(what: string, url: string, init: RequestInit, signal: AbortSignal | undefined, read: (response: Response) => Promise<T>): Promise<T> {
    const token = this.#options.getToken();
    if (token === null) throw new RpcError('AUTH_KEY_UNREGISTERED', `${what}: not signed in`);
    const { controller, dispose } = linkedController(signal);
    const { timers, requestTimeoutMs } = this.#options;
    let isTimedOut = false;
    const timer = timers.setTimeout(() => {
      isTimedOut = true;
      controller.abort();
    }, requestTimeoutMs);
    try {
      const response = await this.#options.fetch(url, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
        signal: controller.signal,
      });
      if (!response.ok) throw await errorOf(what, response);
      return await read(response);
    } catch (error) {
      if (isTimedOut) throw new TransferNetworkError(`${what}: no answer within ${requestTimeoutMs} ms`, { cause: error });
      if (signal?.aborted === true) throw abortReason(signal);
      if (error instanceof RpcError || error instanceof ProtocolError || error instanceof TransferNetworkError) throw error;
      // fetch rejects with a TypeError when the network fails; a body cut short rejects while reading.
      throw new TransferNetworkError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    } finally {
      timers.clearTimeout(timer);
      dispose();
    }
  }
}

/** `bytes 0-99/1234` → its numbers; null for anything else (`*` lengths included). */
export function parseContentRange(header: string | null): { start: number; end: number; size: number } | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header?.trim() ?? '');
  if (match === null) return null;
  const [start, end, size] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (![start, end, size].every(Number.isSafeInteger) || start > end || end >= size) return null;
  return { start, end, size };
}

/**
 * The error an HTTP answer that is not ok stands for: the server's `{"code","message"}` as an
 * `RpcError` (parsed at this edge: anything that is not exactly that shape is not trusted), or a
 * {@link TransferNetworkError} for what a proxy or a crashed server sends.
 */
async function errorOf(what: string, response: Response): Promise<Error> {
  let text = '';
  try {
    text = (await response.text()).slice(0, MAX_ERROR_BODY_CHARS);
  } catch {
    // The body broke off: the status is all there is to go on.
  }
  const body = parseJsonObject(text);
  const code = body?.['code'];
  if (body !== null && isErrorCode(code)) {
    const message = typeof body['message'] === 'string' && body['message'] !== '' ? body['message'] : ERROR_CATALOG[code].message;
    const retryAfter = body['retryAfterSeconds'];
    const retryAfterSeconds = typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined;
    return new RpcError(code, message, retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
  }
  return new TransferNetworkError(`${what}: the server answered HTTP ${response.status}`, { status: response.status });
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
