import { CliError } from './cli-error.ts';

/**
 * Reads the URL a user gives for a server (`http://host:port`, optionally with a path prefix when
 * the server sits behind a proxy) and returns it without a trailing slash, as the profile keeps it.
 * `ws://` and `wss://` are accepted too, and a trailing `/ws` is dropped, so either form works.
 */
export function normalizeServerUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new CliError('USAGE_INVALID', `Cannot read server URL "${input}": expected http(s)://host:port`);
  }
  const scheme = { 'http:': 'http:', 'https:': 'https:', 'ws:': 'http:', 'wss:': 'https:' }[url.protocol];
  if (scheme === undefined || url.hostname === '') {
    throw new CliError('USAGE_INVALID', `Cannot read server URL "${input}": expected http(s)://host:port`);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new CliError('USAGE_INVALID', `Cannot read server URL "${input}": credentials, query and fragment are not supported`);
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/ws$/, '');
  return `${scheme}//${url.host}${path}`;
}

/** The WebSocket endpoint of a server: `http://host:port` → `ws://host:port/ws` (https → wss). */
export function webSocketUrl(serverUrl: string): string {
  const normalized = normalizeServerUrl(serverUrl);
  return `${normalized.replace(/^http/, 'ws')}/ws`;
}
