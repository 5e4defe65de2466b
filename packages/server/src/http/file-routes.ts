import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { ERROR_CATALOG, RpcError } from '@samizdat/protocol';
import type { Sessions } from '../accounts/sessions.ts';
import type { ContentStore } from '../files/content-store.ts';
import type { FileService } from '../files/file-service.ts';
import type { UploadService } from '../files/upload-service.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';

const UPLOAD_PART = /^\/files\/uploads\/([0-9a-f]{32})\/(\d{1,7})$/;
const DOWNLOAD = /^\/files\/([0-9a-f]{32})$/;

export interface FileRoutesDeps {
  sessions: Sessions;
  uploads: UploadService;
  files: FileService;
  store: ContentStore;
  clock: Clock;
  logger: Logger;
}

/**
 * The HTTP side of files: `PUT /files/uploads/<id>/<index>` takes one part (raw body, its SHA-256
 * in `x-part-sha256`), `GET /files/<id>` serves a file with Range. Both need the session token as
 * `Authorization: Bearer`. Bodies stream straight to and from disk.
 * Returns false when the path is not one of these.
 */
export async function handleFileRoute(deps: FileRoutesDeps, request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> {
  const part = UPLOAD_PART.exec(path);
  const download = DOWNLOAD.exec(path);
  if (part === null && download === null) {
    sendError(response, 404, 'FILE_ID_INVALID', 'Cannot read file: no such file');
    return true;
  }
  try {
    const userId = await authenticate(deps, request);
    if (part !== null) {
      if (request.method !== 'PUT') return sendError(response, 405, 'FRAME_INVALID', 'Parts are sent with PUT'), true;
      const sha256 = String(request.headers['x-part-sha256'] ?? '');
      if (!/^[0-9a-f]{64}$/i.test(sha256)) throw new RpcError('FILE_PART_HASH_INVALID', 'Cannot store part: the x-part-sha256 header must be the hex SHA-256 of the body');
      await deps.uploads.putPart(userId, part[1]!, Number(part[2]), sha256, request);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return true;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendError(response, 405, 'FRAME_INVALID', 'Files are read with GET'), true;
    await serveFile(deps, userId, download![1]!, request, response);
  } catch (error) {
    if (error instanceof RpcError) sendError(response, ERROR_CATALOG[error.code].httpStatus, error.code, error.message, error.retryAfterSeconds);
    else if (!response.headersSent) {
      deps.logger.log('error', 'http.files_failed', { path: path.slice(0, 80), error: String(error) });
      sendError(response, 500, 'INTERNAL', ERROR_CATALOG.INTERNAL.message);
    } else response.destroy();
  }
  return true;
}

async function authenticate(deps: FileRoutesDeps, request: IncomingMessage): Promise<number> {
  const token = /^Bearer\s+(\S{1,128})$/i.exec(request.headers.authorization ?? '')?.[1];
  if (token === undefined) throw new RpcError('AUTH_KEY_UNREGISTERED', 'Files need the session token in an Authorization: Bearer header');
  const session = await deps.sessions.authenticate(token, { ip: request.socket.remoteAddress ?? 'unknown', nowSeconds: unixSeconds(deps.clock) });
  if (session === null) throw new RpcError('AUTH_KEY_UNREGISTERED', 'The session token is unknown or was ended');
  return session.userId;
}

async function serveFile(deps: FileRoutesDeps, userId: number, fileId: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const file = await deps.files.readable(userId, fileId);
  const range = parseRange(request.headers.range, file.size);
  const headers: Record<string, string | number> = {
    'content-type': file.mime_type,
    'accept-ranges': 'bytes',
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    'cache-control': 'private, max-age=31536000, immutable',
    etag: `"${file.sha256}"`,
    'x-content-type-options': 'nosniff',
  };
  if (range === 'unsatisfiable') {
    response.writeHead(416, { ...headers, 'content-range': `bytes */${file.size}` }).end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: file.size - 1 };
  const status = range === null ? 200 : 206;
  if (range !== null) headers['content-range'] = `bytes ${start}-${end}/${file.size}`;
  response.writeHead(status, { ...headers, 'content-length': Math.max(0, end - start + 1) });
  if (request.method === 'HEAD' || file.size === 0) {
    response.end();
    return;
  }
  await pipeline(deps.store.read(file.sha256, { start, end }), response);
}

/** One byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`), null for none, or 'unsatisfiable'. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

function sendError(response: ServerResponse, status: number, code: string, message: string, retryAfterSeconds?: number): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', connection: 'close' };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  response.writeHead(status, headers).end(JSON.stringify(retryAfterSeconds === undefined ? { code, message } : { code, message, retryAfterSeconds }));
}
