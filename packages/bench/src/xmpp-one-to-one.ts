/**
 * The durable 1:1 workload of `one-to-one.ts`, against an XMPP server (see `xmpp-servers.ts`) over XMPP
 * WebSocket with `@xmpp/client`: N senders to N recipients, all online, each sender with at most `window`
 * messages the server has not acknowledged yet. A message counts when the server has acknowledged it to
 * its sender (XEP-0198 stream management `<a h/>`) AND its recipient has it; the clock stops at the last.
 */
import { readFileSync } from 'node:fs';
import { WebSocket as WsWebSocket } from 'ws';
import { percentile, round } from './stats.ts';
import type { OneToOneParams, OneToOneResult } from './one-to-one.ts';
import type { XmppServer } from './xmpp-servers.ts';

export interface XmppOneToOneParams extends OneToOneParams {
  /**
   * Messages per second offered by all senders together, spread evenly over them (each still keeps at most
   * `window` unacked). Unset: as fast as the acks allow, as `one-to-one.ts` does.
   */
  offeredRate?: number;
  /** Gives up (rejects) when the run has not finished after this long; 300,000 unless set. */
  timeoutMs?: number;
}

export interface XmppOneToOneResult extends OneToOneResult {
  /** `ejabberd+mam`, `ejabberd`, `prosody`. */
  server: string;
  /** What acknowledges a send to its sender. */
  ackMechanism: 'xep-0198-stream-management';
  /** Debian package version of the server. */
  version: string;
  /** Seconds to bring all 2 × pairs clients online (SCRAM-SHA-1 sign-in, bind, stream management, presence). */
  connectSeconds: number;
  /**
   * CPU time spent during the measured period, in seconds: by this process (all the clients) and by the
   * server's process. Either close to `seconds` means that side used a whole core.
   */
  cpuSeconds: { loadGenerator: number; server: number | null };
  /** Server resident memory after the run, and its peak, in MiB. */
  serverMemoryMiB: { rss: number; peak: number } | null;
}

/** The part of `@xmpp/client` 0.14 used here (the package has no type declarations). */
interface XmlElement {
  name: string;
  attrs: Record<string, string | undefined>;
  is(name: string, xmlns?: string): boolean;
  getChildText(name: string, xmlns?: string): string | null;
}
interface StreamManagement {
  enabled: boolean;
  requestAckDebounce: number;
  requestAckInterval: number;
  on(event: 'ack' | 'fail', listener: (stanza: XmlElement) => void): void;
}
interface XmppClient {
  streamManagement: StreamManagement;
  iqCaller: { request(element: XmlElement, timeout?: number): Promise<XmlElement> };
  reconnect: { stop(): void };
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(element: XmlElement): Promise<void>;
  on(event: 'stanza', listener: (stanza: XmlElement) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}
interface XmppModule {
  client(options: { service: string; domain: string; username: string; password: string; resource?: string }): XmppClient;
  xml(name: string, attrs?: Record<string, string>, ...children: (XmlElement | string)[]): XmlElement;
}

async function loadXmpp(): Promise<XmppModule> {
  // Node 20 has no global WebSocket unless flagged; @xmpp/websocket uses the global one.
  if (typeof globalThis.WebSocket === 'undefined') (globalThis as { WebSocket?: unknown }).WebSocket = WsWebSocket;
  const name = '@xmpp/client';
  return (await import(name)) as XmppModule;
}

/** Wall clock in ms with sub-ms precision, comparable across processes on the machine. */
const now = () => performance.timeOrigin + performance.now();

/** Clock ticks the process has spent on CPU (user + system), from /proc/<pid>/stat. */
function processTicks(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime); fields[0] here is field 3.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}
const TICKS_PER_SECOND = 100;

async function connectClient(xmpp: XmppModule, server: XmppServer, index: number, created: XmppClient[]): Promise<XmppClient> {
  const user = server.users[index]!;
  const client = xmpp.client({
    service: server.wsUrl,
    domain: server.domain,
    username: user.jid.slice(0, user.jid.indexOf('@')),
    password: user.password,
    resource: 'bench',
  });
  client.on('error', () => {
    // Surfaced through the promises that wait on this client.
  });
  // One <r/> right after each run of sends (the next macrotask) instead of after 250 ms of quiet:
  // the window refills on acks, so a debounce would cap the rate at window / 250 ms per sender.
  client.streamManagement.requestAckDebounce = 0;
  created.push(client);
  await client.start();
  client.reconnect.stop();
  // `online` comes right after resource binding; <enabled/> answers the <enable/> sent after it.
  for (const deadline = Date.now() + 10_000; !client.streamManagement.enabled && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!client.streamManagement.enabled) throw new Error(`${server.name} did not enable XEP-0198 stream management for ${user.jid}`);
  // Available, so that messages to the bare JID are delivered to this resource (not stored offline);
  // the ping's answer says the server has handled the presence.
  await client.send(xmpp.xml('presence'));
  await client.iqCaller.request(xmpp.xml('iq', { type: 'get', to: server.domain }, xmpp.xml('ping', { xmlns: 'urn:xmpp:ping' })), 30_000);
  return client;
}

/** Closes every client's stream (at most 2 s each). */
async function stopClients(clients: XmppClient[]): Promise<void> {
  await Promise.all(clients.map((client) => Promise.race([client.stop().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000))])));
}

/** Runs `body` over `items`, at most `concurrency` at once. */
async function inParallel<T, R>(items: T[], concurrency: number, body: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await body(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

/**
 * Durable 1:1 delivery over XMPP, all online. `server.users` must hold at least 2 × pairs accounts:
 * the first `pairs` send, the next `pairs` receive.
 */
export async function runXmppOneToOne(server: XmppServer, params: XmppOneToOneParams): Promise<XmppOneToOneResult> {
  if (server.users.length < 2 * params.pairs) throw new Error(`Cannot run ${params.pairs} pairs on ${server.name}: it has ${server.users.length} users, ${2 * params.pairs} needed`);
  const xmpp = await loadXmpp();
  const connecting = performance.now();
  const created: XmppClient[] = [];
  let clients: XmppClient[];
  try {
    clients = await inParallel(
      Array.from({ length: 2 * params.pairs }, (_, i) => i),
      8,
      (i) => connectClient(xmpp, server, i, created),
    );
  } catch (error) {
    await stopClients(created);
    throw error;
  }
  const connectSeconds = (performance.now() - connecting) / 1000;
  const senders = clients.slice(0, params.pairs);
  const recipients = clients.slice(params.pairs);

  const total = params.pairs * params.messagesPerSender;
  const latencies: number[] = [];
  let delivered = 0;
  let allDelivered!: () => void;
  let failed!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    allDelivered = resolve;
    failed = reject;
  });
  const runTag = Math.random().toString(36).slice(2, 8);
  for (const recipient of recipients) {
    recipient.on('stanza', (stanza) => {
      if (!stanza.is('message')) return;
      const body = stanza.getChildText('body');
      if (body === null || !body.startsWith(`${runTag} `)) return;
      // "<tag> <sent at, ms> benchmark message …"
      const sentAt = Number(body.slice(runTag.length + 1, body.indexOf(' ', runTag.length + 1)));
      latencies.push(now() - sentAt);
      if (++delivered === total) allDelivered();
    });
  }
  // The server's ack of each send, by stanza id.
  const awaitingAck = new Map<string, () => void>();
  for (const sender of senders) {
    sender.streamManagement.on('ack', (stanza) => {
      const id = stanza.attrs.id;
      if (id === undefined) return;
      const acked = awaitingAck.get(id);
      if (acked === undefined) return;
      awaitingAck.delete(id);
      acked();
    });
    sender.streamManagement.on('fail', (stanza) => failed(new Error(`${server.name} failed stanza ${stanza.attrs.id ?? ''} (stream closed before its ack)`)));
  }

  const serverTicksBefore = processTicks(server.pid);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const perSenderInterval = params.offeredRate === undefined ? 0 : (1000 * params.pairs) / params.offeredRate;
  const sending = Promise.all(
    senders.map(async (sender, index) => {
      const to = server.users[params.pairs + index]!.jid;
      let next = 0;
      const lane = async () => {
        while (next < params.messagesPerSender) {
          const n = next++;
          if (perSenderInterval > 0) {
            const due = started + n * perSenderInterval;
            const wait = due - performance.now();
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          }
          const id = `b${index}x${n}x${runTag}`;
          const acked = new Promise<void>((resolve) => awaitingAck.set(id, resolve));
          await sender.send(
            xmpp.xml('message', { to, type: 'chat', id }, xmpp.xml('body', {}, `${runTag} ${now().toFixed(3)} benchmark message ${n} from sender ${index}`)),
          );
          await acked;
        }
      };
      await Promise.all(Array.from({ length: params.window }, lane));
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${server.name}: ${delivered} of ${total} messages delivered, ${awaitingAck.size} sends unacked after ${params.timeoutMs ?? 300_000} ms`)),
      params.timeoutMs ?? 300_000,
    );
  });
  try {
    await Promise.race([Promise.all([sending, done]), timeout]);
  } catch (error) {
    await stopClients(clients);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const serverTicksAfter = processTicks(server.pid);
  const memory = server.memory();
  latencies.sort((a, b) => a - b);
  await stopClients(clients);
  return {
    server: server.name,
    ackMechanism: 'xep-0198-stream-management',
    version: server.version,
    messages: total,
    seconds: round(seconds, 3),
    messagesPerSecond: Math.round(total / seconds),
    latencyMs: { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)), max: round(latencies.at(-1) ?? Number.NaN) },
    connectSeconds: round(connectSeconds, 2),
    cpuSeconds: {
      loadGenerator: round((cpu.user + cpu.system) / 1e6, 2),
      server: serverTicksBefore === null || serverTicksAfter === null ? null : round((serverTicksAfter - serverTicksBefore) / TICKS_PER_SECOND, 2),
    },
    serverMemoryMiB: memory === undefined ? null : { rss: round(memory.rssKiB / 1024, 1), peak: round(memory.peakRssKiB / 1024, 1) },
  };
}
