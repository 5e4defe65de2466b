/**
 * A load-generator process of the durable 1:1 workload, forked by `one-to-one.ts`. It holds some
 * sender→recipient pairs with BOTH ends in this process, so that send→deliver latency is read on one
 * clock. Raw protocol (`wire-client.ts`), not the SDK: at tens of thousands of messages a second the
 * SDK's own per-message work (outbox, persisted state, update sequencing) would cost the load
 * generators more CPU than the server's work, on a machine with 2 cores shared by both.
 *
 * Modes: `saturate` (each sender keeps `window` sends unacked, until `messagesPerSender` are done) and
 * `rate` (a fixed offered rate, timer-driven, spread evenly over the senders, for a fixed time).
 */
import { assertNever } from '@samizdat/protocol';
import { signUpTestNumber, WireClient } from './wire-client.ts';

export type OneToOneWorkerRequest =
  | { kind: 'prepare'; url: string; localAddress: string; pairs: { sender: string; recipient: string }[] }
  | { kind: 'saturate'; pairs: number; messagesPerSender: number; window: number; startAt: number; timeoutMs: number }
  | { kind: 'rate'; messagesPerSecond: number; durationMs: number; startAt: number; drainTimeoutMs: number }
  | { kind: 'disconnect' };

export interface RunReport {
  /** Messages handed to a socket. */
  sent: number;
  /** Acked by the server AND delivered to the recipient. */
  completed: number;
  /** Acked but not delivered, or not acked, when the run ended. */
  incomplete: number;
  failures: number;
  firstFailure: string | null;
  /** `performance.timeOrigin + performance.now()`, comparable across processes. */
  startedAt: number;
  /** When the last message was both acked and delivered. */
  lastCompletedAt: number;
  /** Send→deliver of each completed message, ms, sorted. */
  latenciesMs: number[];
  /** Send→ack of each acked message, ms, sorted. */
  ackMs: number[];
  /** This process's CPU seconds (user + system) during the run. */
  cpuSeconds: number;
}

export type OneToOneWorkerReply =
  | { kind: 'prepared'; pairs: number }
  | ({ kind: 'ran' } & RunReport)
  | { kind: 'disconnected' }
  | { kind: 'failed'; error: string };

const now = () => performance.timeOrigin + performance.now();
const send = (reply: OneToOneWorkerReply) => process.send!(reply);

interface Pair {
  sender: WireClient;
  recipient: WireClient;
  recipientId: number;
}

let pairs: Pair[] = [];
let run = 0;

/** One message's progress: sent at, then whether acked and delivered. */
interface InFlight {
  sentAt: number;
  /** 0 until acked. */
  ackedAt: number;
  /** 0 until delivered. */
  deliveredAt: number;
}
let inFlight = new Map<string, InFlight>();
let onComplete: (() => void) | null = null;
let report: RunReport | null = null;

function completeIfDone(randomId: string, entry: InFlight): void {
  if (entry.ackedAt === 0 || entry.deliveredAt === 0 || report === null) return;
  inFlight.delete(randomId);
  report.completed += 1;
  report.lastCompletedAt = Math.max(report.lastCompletedAt, entry.ackedAt, entry.deliveredAt);
  report.latenciesMs.push(entry.deliveredAt - entry.sentAt);
  onComplete?.();
}

/** A recipient's push: finds the randomId without parsing the whole frame. */
function onPush(text: string): void {
  const at = now();
  if (!text.includes('"newMessage"')) return;
  const key = '"randomId":"';
  const start = text.indexOf(key);
  if (start < 0) return;
  const end = text.indexOf('"', start + key.length);
  const randomId = text.slice(start + key.length, end);
  const entry = inFlight.get(randomId);
  if (entry === undefined || entry.deliveredAt !== 0) return;
  entry.deliveredAt = at;
  completeIfDone(randomId, entry);
}

async function prepare(request: Extract<OneToOneWorkerRequest, { kind: 'prepare' }>): Promise<void> {
  pairs = [];
  for (const { sender: senderPhone, recipient: recipientPhone } of request.pairs) {
    const sender = await WireClient.open(request.url, { localAddress: request.localAddress });
    await sender.hello();
    await signUpTestNumber(sender, senderPhone, `Sender ${senderPhone.slice(-5)}`);
    const recipient = await WireClient.open(request.url, { localAddress: request.localAddress, onPush });
    await recipient.hello();
    const { userId } = await signUpTestNumber(recipient, recipientPhone, `Recipient ${recipientPhone.slice(-5)}`);
    pairs.push({ sender, recipient, recipientId: userId });
  }
  send({ kind: 'prepared', pairs: pairs.length });
}

function startReport(): RunReport {
  run += 1;
  inFlight = new Map();
  report = { sent: 0, completed: 0, incomplete: 0, failures: 0, firstFailure: null, startedAt: 0, lastCompletedAt: 0, latenciesMs: [], ackMs: [], cpuSeconds: 0 };
  return report;
}

/** Sends one message and notes its ack; never rejects (a failure is counted). */
function sendOne(pair: Pair, pairIndex: number, n: number, current: RunReport): Promise<void> {
  const randomId = `r${run}p${process.pid}i${pairIndex}n${n}`;
  const entry: InFlight = { sentAt: now(), ackedAt: 0, deliveredAt: 0 };
  inFlight.set(randomId, entry);
  current.sent += 1;
  return pair.sender.call('messages.send', { peer: { type: 'user', userId: pair.recipientId }, text: `benchmark message ${n}`, randomId }).then(
    () => {
      entry.ackedAt = now();
      current.ackMs.push(entry.ackedAt - entry.sentAt);
      // The push may come before the ack: then the message completes at its ack.
      completeIfDone(randomId, entry);
    },
    (error: unknown) => {
      inFlight.delete(randomId);
      current.failures += 1;
      current.firstFailure ??= error instanceof Error ? error.message : String(error);
    },
  );
}

const sleepUntil = (at: number) => new Promise((done) => setTimeout(done, Math.max(0, at - now())));

/** Resolves when every message sent so far has completed (or failed), or after `timeoutMs`. */
function drained(timeoutMs: number): Promise<void> {
  if (inFlight.size === 0) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => ((onComplete = null), done()), timeoutMs);
    onComplete = () => {
      if (inFlight.size > 0) return;
      clearTimeout(timer);
      onComplete = null;
      done();
    };
  });
}

function finish(current: RunReport, cpuBefore: NodeJS.CpuUsage): void {
  const cpu = process.cpuUsage(cpuBefore);
  current.incomplete = inFlight.size;
  current.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  current.latenciesMs.sort((a, b) => a - b);
  current.ackMs.sort((a, b) => a - b);
  report = null;
  send({ kind: 'ran', ...current });
}

async function saturate(request: Extract<OneToOneWorkerRequest, { kind: 'saturate' }>): Promise<void> {
  const current = startReport();
  await sleepUntil(request.startAt);
  const cpuBefore = process.cpuUsage();
  current.startedAt = now();
  // The first `request.pairs` pairs of this process take part.
  await Promise.all(
    pairs.slice(0, request.pairs).map(async (pair, pairIndex) => {
      let next = 0;
      const lane = async () => {
        while (next < request.messagesPerSender) await sendOne(pair, pairIndex, next++, current);
      };
      await Promise.all(Array.from({ length: request.window }, lane));
    }),
  );
  // Every send is acked; the last deliveries may still be on their way.
  await drained(request.timeoutMs);
  finish(current, cpuBefore);
}

async function rate(request: Extract<OneToOneWorkerRequest, { kind: 'rate' }>): Promise<void> {
  const current = startReport();
  await sleepUntil(request.startAt);
  const cpuBefore = process.cpuUsage();
  const started = now();
  current.startedAt = started;
  const total = Math.round((request.messagesPerSecond * request.durationMs) / 1000);
  let sent = 0;
  // Each tick sends what is due by then, round-robin over the pairs, so the offered load stays at the
  // rate whatever the timer's jitter, and never waits for acks (an open loop).
  await new Promise<void>((done) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((now() - started) * request.messagesPerSecond) / 1000));
      while (sent < due) {
        const pairIndex = sent % pairs.length;
        void sendOne(pairs[pairIndex]!, pairIndex, sent, current);
        sent += 1;
      }
      if (sent >= total) {
        clearInterval(timer);
        done();
      }
    };
    const timer = setInterval(tick, 1);
  });
  await drained(request.drainTimeoutMs);
  finish(current, cpuBefore);
}

async function disconnect(): Promise<void> {
  const closing = pairs;
  pairs = [];
  await Promise.all(closing.flatMap((pair) => [pair.sender.close(), pair.recipient.close()]));
  send({ kind: 'disconnected' });
}

process.on('message', (request: OneToOneWorkerRequest) => {
  const step = (): Promise<void> => {
    switch (request.kind) {
      case 'prepare':
        return prepare(request);
      case 'saturate':
        return saturate(request);
      case 'rate':
        return rate(request);
      case 'disconnect':
        return disconnect();
      default:
        return assertNever(request);
    }
  };
  step().catch((error: unknown) => send({ kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});
