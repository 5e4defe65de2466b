import type { WebSocket, WebSocketServer } from 'ws';

/** Each interval's pings are spread over this many ticks: 100,000 at once would stall every other send. */
const TICKS_PER_INTERVAL = 10;

/**
 * Pings every connection once each `intervalMs` and drops the ones that did not answer the ping
 * before: a peer that vanished without closing (a phone that lost signal) would otherwise hold its
 * socket and its subscriptions forever. A round of pings is spread over the interval, a tenth of the
 * connections at each tick. It holds nothing per connection but one shared pong listener and its
 * place in the sets of the last two rounds: at 100,000 connections, a map entry and a closure each
 * would show.
 */
export function startHeartbeat(wss: WebSocketServer, openSockets: ReadonlySet<WebSocket>, intervalMs: number): () => void {
  /** Pinged in the round before this one and not answered since: dropped when this round reaches them. */
  let unanswered = new Set<WebSocket>();
  /** Pinged in this round and not answered yet. */
  let pinged = new Set<WebSocket>();
  let round: Iterator<WebSocket> | null = null;
  const answered = function (this: WebSocket) {
    unanswered.delete(this);
    pinged.delete(this);
  };
  wss.on('connection', (ws) => {
    ws.on('pong', answered);
  });
  const tick = () => {
    round ??= openSockets.values();
    for (let quota = Math.ceil(openSockets.size / TICKS_PER_INTERVAL); quota > 0; quota -= 1) {
      const next = round.next();
      if (next.done) {
        // A socket that closed in the meantime leaves with the set it was in.
        unanswered = pinged;
        pinged = new Set();
        round = null;
        return;
      }
      const ws = next.value;
      if (unanswered.has(ws)) {
        ws.terminate();
        continue;
      }
      pinged.add(ws);
      ws.ping();
    }
  };
  const timer = setInterval(tick, intervalMs / TICKS_PER_INTERVAL);
  timer.unref();
  return () => {
    clearInterval(timer);
    unanswered.clear();
    pinged.clear();
  };
}
