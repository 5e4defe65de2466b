import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { textFrame } from './prepared-frame.ts';

test('a prepared text frame has the header of RFC 6455 §5.7 for each length encoding', () => {
  // §5.7's examples, with the text opcode: "Hello" unmasked, then 256 bytes and 64 KiB in one frame.
  assert.deepEqual([...textFrame(Buffer.from('Hello'))], [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
  assert.deepEqual([...textFrame(Buffer.alloc(256, 0x61)).subarray(0, 4)], [0x81, 0x7e, 0x01, 0x00]);
  assert.deepEqual([...textFrame(Buffer.alloc(65_536, 0x61)).subarray(0, 10)], [0x81, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00]);
  assert.equal(textFrame(Buffer.alloc(125)).length, 127, 'up to 125 bytes the length is in the second byte');
  assert.equal(textFrame(Buffer.alloc(65_535)).length, 65_539, 'up to 65,535 bytes it takes 16 bits');
});

test('a WebSocket client reads prepared frames written to the socket, in order with frames ws sends itself', async () => {
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true });
  const texts = ['short', 'é'.repeat(100), 'x'.repeat(70_000)];
  http.on('upgrade', (request, socket, head) => {
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.send('from ws first');
      for (const text of texts) socket.write(textFrame(Buffer.from(text)));
      ws.send('from ws last');
    });
  });
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
  const received: { text: string; isBinary: boolean }[] = [];
  await new Promise<void>((done) =>
    client.on('message', (data, isBinary) => {
      received.push({ text: String(data), isBinary });
      if (received.length === texts.length + 2) done();
    }),
  );
  assert.deepEqual(received, ['from ws first', ...texts, 'from ws last'].map((text) => ({ text, isBinary: false })));
  client.close();
  wss.close();
  http.close();
});
