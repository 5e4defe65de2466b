import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROTOCOL_VERSION } from '@samizdat/protocol';
import { handleFileRoute, type FileRoutesDeps } from './file-routes.ts';
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

/** The plain HTTP side of the server: files, the public transparency report and log, a landing page and a health check. */
export function createHttpHandler(deps: FileRoutesDeps & TransparencyRoutesDeps) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
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
    handleHttp(request, response, path);
  };
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
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, protocolVersion: PROTOCOL_VERSION }));
    return;
  }
  response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
}
