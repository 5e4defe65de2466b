import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RpcError } from '@samizdat/protocol';
import { ProtocolError } from './client-errors.ts';
import { FileHttp, TransferNetworkError, httpBaseUrl, parseContentRange, type FetchLike } from './file-http.ts';
import { FakeTimers } from './testing/fake-timers.ts';

interface Request {
  url: string;
  init: RequestInit;
}

/** A FileHttp on a scripted fetch, recording what was asked. */
function setup(answer: (request: Request) => Response | Promise<Response>, options: { token?: string | null } = {}) {
  const requests: Request[] = [];
  const fetch: FetchLike = async (url, init) => {
    requests.push({ url, init });
    return answer({ url, init });
  };
  const timers = new FakeTimers();
  const http = new FileHttp({
    baseUrl: 'http://files.test:8080',
    fetch,
    getToken: () => (options.token === undefined ? 'secret-token' : options.token),
    timers,
    requestTimeoutMs: 1000,
  });
  return { http, requests, timers };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

test('[SDK34] the HTTP base comes from the WebSocket URL: scheme swapped, /ws dropped, a path prefix kept', () => {
  assert.equal(httpBaseUrl('ws://127.0.0.1:8080/ws'), 'http://127.0.0.1:8080');
  assert.equal(httpBaseUrl('wss://chat.example/ws'), 'https://chat.example');
  assert.equal(httpBaseUrl('wss://example.org/samizdat/ws/'), 'https://example.org/samizdat');
  assert.equal(httpBaseUrl('http://h:1/'), 'http://h:1');
  assert.throws(() => httpBaseUrl('ftp://h/ws'), TypeError);
});

test('[SDK34] a part goes out as PUT with the token, its SHA-256 and the raw bytes', async () => {
  const { http, requests } = setup(() => json(200, { ok: true }));
  const bytes = new Uint8Array([1, 2, 3]);
  await http.putPart('up/1', 7, bytes, 'ab'.repeat(32));
  const [request] = requests;
  assert.equal(request?.url, 'http://files.test:8080/files/uploads/up%2F1/7');
  assert.equal(request?.init.method, 'PUT');
  const headers = request?.init.headers as Record<string, string>;
  assert.equal(headers['authorization'], 'Bearer secret-token');
  assert.equal(headers['x-part-sha256'], 'ab'.repeat(32));
  assert.equal(request?.init.body, bytes);
});

test('[SDK34] error answers become RpcErrors with their code and retry-after; anything else is a TransferNetworkError', async () => {
  const answers = [
    json(400, { code: 'FILE_PART_HASH_INVALID', message: 'Part 7 does not match its SHA-256' }),
    json(420, { code: 'FLOOD_WAIT', message: 'slow down', retryAfterSeconds: 3 }),
    json(400, { code: 'NOT_A_REAL_CODE', message: 'x' }),
    new Response('<html>Bad gateway</html>', { status: 502 }),
  ];
  const { http } = setup(() => answers.shift() ?? json(500, {}));
  await assert.rejects(http.putPart('u', 0, new Uint8Array(1), 'h'), (error: unknown) => {
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, 'FILE_PART_HASH_INVALID');
    assert.equal(error.message, 'Part 7 does not match its SHA-256');
    return true;
  });
  await assert.rejects(http.putPart('u', 0, new Uint8Array(1), 'h'), (error: unknown) => error instanceof RpcError && error.retryAfterSeconds === 3);
  await assert.rejects(http.putPart('u', 0, new Uint8Array(1), 'h'), (error: unknown) => error instanceof TransferNetworkError && error.status === 400);
  await assert.rejects(http.putPart('u', 0, new Uint8Array(1), 'h'), (error: unknown) => error instanceof TransferNetworkError && error.status === 502);
});

test('[SDK34] a failing network and a request without an answer become TransferNetworkErrors', async () => {
  const failing = setup(() => Promise.reject(new TypeError('fetch failed')));
  await assert.rejects(failing.http.putPart('u', 0, new Uint8Array(1), 'h'), (error: unknown) => error instanceof TransferNetworkError && error.status === undefined);

  const hanging = setup(
    ({ init }) =>
      new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))),
  );
  const putting = hanging.http.putPart('u', 0, new Uint8Array(1), 'h');
  const checked = assert.rejects(putting, (error: unknown) => error instanceof TransferNetworkError && /no answer within 1000 ms/.test(error.message));
  await hanging.timers.advance(1000);
  await checked;
});

test('[SDK34] a caller abort rejects with its reason, not as a network failure', async () => {
  const { http } = setup(
    ({ init }) => new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))),
  );
  const controller = new AbortController();
  const putting = http.putPart('u', 0, new Uint8Array(1), 'h', controller.signal);
  controller.abort(new Error('user cancelled'));
  await assert.rejects(putting, /user cancelled/);
});

test('[SDK34] without a session nothing is sent', async () => {
  const { http, requests } = setup(() => json(200, {}), { token: null });
  await assert.rejects(http.getRange('f', 0, 9), (error: unknown) => error instanceof RpcError && error.code === 'AUTH_KEY_UNREGISTERED');
  assert.equal(requests.length, 0);
});

test('[SDK32] a range is asked with Range and read with its Content-Range', async () => {
  const body = new Uint8Array([5, 6, 7, 8]);
  const { http, requests } = setup(() => new Response(body, { status: 206, headers: { 'content-range': 'bytes 4-7/20' } }));
  const range = await http.getRange('file-1', 4, 7);
  assert.deepEqual([...range.bytes], [5, 6, 7, 8]);
  assert.equal(range.size, 20);
  assert.equal((requests[0]?.init.headers as Record<string, string>)['range'], 'bytes=4-7');
  assert.equal(requests[0]?.url, 'http://files.test:8080/files/file-1');
});

test('[SDK32] the last range may end early at the end of the file', async () => {
  const { http } = setup(() => new Response(new Uint8Array([9, 9]), { status: 206, headers: { 'content-range': 'bytes 18-19/20' } }));
  const range = await http.getRange('f', 18, 30);
  assert.equal(range.bytes.length, 2);
});

test('[SDK32] answers that do not match the range asked for are ProtocolErrors or retryable short reads', async () => {
  const cases: [Response, (error: unknown) => boolean][] = [
    [new Response(new Uint8Array(4), { status: 206, headers: { 'content-range': 'bytes 0-3/20' } }), (error) => error instanceof ProtocolError],
    [new Response(new Uint8Array(4), { status: 206 }), (error) => error instanceof ProtocolError],
    [new Response(new Uint8Array(20), { status: 200, headers: { 'content-length': '20' } }), (error) => error instanceof ProtocolError],
    [new Response(new Uint8Array(2), { status: 206, headers: { 'content-range': 'bytes 4-7/20' } }), (error) => error instanceof TransferNetworkError],
  ];
  for (const [response, isExpected] of cases) {
    const { http } = setup(() => response);
    await assert.rejects(http.getRange('f', 4, 7), isExpected);
  }
});

test('[SDK32] a server that ignores Range may answer a first range that covers the whole file', async () => {
  const { http } = setup(() => new Response(new Uint8Array([1, 2, 3]), { status: 200, headers: { 'content-length': '3' } }));
  const range = await http.getRange('f', 0, 1023);
  assert.deepEqual([...range.bytes], [1, 2, 3]);
  assert.equal(range.size, 3);
});

test('[SDK32] parseContentRange reads complete ranges only', () => {
  assert.deepEqual(parseContentRange('bytes 0-99/1234'), { start: 0, end: 99, size: 1234 });
  for (const header of [null, 'bytes */1234', 'bytes 0-99/*', 'bytes 5-4/10', 'bytes 0-10/10', 'items 0-1/2']) {
    assert.equal(parseContentRange(header), null, String(header));
  }
});
