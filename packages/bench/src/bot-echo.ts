/**
 * `node --import tsx packages/bench/src/bot-echo.ts [--quick]`: an echo bot on the HTTP Bot API
 * (long polling, as bot libraries do) and users on the protocol. Each user sends, the bot takes the
 * message with getUpdates and answers with sendMessage, and the user's clock stops when the echo
 * arrives. Users write at a pace inside Telegram's limits (a message a second per chat, thirty a
 * second per bot), so what is measured is the round trip, not the limit. Writes
 * bench/results/<date>-bot-echo.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerProcess } from './server-control.ts';
import { percentile, round } from './stats.ts';
import { signUpTestNumber, testPhone, WireClient } from './wire-client.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const quick = process.argv.includes('--quick');
const params = { users: 20, roundsPerUser: quick ? 5 : 15, secondsBetweenRounds: 1.2 };

const dataDir = mkdtempSync(join(tmpdir(), 'samizdat-bot-echo-'));
const server = await startServerProcess(dataDir);
const httpUrl = server.url.replace(/^ws/, 'http').replace(/\/ws$/, '');
const clients: WireClient[] = [];
try {
  const owner = await WireClient.open(server.url);
  clients.push(owner);
  await owner.hello();
  await signUpTestNumber(owner, testPhone(0), 'Bot owner');
  const { user: bot, token } = await owner.call('bots.create', { username: 'echo_bench_bot', displayName: 'Echo' });
  const api = async (method: string, body: Record<string, unknown>) => {
    const response = await fetch(`${httpUrl}/bot${token}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return (await response.json()) as { ok: boolean; result: any; description?: string };
  };

  const waiting = new Map<string, { sentAt: number; done: (ms: number) => void }>();
  const users: { client: WireClient; id: number }[] = [];
  for (let i = 1; i <= params.users; i += 1) {
    let self = 0;
    const client = await WireClient.open(server.url, {
      onPush: (text) => {
        const at = performance.now();
        if (!text.startsWith('{"type":"update"')) return;
        const frame = JSON.parse(text) as { update: { type: string; message?: { senderId: number; text: string } } };
        const message = frame.update.message;
        if (frame.update.type !== 'newMessage' || message === undefined || message.senderId !== bot.id) return;
        const entry = waiting.get(`${self}:${message.text}`);
        if (entry === undefined) return;
        waiting.delete(`${self}:${message.text}`);
        entry.done(at - entry.sentAt);
      },
    });
    clients.push(client);
    await client.hello();
    const { userId } = await signUpTestNumber(client, testPhone(i), `Echo user ${i}`);
    self = userId;
    users.push({ client, id: userId });
  }

  // The bot: the long-poll loop every library runs, echoing each text.
  let polling = true;
  let offset = 0;
  const answers: number[] = [];
  const botLoop = (async () => {
    while (polling) {
      const polled = await api('getUpdates', { offset, timeout: 10 });
      for (const update of polled.result as { update_id: number; message?: { chat: { id: number }; text?: string } }[]) {
        offset = update.update_id + 1;
        if (update.message?.text === undefined) continue;
        const started = performance.now();
        const sent = await api('sendMessage', { chat_id: update.message.chat.id, text: update.message.text });
        if (!sent.ok) throw new Error(`sendMessage: ${sent.description}`);
        answers.push(performance.now() - started);
      }
    }
  })();

  const roundTrips: number[] = [];
  const started = performance.now();
  await Promise.all(
    users.map(async (user, index) => {
      // Users start at spread-out moments, as people do.
      await new Promise((done) => setTimeout(done, (index * params.secondsBetweenRounds * 1000) / params.users));
      for (let round = 0; round < params.roundsPerUser; round += 1) {
        const text = `echo ${index}.${round}`;
        const arrived = new Promise<number>((done) => waiting.set(`${user.id}:${text}`, { sentAt: performance.now(), done }));
        await user.client.call('messages.send', { peer: { type: 'user', userId: bot.id }, text, randomId: `echo-${index}-${round}-${Date.now()}` });
        roundTrips.push(await arrived);
        await new Promise((done) => setTimeout(done, params.secondsBetweenRounds * 1000));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  polling = false;
  await botLoop.catch(() => undefined);
  roundTrips.sort((a, b) => a - b);
  answers.sort((a, b) => a - b);
  const result = {
    benchmark: 'bot-echo',
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverage1m5m15m: loadavg().map((v) => round(v)) },
    params,
    echoes: roundTrips.length,
    echoesPerSecond: round(roundTrips.length / seconds, 1),
    roundTripMs: { p50: round(percentile(roundTrips, 0.5)), p99: round(percentile(roundTrips, 0.99)), max: round(roundTrips.at(-1) ?? NaN) },
    botSendMessageMs: { p50: round(percentile(answers, 0.5)), p99: round(percentile(answers, 0.99)) },
    notes: ['Round trip: the user sends over the protocol, the bot takes it by long poll and answers with sendMessage over HTTP, the user receives the echo. Server in its own process; users, bot and clock in this one.'],
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, 'bench/results', `${result.date.replace(/[:.]/g, '-')}-bot-echo.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`${result.echoes} echoes, ${result.echoesPerSecond}/s: round trip p50 ${result.roundTripMs.p50} ms, p99 ${result.roundTripMs.p99} ms; sendMessage p50 ${result.botSendMessageMs.p50} ms\nwritten to ${file}`);
} finally {
  for (const client of clients) client.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
