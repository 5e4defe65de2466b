import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { PROTOCOL_VERSION } from '@samizdat/protocol';
import { handleFileRoute, type FileRoutesDeps } from './file-routes.ts';
import type { BotApi } from '../bot-api/bot-api-routes.ts';
import { handleTransparencyRoute, type TransparencyRoutesDeps } from './transparency-routes.ts';

const LANDING_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Samizdat</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}
@media (prefers-color-scheme: dark){body{background:#111;color:#eee}}code{background:#8882;padding:0 .3em;border-radius:4px}</style>
</head><body>
<h1>Samizdat server</h1>
<p>The server is running. Clients connect over WebSocket at <code>/ws</code> (protocol version ${PROTOCOL_VERSION}).</p>
<p>Use the CLI: <code>samizdat login --server http://HOST:PORT --phone +NUMBER</code>.</p>
<p><a href="/transparency">Transparency report</a>: what was blocked and what authorities asked for, with a signed log anyone can verify.</p>
</body></html>`;

/** Where the web client's built files are, if the server serves them. */
export interface WebRootDeps {
  /** An absolute folder: its files are served at `/`, its `index.html` for `/` and unknown page paths. */
  webRoot?: string;
}

/**
 * The plain HTTP side of the server: the Bot API, files, the public transparency report and log, a health
 * check, and at `/` either the web client (with `webRoot`) or a landing page.
 */
export function createHttpHandler(deps: FileRoutesDeps & TransparencyRoutesDeps & WebRootDeps & { botApi?: BotApi }) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (deps.botApi !== undefined && (path.startsWith('/bot') || path.startsWith('/file/bot')) && deps.botApi.handle(request, response, path)) return;
    if (path.startsWith('/files/')) {
      void handleFileRoute(deps, request, response, path).then((handled) => {
        if (!handled) response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      });
      return;
    }
    if (path === '/transparency' || path.startsWith('/transparency.') || path.startsWith('/transparency/')) {
      void handleTransparencyRoute(deps, request, response, path).then((handled) => {
        if (!handled) response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      });
      return;
    }
    if (deps.webRoot !== undefined && path !== '/healthz' && path !== '/ws' && (request.method === 'GET' || request.method === 'HEAD')) {
      void serveWebRoot(deps.webRoot, request, response, path).catch(() => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end();
      });
      return;
    }
    handleHttp(request, response, path);
  };
}

/** Content types of the files a web build holds; anything else goes out as bytes. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Build output with a content hash in its name (Vite's `assets/`): never changes, so cached for good. */
const IMMUTABLE_PREFIX = '/assets/';

/**
 * Serves a file of the web client's build, or its `index.html` for a page path (no file
 * extension) that names no file, so that the app's own routes survive a reload. A missing file
 * with an extension is a 404, not the page.
 */
async function serveWebRoot(webRoot: string, request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    response.writeHead(400, { 'content-type': 'text/plain' }).end('Bad path');
    return;
  }
  const file = resolve(join(webRoot, decoded));
  const isInside = file === webRoot || file.startsWith(webRoot.endsWith(sep) ? webRoot : webRoot + sep);
  if (!isInside || decoded.includes('\0')) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  const found = await fileStat(file);
  if (found !== null && decoded !== '/' && !decoded.endsWith('/')) {
    sendFile(request, response, file, found, { isImmutable: decoded.startsWith(IMMUTABLE_PREFIX) });
    return;
  }
  const isPage = extname(decoded) === '' || decoded.endsWith('/');
  const index = join(webRoot, 'index.html');
  const indexStat = isPage ? await fileStat(index) : null;
  if (indexStat === null) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  sendFile(request, response, index, indexStat, { isImmutable: false });
}

async function fileStat(file: string): Promise<{ size: number; mtimeMs: number } | null> {
  try {
    const found = await stat(file);
    return found.isFile() ? found : null;
  } catch {
    return null;
  }
}

function sendFile(request: IncomingMessage, response: ServerResponse, file: string, found: { size: number; mtimeMs: number }, options: { isImmutable: boolean }): void {
  const etag = `"${found.size.toString(16)}-${Math.floor(found.mtimeMs).toString(16)}"`;
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    // Hashed assets never change; everything else (index.html above all) is checked each time,
    // so a new build reaches every browser on its next load.
    'cache-control': options.isImmutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    etag,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "frame-ancestors 'none'",
  };
  if (request.headers['if-none-match'] === etag) {
    response.writeHead(304, headers).end();
    return;
  }
  headers['content-length'] = String(found.size);
  response.writeHead(200, headers);
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response);
}

function handleHttp(request: IncomingMessage, response: ServerResponse, path: string): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (path === '/') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff' }).end(LANDING_PAGE);
    return;
  }
  if (path === '/healthz') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, protocolVersion: PROTOCOL_VERSION, pid: process.pid }));
    return;
  }
  response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
}
