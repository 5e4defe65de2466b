import type { Message } from '@samizdat/protocol';
import { SamizdatClient } from '@samizdat/client';
import { WebSocket } from 'ws';
import { percentile, round } from './stats.ts';

export interface OneToOneParams {
  /** Sender→recipient pairs, each sender and recipient its own connection. */
  pairs: number;
  messagesPerSender: number;
  /** Sends each sender keeps unacknowledged at once. */
  window: number;
}

export interface OneToOneResult {
  messages: number;
  seconds: number;
  /** Messages acknowledged to their sender AND delivered to their recipient, per second. */
  messagesPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
}

async function device(url: string, phone: string): Promise<SamizdatClient> {
  const client = new SamizdatClient({ url, WebSocket: WebSocket as never });
  await client.connect();
  const { phoneCodeHash } = await client.sendCode(phone);
  const code = phone.charAt(6).repeat(5);
  const signIn = await client.signIn({ phone, phoneCodeHash, code, deviceName: 'bench' });
  if (signIn.type === 'signUpRequired') await client.signUp({ phone, phoneCodeHash, code, displayName: phone });
  return client;
}

/**
 * Durable 1:1 delivery, all online: every sender sends to its own recipient with a fixed window of
 * unacked sends; the clock stops when the last message is both acked and delivered.
 */
export async function runOneToOne(url: string, params: OneToOneParams): Promise<OneToOneResult> {
  const senders: SamizdatClient[] = [];
  const recipients: SamizdatClient[] = [];
  for (let i = 0; i < params.pairs; i++) {
    senders.push(await device(url, `+99966${1 + (i % 9)}${String(i).padStart(4, '0')}`));
    recipients.push(await device(url, `+99966${1 + (i % 9)}${String(5000 + i).padStart(4, '0')}`));
  }
  const total = params.pairs * params.messagesPerSender;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let delivered = 0;
  let allDelivered!: () => void;
  const done = new Promise<void>((resolve) => (allDelivered = resolve));
  for (const recipient of recipients) {
    recipient.on('message', (message: Message) => {
      const started = sentAt.get(message.randomId);
      if (started === undefined) return;
      latencies.push(performance.now() - started);
      if (++delivered === total) allDelivered();
    });
  }
  const started = performance.now();
  await Promise.all(
    senders.map(async (sender, index) => {
      const peer = { type: 'user' as const, userId: recipients[index]!.user!.id };
      let next = 0;
      const lane = async () => {
        while (next < params.messagesPerSender) {
          const n = next++;
          const randomId = `b${index}x${n}x${started.toFixed(0)}`;
          sentAt.set(randomId, performance.now());
          await sender.sendMessage(peer, `benchmark message ${n} from sender ${index}`, { randomId });
        }
      };
      await Promise.all(Array.from({ length: params.window }, lane));
    }),
  );
  await done;
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  await Promise.all([...senders, ...recipients].map((client) => client.close()));
  return {
    messages: total,
    seconds: round(seconds, 3),
    messagesPerSecond: Math.round(total / seconds),
    latencyMs: { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)), max: round(latencies.at(-1) ?? Number.NaN) },
  };
}
