import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TransparencyReport } from '@samizdat/protocol';
import type { TransparencyLog } from '../safety/transparency-log.ts';
import type { Logger } from '../shared/logger.ts';

export interface TransparencyRoutesDeps {
  transparency: TransparencyLog;
  logger: Logger;
}

const PATHS = new Set(['/transparency', '/transparency.json', '/transparency/log']);

/**
 * The public, unauthenticated transparency pages (SPEC [TR1], [TR6]): `GET /transparency` (HTML),
 * `GET /transparency.json` (the report) and `GET /transparency/log` (the signed log). No cookie or
 * token is read; anyone, including a browser on another origin, may fetch them.
 * Returns false when the path is not one of these.
 */
export async function handleTransparencyRoute(deps: TransparencyRoutesDeps, request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> {
  if (!PATHS.has(path)) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return true;
  }
  try {
    if (path === '/transparency/log') sendJson(response, await deps.transparency.entries());
    else if (path === '/transparency.json') sendJson(response, await deps.transparency.report());
    else {
      response
        .writeHead(200, { ...COMMON_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" })
        .end(renderTransparencyPage(await deps.transparency.report()));
    }
  } catch (error) {
    deps.logger.log('error', 'http.transparency_failed', { path, error: String(error) });
    if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' }).end('Internal server error');
    else response.destroy();
  }
  return true;
}

/** Public data, fetched fresh: any origin may read it, and no cache should serve an old log as current. */
const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', 'access-control-allow-origin': '*' };

function sendJson(response: ServerResponse, value: unknown): void {
  response.writeHead(200, { ...COMMON_HEADERS, 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(value));
}

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The report as a page: two tables, and where to fetch the JSON and the signed log. Every value is escaped. */
export function renderTransparencyPage(report: TransparencyReport): string {
  const e = (value: string | number) => escapeHtml(String(value));
  const blockRows = report.blocks
    .map((b) => `<tr><td>${e(b.date)}</td><td>${e(b.category)}</td><td>${e(b.count)}</td></tr>`)
    .join('\n');
  const requestRows = report.lawfulRequests
    .map((r) => `<tr><td>${e(r.quarter)}</td><td>${e(r.country)}</td><td>${e(r.received)}</td><td>${e(r.approved)}</td><td>${e(r.refused)}</td><td>${e(r.usersAffected)}</td></tr>`)
    .join('\n');
  const none = (columns: number) => `<tr><td colspan="${columns}">None.</td></tr>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Samizdat — transparency report</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:3rem auto;padding:0 1rem;color:#222}
@media (prefers-color-scheme: dark){body{background:#111;color:#eee}}table{border-collapse:collapse;margin:1rem 0}
td,th{border:1px solid #8886;padding:.2rem .6rem;text-align:left}code{background:#8882;padding:0 .3em;border-radius:4px}</style>
</head><body>
<h1>Transparency report</h1>
<p>Generated ${e(new Date(report.generatedAt * 1000).toISOString())}. Public chats are blocked only for the categories below;
there is no category for political speech. A lawful request can only ever disclose an account's phone number and the
IP addresses its sessions used within the retention window — never messages, files, contacts or chats.</p>
<h2>Public channels and groups blocked, per day (UTC)</h2>
<table><thead><tr><th>Date</th><th>Category</th><th>Blocked</th></tr></thead><tbody>
${blockRows || none(3)}
</tbody></table>
<h2>Lawful requests, per country and quarter received</h2>
<table><thead><tr><th>Quarter</th><th>Country</th><th>Received</th><th>Approved</th><th>Refused</th><th>Users affected</th></tr></thead><tbody>
${requestRows || none(6)}
</tbody></table>
<p>Machine-readable: <a href="/transparency.json">/transparency.json</a>. Every block and every disclosure is also an entry in the
<a href="/transparency/log">signed, hash-chained log</a>; check it with <code>samizdat transparency verify URL</code>.</p>
</body></html>`;
}
