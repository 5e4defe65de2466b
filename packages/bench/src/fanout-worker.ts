/**
 * A load-generator process of the channel fan-out benchmark, forked by `channel-fanout.ts`. It holds
 * a share of the subscribers of each run: signs them up over the protocol and joins them to the
 * channel (`prepare`), later brings them online by token (`connect`), notes when each receives a
 * post (`collect`), and takes them offline again (`disconnect`). Accounts seeded into the database
 * come as tokens instead (`adopt`). Talks to its parent over IPC.
 */
import { assertNever } from '@samizdat/protocol';
import { CallError, signUpTestNumber, WireClient } from './wire-client.ts';

/** What the parent asks of a worker; each request gets exactly one reply, in order. */
export type WorkerRequest =
  | {
      kind: 'prepare';
      runId: number;
      url: string;
      localAddress: string;
      phones: string[];
      chatId: number;
      /** Sign-ups this worker runs at once. */
      concurrency: number;
    }
  /** Takes session tokens made elsewhere (accounts seeded into the database) as a run's subscribers. */
  | { kind: 'adopt'; runId: number; tokens: string[] }
  | { kind: 'connect'; runId: number; url: string; localAddress: string; concurrency: number }
  | { kind: 'collect'; randomId: string; timeoutMs: number }
  | { kind: 'disconnect' }
  | { kind: 'exit' };

/** What a worker answers. */
export type WorkerReply =
  | { kind: 'prepared'; accounts: number; failures: number; firstFailure: string | null; seconds: number }
  | { kind: 'adopted'; accounts: number }
  | { kind: 'connected'; online: number; failures: number; firstFailure: string | null; seconds: number }
  | {
      kind: 'collected';
      randomId: string;
      /** Receive times, `performance.timeOrigin + performance.now()` in ms, comparable across processes. */
      receivedAt: number[];
      /** Subscribers online that had not received the post when the wait ended. */
      missing: number;
      /** Subscriber connections lost since they came online. */
      dropped: number;
    }
  | { kind: 'disconnected' }
  | { kind: 'exiting' }
  | { kind: 'failed'; error: string };

/** Session tokens of each run's subscribers, kept between `prepare` and `connect`. */
const tokensByRun = new Map<number, string[]>();
let online: WireClient[] = [];
const received = new Map<string, number[]>();
const waiters = new Map<string, () => void>();
let dropped = 0;

function send(reply: WorkerReply): void {
  process.send!(reply);
}

/** Records a pushed post; the clock is read first, as the frame arrives, before any parsing. */
function onPush(text: string): void {
  const at = performance.timeOrigin + performance.now();
  if (!text.startsWith('{"type":"chatUpdate"')) return;
  const frame = JSON.parse(text) as { update: { type: string; message?: { randomId: string } } };
  if (frame.update.type !== 'newMessage' || frame.update.message === undefined) return;
  const randomId = frame.update.message.randomId;
  let times = received.get(randomId);
  if (times === undefined) received.set(randomId, (times = []));
  times.push(at);
  if (times.length >= online.length) waiters.get(randomId)?.();
}

/** Retries a step that failed for a passing reason: a flood wait, an internal error, a dropped connection. */
async function withRetries<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const isPassing = !(error instanceof CallError) || error.code === 'FLOOD_WAIT' || error.code === 'INTERNAL';
      if (!isPassing || attempt >= 4) throw error;
      const waitMs = error instanceof CallError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : 200 * attempt;
      await new Promise((done) => setTimeout(done, waitMs));
    }
  }
}

/** Runs `step` over `items`, `concurrency` at a time, counting failures instead of stopping. */
async function pool<T>(items: readonly T[], concurrency: number, step: (item: T) => Promise<void>) {
  const started = performance.now();
  let next = 0;
  let failures = 0;
  let firstFailure: string | null = null;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await withRetries(() => step(item));
      } catch (error) {
        failures += 1;
        firstFailure ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return { failures, firstFailure, seconds: (performance.now() - started) / 1000 };
}

async function prepare(request: Extract<WorkerRequest, { kind: 'prepare' }>): Promise<void> {
  const tokens: string[] = [];
  tokensByRun.set(request.runId, tokens);
  const outcome = await pool(request.phones, request.concurrency, async (phone) => {
    const setup = await WireClient.open(request.url, { localAddress: request.localAddress });
    try {
      await setup.hello();
      const { token } = await signUpTestNumber(setup, phone, `Subscriber ${phone.slice(-5)}`);
      await setup.call('chats.join', { chatId: request.chatId });
      tokens.push(token);
    } finally {
      await setup.close();
    }
  });
  send({ kind: 'prepared', accounts: tokens.length, ...outcome });
}

async function connect(request: Extract<WorkerRequest, { kind: 'connect' }>): Promise<void> {
  dropped = 0;
  const outcome = await pool(tokensByRun.get(request.runId) ?? [], request.concurrency, async (token) => {
    // Online the way a device comes back: a connection that resumes its session by token.
    const client = await WireClient.open(request.url, { localAddress: request.localAddress, onPush });
    try {
      await client.hello(token);
    } catch (error) {
      await client.close();
      throw error;
    }
    client.ws.once('close', () => (dropped += 1));
    online.push(client);
  });
  send({ kind: 'connected', online: online.length, ...outcome });
}

async function collect(request: Extract<WorkerRequest, { kind: 'collect' }>): Promise<void> {
  const hasAll = () => (received.get(request.randomId)?.length ?? 0) >= online.length;
  if (!hasAll()) {
    await new Promise<void>((done) => {
      const timer = setTimeout(done, request.timeoutMs);
      waiters.set(request.randomId, () => (clearTimeout(timer), done()));
    });
  }
  waiters.delete(request.randomId);
  const receivedAt = received.get(request.randomId) ?? [];
  received.delete(request.randomId);
  send({ kind: 'collected', randomId: request.randomId, receivedAt, missing: Math.max(0, online.length - receivedAt.length), dropped });
}

async function disconnect(): Promise<void> {
  const closing = online;
  online = [];
  await Promise.all(closing.map((client) => client.close()));
  send({ kind: 'disconnected' });
}

process.on('message', (request: WorkerRequest) => {
  const run = (): Promise<void> => {
    switch (request.kind) {
      case 'prepare':
        return prepare(request);
      case 'adopt':
        tokensByRun.set(request.runId, request.tokens);
        send({ kind: 'adopted', accounts: request.tokens.length });
        return Promise.resolve();
      case 'connect':
        return connect(request);
      case 'collect':
        return collect(request);
      case 'disconnect':
        return disconnect();
      case 'exit':
        send({ kind: 'exiting' });
        process.disconnect();
        return Promise.resolve();
      default:
        return assertNever(request);
    }
  };
  run().catch((error: unknown) => send({ kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});
