import type { WebSocket, WebSocketServer } from 'ws';

/**
 * Pings every connection each `intervalMs` and drops the ones that did not answer the previous
 * ping: a peer that vanished without closing (a phone that lost signal) would otherwise hold its
 * socket and its subscriptions forever.
 */
export function startHeartbeat(wss: WebSocketServer, intervalMs: number): () => void {
  const answered = new WeakMap<WebSocket, boolean>();
  wss.on('connection', (ws) => {
    answered.set(ws, true);
    ws.on('pong', () => answered.set(ws, true));
  });
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (answered.get(ws) === false) {
        ws.terminate();
        continue;
      }
      answered.set(ws, false);
      ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
