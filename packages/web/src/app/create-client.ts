import { SamizdatClient } from '@samizdat/client';
import { IndexedDbClientStore } from '../storage/idb-client-store.ts';

/** The server's WebSocket endpoint on the page's own origin: `/ws` over `ws:` or `wss:`. */
export function webSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

/** The page's SDK client: the browser's WebSocket and fetch, state in IndexedDB. */
export function createClient(): SamizdatClient {
  return new SamizdatClient({
    url: webSocketUrl(window.location),
    store: new IndexedDbClientStore(),
    // Reconnect quickly when the network comes back, but never hammer the server.
    reconnect: { minDelayMs: 250, maxDelayMs: 5_000 },
    requestTimeoutMs: 30_000,
  });
}
