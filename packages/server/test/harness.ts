import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION, type ServerFrame, type Update } from '@samizdat/protocol';
import WebSocket from 'ws';
import { createMemoryLogger, type ServerOptions } from '../src/index.ts';
import { startServerUnderTest } from './server-under-test.ts';

/** Tests sign many accounts up from one address; the per-IP limits have tests of their own. */
export const TEST_AUTH_LIMITS = { codesPerIp: { limit: 100_000, windowMs: 3_600_000 }, signInsPerIp: { limit: 100_000, windowMs: 3_600_000 } };

/**
 * A server on a free loopback port with its own temporary data folder, removed on `stop`: one
 * process, or a cluster when the run sets SAMIZDAT_TEST_WORKERS (see `server-under-test.ts`).
 */
export async function startTestServer(options: ServerOptions = {}) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'samizdat-test-'));
  const logger = createMemoryLogger();
  const authLimits = { ...TEST_AUTH_LIMITS, ...options.authLimits };
  const server = await startServerUnderTest({ port: 0, host: '127.0.0.1', testNumbers: true, logger, ...options, authLimits, dataDir });
  return {
    server,
    logger,
    dataDir,
    async stop(options: { keepData?: boolean } = {}) {
      await server.close();
      if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A bare protocol client for tests that must see every frame: it speaks JSON frames over `ws`
 * and nothing more (the SDK is tested on its own).
 */
export class RawClient {
  readonly frames: ServerFrame[] = [];
  /** Every frame this client sent, as text: what the server received from it. */
  readonly sent: string[] = [];
  readonly updates: Update[] = [];
  readonly chatUpdates: { chatId: number; update: Update }[] = [];
  #nextId = 1;
  #waiters = new Map<number, (frame: ServerFrame) => void>();
  #closed: Promise<{ code: number }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      this.frames.push(frame);
      if (frame.type === 'update') this.updates.push(frame.update);
      if (frame.type === 'chatUpdate') this.chatUpdates.push({ chatId: frame.chatId, update: frame.update });
      if ((frame.type === 'result' || frame.type === 'error') && frame.id !== null) this.#waiters.get(frame.id)?.(frame);
    });
    this.#closed = new Promise((done) => ws.on('close', (code) => done({ code })));
  }

  /** Opens a connection; `localAddress` (e.g. 127.0.0.2) makes it come from another loopback IP. */
  static async open(url: string, options: { localAddress?: string } = {}): Promise<RawClient> {
    const ws = new WebSocket(url, options);
    await new Promise<void>((done, fail) => {
      ws.once('open', () => done());
      ws.once('error', fail);
    });
    return new RawClient(ws);
  }

  /** Sends a frame with a fresh id and resolves with the answer to it. */
  request(frame: Record<string, unknown>): Promise<ServerFrame> {
    const id = this.#nextId++;
    const answer = new Promise<ServerFrame>((done) => this.#waiters.set(id, done));
    const text = JSON.stringify({ ...frame, id });
    this.sent.push(text);
    this.ws.send(text);
    return answer;
  }

  hello(token?: string) {
    return this.request({ type: 'hello', protocolVersion: PROTOCOL_VERSION, ...(token ? { token } : {}) });
  }

  /** Calls a method and returns its result, throwing the error frame as is when it fails. */
  async call(method: string, params: unknown = {}): Promise<any> {
    const frame = await this.request({ type: 'call', method, params });
    if (frame.type === 'error') throw Object.assign(new Error(`${frame.code}: ${frame.message}`), frame);
    return (frame as { result: unknown }).result;
  }

  sendRaw(data: string | Buffer): void {
    if (typeof data === 'string') this.sent.push(data);
    this.ws.send(data);
  }

  closed() {
    return this.#closed;
  }

  close(): void {
    this.ws.close();
  }

  /** Waits until `predicate` holds for the chat updates received so far. */
  async waitForChatUpdates(predicate: (updates: { chatId: number; update: Update }[]) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.chatUpdates)) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for chat updates; have ${this.chatUpdates.length}`);
      await new Promise((done) => setTimeout(done, 5));
    }
  }

  /** Waits until `predicate` holds for the updates received so far. */
  async waitForUpdates(predicate: (updates: Update[]) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.updates)) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for updates; have ${this.updates.length}`);
      await new Promise((done) => setTimeout(done, 5));
    }
  }
}

/** Signs up (or in) the test number `+99966XYYYY` on a raw client and returns the authorization. */
export async function signUpTestUser(client: RawClient, phone: string, displayName = 'Test User') {
  await client.hello();
  const sent = await client.call('auth.sendCode', { phone });
  const code = phone.charAt(6).repeat(5);
  const signIn = await client.call('auth.signIn', { phone, phoneCodeHash: sent.phoneCodeHash, code });
  if (signIn.type === 'authorization') return signIn;
  return client.call('auth.signUp', { phone, phoneCodeHash: sent.phoneCodeHash, code, displayName });
}

/** Awaits a call that must fail with `code`, and returns its error for further checks. */
export async function rejects(promise: Promise<unknown>, code: string): Promise<any> {
  try {
    await promise;
  } catch (error) {
    assert.equal((error as { code?: string }).code, code, String(error));
    return error;
  }
  assert.fail(`expected ${code}`);
}

/** A signed-in test user: their connection, id, token, and a shortcut for calls. */
export interface TestUser {
  client: RawClient;
  id: number;
  token: string;
  phone: string;
  call: (method: string, params?: unknown) => Promise<any>;
}

/**
 * Makes test users on a server, each on its own connection (closed by `closeAll`), numbered from
 * `+99966X0001` on: give each test file its own X so their accounts never meet.
 */
export function testUsers(serverUrl: () => string, digit: number) {
  const clients: RawClient[] = [];
  let count = 0;
  return {
    async user(name: string): Promise<TestUser> {
      const client = await RawClient.open(serverUrl());
      clients.push(client);
      const phone = `+99966${digit}${String(++count).padStart(4, '0')}`;
      const auth = await signUpTestUser(client, phone, name);
      return { client, phone, id: auth.user.id, token: auth.token, call: (method, params = {}) => client.call(method, params) };
    },
    /** Signs `user` in on another connection: a second device, with a session of its own. */
    async device(user: TestUser): Promise<TestUser> {
      const client = await RawClient.open(serverUrl());
      clients.push(client);
      await client.hello();
      const sent = await client.call('auth.sendCode', { phone: user.phone });
      const code = user.phone.slice(6, 7).repeat(5);
      const auth = await client.call('auth.signIn', { phone: user.phone, phoneCodeHash: sent.phoneCodeHash, code, deviceName: 'second device' });
      return { client, phone: user.phone, id: user.id, token: auth.token, call: (method, params = {}) => client.call(method, params) };
    },
    /** Keeps an extra connection (a second device) to be closed with the rest. */
    track(client: RawClient): RawClient {
      clients.push(client);
      return client;
    },
    closeAll(): void {
      for (const client of clients) client.close();
    },
  };
}
