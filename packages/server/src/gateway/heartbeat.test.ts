import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mock, test } from 'node:test';
import type { WebSocket, WebSocketServer } from 'ws';
import { startHeartbeat } from './heartbeat.ts';

/** Just what the heartbeat uses of a socket: ping, terminate and the pong event. */
class PingCountingSocket extends EventEmitter {
  pings = 0;
  terminated = false;
  ping(): void {
    this.pings += 1;
  }
  terminate(): void {
    this.terminated = true;
  }
}

test('a heartbeat round spreads its pings over the interval, and drops at the next round only the sockets that did not answer', () => {
  mock.timers.enable({ apis: ['setInterval'] });
  try {
    const wss = new EventEmitter() as unknown as WebSocketServer;
    const sockets = Array.from({ length: 100 }, () => new PingCountingSocket());
    const stop = startHeartbeat(wss, new Set(sockets as unknown as WebSocket[]), 1000);
    for (const socket of sockets) wss.emit('connection', socket);
    const pinged = () => sockets.reduce((sum, socket) => sum + socket.pings, 0);

    mock.timers.tick(100);
    assert.equal(pinged(), 10, 'a tenth of the connections at the first tick');
    mock.timers.tick(900);
    assert.equal(pinged(), 100, 'all of them within the interval');
    for (const socket of sockets.slice(0, 50)) socket.emit('pong');
    mock.timers.tick(1200);
    assert.deepEqual(sockets.map((socket) => socket.terminated), [...Array(50).fill(false), ...Array(50).fill(true)], 'the silent half is dropped');
    assert.ok(sockets.slice(0, 50).every((socket) => socket.pings === 2), 'the answering half is pinged again');
    stop();
  } finally {
    mock.timers.reset();
  }
});
