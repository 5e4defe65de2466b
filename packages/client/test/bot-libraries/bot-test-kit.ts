/**
 * Shared plumbing of the bot-library compatibility tests: an in-process Samizdat server, a user
 * signed in through the SDK, bots created by that user, and helpers to talk to a bot as a user
 * and to wait for what the bot says back.
 *
 * The bots themselves are written in each test file with the library's own API, as its docs show.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileInfo, Message, Peer } from '@samizdat/protocol';
// The server is started in-process for these tests only; the SDK itself never imports it.
import { createMemoryLogger, type RunningServer } from '@samizdat/server';
import { startServerUnderTest } from '@samizdat/server/testing';
import { WebSocket } from 'ws';
import { MemoryStore } from '../../src/client-store.ts';
import { bytesSource } from '../../src/file-source.ts';
import { SamizdatClient, type SamizdatClientEvents } from '../../src/samizdat-client.ts';

/** A bot created by the kit's user. */
export interface TestBot {
  id: number;
  token: string;
  username: string;
  /** The private chat of the user with this bot, as the user addresses it. */
  peer: Peer;
}

export interface BotTestKit {
  server: RunningServer;
  /** What the libraries get as their API root: `<apiRoot>/bot<token>/<method>`. */
  apiRoot: string;
  user: SamizdatClient;
  userId: number;
  /** Every message the user's device saw (sent and received), in arrival order. */
  readonly messages: Message[];
  /** Every edited message the user's device saw, in arrival order. */
  readonly edits: Message[];
  /** Every typing notice (chat actions) the user's device saw, in arrival order. */
  readonly typing: SamizdatClientEvents['typing'][];
  /** Creates a bot owned by the user (usernames must end in "bot"). */
  createBot(username: string, displayName?: string): Promise<TestBot>;
  /** The user sends `text` to `bot`. */
  sendText(bot: TestBot, text: string): Promise<Message>;
  /** The user uploads `bytes` and sends them to `bot` as a document. */
  sendDocument(bot: TestBot, bytes: Uint8Array, name: string, mimeType?: string, caption?: string): Promise<{ message: Message; file: FileInfo }>;
  /** The next (or an already seen) message from `bot` that matches; fails early once `botErrors` has any. */
  waitForBotMessage(bot: TestBot, predicate: (message: Message) => boolean, what: string, botErrors?: readonly unknown[], timeoutMs?: number): Promise<Message>;
  /** The next (or an already seen) edit of a message of `bot` that matches; fails early once `botErrors` has any. */
  waitForBotEdit(bot: TestBot, predicate: (message: Message) => boolean, what: string, botErrors?: readonly unknown[], timeoutMs?: number): Promise<Message>;
  /** The user presses an inline button with callback data under a message of `bot`. */
  pressButton(bot: TestBot, messageId: number, data: string): Promise<{ message: string | null; alert: boolean; url: string | null }>;
  /** The user downloads a file through the SDK. */
  download(fileId: string): Promise<Buffer>;
  /** Closes the user's client, stops the server and removes its data. */
  close(): Promise<void>;
}

/** Test numbers (`+99966XYYYY`) sign in with the code `XXXXX`, without delivery. */
function testPhone(digit: number, suffix: number): { phone: string; code: string } {
  return { phone: `+99966${digit}${String(suffix).padStart(4, '0')}`, code: String(digit).repeat(5) };
}

/**
 * Polls `predicate` until it returns a value, or fails with `what` after `timeoutMs`. When the
 * bot under test reported errors into `botErrors`, fails at once with them (no point waiting).
 */
export async function until<T>(predicate: () => T | undefined | null | false, what: () => string, timeoutMs = 20_000, botErrors?: readonly unknown[]): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = predicate();
    if (value !== undefined && value !== null && value !== false) return value;
    if (botErrors !== undefined && botErrors.length > 0) throw new Error(`The bot failed while waiting for ${what()}: ${botErrors.map(describeBotError).join(' | ')}`);
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what()}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** What a library's API error says: the method called and the server's answer. */
export function describeBotError(error: unknown): string {
  const e = error as {
    error?: unknown;
    method?: string;
    error_code?: number;
    description?: string;
    on?: { method?: string };
    response?: { error_code?: number; description?: string; body?: unknown; statusCode?: number };
    message?: string;
  };
  if (e !== null && typeof e === 'object') {
    if (e.error !== undefined && e.error !== null && typeof e.error === 'object' && 'ctx' in e) return describeBotError(e.error); // grammY's BotError
    if (typeof e.method === 'string' && typeof e.error_code === 'number') return `${e.method} → ${e.error_code} ${e.description ?? ''}`; // GrammyError
    if (e.on?.method !== undefined && e.response !== undefined) return `${e.on.method} → ${e.response.error_code} ${e.response.description ?? ''}`; // Telegraf's TelegramError
    if (e.response?.body !== undefined) return `${e.message ?? ''} (HTTP ${e.response.statusCode} ${JSON.stringify(e.response.body)})`; // node-telegram-bot-api
  }
  return String(error);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function randomDocument(size = 4096): Buffer {
  return randomBytes(size);
}

export { makePng } from '../png.ts';

let nextRandomId = 0;

/**
 * Starts a server and signs a user in. `digit` picks the test phone number (one per test file,
 * so files may run in parallel without sharing anything but the machine).
 */
export async function startBotTestKit(digit: number): Promise<BotTestKit> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samizdat-bot-libraries-'));
  let server: RunningServer | undefined;
  let user: SamizdatClient | undefined;
  try {
    server = await startServerUnderTest({ port: 0, host: '127.0.0.1', dataDir, testNumbers: true, logger: createMemoryLogger() });
    user = new SamizdatClient({
      url: server.wsUrl,
      WebSocket,
      store: new MemoryStore(),
      reconnect: { minDelayMs: 20, maxDelayMs: 200 },
      gapTimeoutMs: 100,
      requestTimeoutMs: 20_000,
    });
    const messages: Message[] = [];
    const edits: Message[] = [];
    const typing: SamizdatClientEvents['typing'][] = [];
    user.on('message', (message) => messages.push(message));
    user.on('messageEdited', (message) => edits.push(message));
    user.on('typing', (frame) => typing.push(frame));
    await user.connect();
    const { phone, code } = testPhone(digit, 1);
    const { phoneCodeHash } = await user.sendCode(phone);
    const result = await user.signIn({ phone, phoneCodeHash, code, deviceName: 'bot library tests' });
    if (result.type === 'signUpRequired') await user.signUp({ phone, phoneCodeHash, code, displayName: 'Bot Tester' });
    const userId = user.user?.id ?? 0;
    if (userId === 0) throw new Error('the user is not signed in');
    const running = server;
    const client = user;

    const fromBot = (bot: TestBot, message: Message) => message.senderId === bot.id;
    const describe = (list: Message[]) => JSON.stringify(list.map((m) => ({ id: m.id, from: m.senderId, text: m.text, media: m.media?.kind ?? null, markup: m.replyMarkup?.type ?? null })));

    return {
      server: running,
      apiRoot: running.httpUrl,
      user: client,
      userId,
      messages,
      edits,
      typing,
      async createBot(username, displayName = 'Test bot') {
        const { user: botUser, token } = await client.call('bots.create', { username, displayName });
        return { id: botUser.id, token, username, peer: { type: 'user', userId: botUser.id } };
      },
      async sendText(bot, text) {
        return client.call('messages.send', { peer: bot.peer, text, randomId: `bot-lib-${Date.now()}-${nextRandomId++}` }).then((result) => result.message);
      },
      async sendDocument(bot, bytes, name, mimeType = 'application/octet-stream', caption = '') {
        const file = await client.uploadFile(bytesSource(bytes), { name, mimeType });
        const { message } = await client.call('messages.send', {
          peer: bot.peer,
          text: caption,
          randomId: `bot-lib-${Date.now()}-${nextRandomId++}`,
          media: { fileId: file.id, kind: 'document' },
        });
        return { message, file };
      },
      waitForBotMessage(bot, predicate, what, botErrors, timeoutMs = 20_000) {
        return until(
          () => messages.find((message) => fromBot(bot, message) && predicate(message)),
          () => `${what}; messages seen: ${describe(messages)}`,
          timeoutMs,
          botErrors,
        );
      },
      waitForBotEdit(bot, predicate, what, botErrors, timeoutMs = 20_000) {
        return until(
          () => edits.find((message) => fromBot(bot, message) && predicate(message)),
          () => `${what}; edits seen: ${describe(edits)}`,
          timeoutMs,
          botErrors,
        );
      },
      pressButton(bot, messageId, data) {
        return client.call('messages.getBotCallbackAnswer', { peer: bot.peer, messageId, data });
      },
      async download(fileId) {
        const chunks: Uint8Array[] = [];
        await client.downloadFile(fileId, (bytes) => void chunks.push(bytes.slice()));
        return Buffer.concat(chunks);
      },
      async close() {
        await client.close().catch(() => {});
        await running.close().catch(() => {});
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await user?.close().catch(() => {});
    await server?.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A plain Bot API call, for the tests' own checks (never for the bots' logic, which uses each
 * library). Throws with the whole answer when it is not ok.
 */
export async function botApi<T = unknown>(apiRoot: string, token: string, method: string, params: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${apiRoot}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  const text = await response.text();
  let body: { ok?: boolean; result?: T } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // reported below
  }
  if (body.ok !== true) throw new Error(`${method} ${JSON.stringify(params)} → HTTP ${response.status} ${text}`);
  return body.result as T;
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
