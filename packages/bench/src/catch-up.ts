/**
 * Catch-up: one user's device goes away; `updates` updates are made for that user (messages from
 * several senders, sent as fast as the server takes them); the device comes back with the SDK and its
 * persisted state (token and pts), so it resumes from its pts with `updates.getDifference` slices.
 * The clock runs from `connect()` until the SDK has handed the app every one of those messages.
 * This is done for `samples` users in turn, each away for its own updates, and the median is
 * reported: one sample on this shared 2-core machine varies by a third from run to run.
 */
import { SamizdatClient, MemoryStore } from '@samizdat/client';
import { MAX_DIFFERENCE_SLICE, type Message } from '@samizdat/protocol';
import { WebSocket } from 'ws';
import type { ServerProcess } from './server-control.ts';
import { round } from './stats.ts';
import { signUpTestNumber, testPhone, WireClient } from './wire-client.ts';

export interface CatchUpParams {
  /** Updates made while the device is away. */
  updates: number;
  /** Senders that make them, in parallel. */
  senders: number;
  /** Sends each sender keeps unacked. */
  window: number;
  timeoutMs: number;
  /** Users who each come back once; the median is reported. */
  samples: number;
}

/** One user's return. */
interface CatchUpSample {
  updates: number;
  /** Seconds the senders took to make them (acked). */
  makeSeconds: number;
  /** From `connect()` of the returning device until it had every update. */
  catchUpMs: number;
  updatesPerSecond: number;
  /** The device's pts before and after, and the difference slice size of the server. */
  ptsBefore: number;
  ptsAfter: number;
  sliceSize: number;
  /** Of which the welcome (hello with the stored token) took. */
  welcomeMs: number;
}

/** The median sample, and every sample's time. */
export interface CatchUpResult extends CatchUpSample {
  samplesMs: number[];
}

export async function runCatchUp(server: ServerProcess, params: CatchUpParams): Promise<CatchUpResult> {
  const senders: WireClient[] = [];
  try {
    for (let index = 0; index < params.senders; index++) {
      const sender = await WireClient.open(server.url);
      await sender.hello();
      await signUpTestNumber(sender, testPhone(70_001 + index), `Catch-up sender ${index}`);
      senders.push(sender);
    }
    const samples: CatchUpSample[] = [];
    // Each sample is another user away for as many updates, so none catches up on what another already read.
    for (let sample = 0; sample < params.samples; sample++) samples.push(await catchUpOnce(server, senders, testPhone(69_999 - sample), sample, params));
    const median = [...samples].sort((a, b) => a.catchUpMs - b.catchUpMs)[Math.floor(samples.length / 2)]!;
    return { ...median, samplesMs: samples.map((sample) => sample.catchUpMs) };
  } finally {
    await Promise.all(senders.map((sender) => sender.close()));
  }
}

async function catchUpOnce(server: ServerProcess, senders: WireClient[], phone: string, sample: number, params: CatchUpParams): Promise<CatchUpSample> {
  const store = new MemoryStore();
  const first = new SamizdatClient({ url: server.url, WebSocket: WebSocket as never, store });
  await first.connect();
  const { phoneCodeHash } = await first.sendCode(phone);
  await first.signUp({ phone, phoneCodeHash, code: phone.charAt(6).repeat(5), displayName: `Away device ${sample}` });
  const userId = first.user!.id;
  const ptsBefore = first.pts ?? 0;
  // The device goes away; its token and pts stay in the store.
  await first.close();

  const makeStarted = performance.now();
  const perSender = Math.ceil(params.updates / senders.length);
  let made = 0;
  await Promise.all(
    senders.map(async (sender, senderIndex) => {
      let next = 0;
      const lane = async () => {
        while (next < perSender && made < params.updates) {
          const n = next++;
          made += 1;
          await sender.call('messages.send', { peer: { type: 'user', userId }, text: `catch-up ${senderIndex}/${n}`, randomId: `catchup-${sample}-${senderIndex}-${n}` });
        }
      };
      await Promise.all(Array.from({ length: params.window }, lane));
    }),
  );
  const makeSeconds = (performance.now() - makeStarted) / 1000;

  // The device comes back.
  const device = new SamizdatClient({ url: server.url, WebSocket: WebSocket as never, store });
  let received = 0;
  let allReceived!: () => void;
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  device.on('message', (message: Message) => {
    if (message.text.startsWith('catch-up ') && ++received === made) allReceived();
  });
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await device.connect();
    const welcomeMs = performance.now() - started;
    await Promise.race([
      done,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Cannot catch up: ${received} of ${made} updates after ${params.timeoutMs} ms`)), params.timeoutMs);
      }),
    ]);
    const catchUpMs = performance.now() - started;
    return {
      updates: made,
      makeSeconds: round(makeSeconds, 2),
      catchUpMs: round(catchUpMs),
      updatesPerSecond: Math.round(made / (catchUpMs / 1000)),
      ptsBefore,
      ptsAfter: device.pts ?? Number.NaN,
      sliceSize: MAX_DIFFERENCE_SLICE,
      welcomeMs: round(welcomeMs),
    };
  } finally {
    clearTimeout(timer);
    await device.close();
  }
}
