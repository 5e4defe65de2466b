import type { WebSocket, WebSocketServer } from 'ws';

/**
 * Pings every connection each `intervalMs` and drops the ones that did not answer the previous
 * ping: a peer that vanished without closing (a phone that lost signal) would otherwise hold its
 * socket and its subscriptions forever. Between rounds it holds nothing per connection but one
 * shared pong listener: at 100,000 connections, a map entry and a closure each would show.
 */
export function startHeartbeat(wss: WebSocketServer, openSockets: ReadonlySet<WebSocket>, intervalMs: number): () => void {
  /** Pinged in the last round and not yet answered; made anew each round, so closed connections leave it. */
  let unanswered = new Set<WebSocket>();
  const answered = function (this: WebSocket) {
    unanswered.delete(this);
  };
  wss.on('connection', (ws) => {
    ws.on('pong', answered);
  });
  const timer = setInterval(() => {
    const pinged = new Set<WebSocket>();
    for (const ws of openSockets) {
      if (unanswered.has(ws)) {
        ws.terminate();
        continue;
      }
      pinged.add(ws);
      ws.ping();
    }
    unanswered = pinged;
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    unanswered.clear();
  };
}
