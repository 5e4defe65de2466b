import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBotMethods } from '../src/bot-api/bot-methods.ts';
import { ManualClock } from '../src/index.ts';
import { startTestServer, testUsers } from './harness.ts';

type Started = Awaited<ReturnType<typeof startTestServer>>;

/** A small deterministic generator, so a failure can be replayed from its seed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

const PARAM_NAMES = [
  'chat_id', 'from_chat_id', 'message_id', 'text', 'parse_mode', 'entities', 'reply_markup', 'reply_parameters', 'caption', 'photo', 'document',
  'voice', 'video', 'file_id', 'offset', 'limit', 'timeout', 'allowed_updates', 'url', 'secret_token', 'callback_query_id', 'show_alert', 'commands',
  'scope', 'user_id', 'until_date', 'action', 'reaction', 'inline_message_id', 'only_if_banned', 'description',
];

test('[BOT2] random and malformed parameters to every Bot API method get a 4xx answer in Telegram\'s shape, never a 500, and the server goes on', { timeout: 120_000 }, async () => {
  // The clock moves a minute before each call, so Telegram's send limits never hide a deeper path.
  const clock = new ManualClock(Date.now());
  const t: Started = await startTestServer({ clock });
  const users = testUsers(() => t.server.wsUrl, 7);
  try {
    const owner = await users.user('Fuzz Owner');
    const { user: bot, token } = await owner.call('bots.create', { username: 'fuzz_test_bot', displayName: 'Fuzz' });
    await owner.call('messages.send', { peer: { type: 'user', userId: bot.id }, text: '/start', randomId: 'fuzz-start-01' });
    const methods = [...createBotMethods({} as never).keys()].filter((name) => name !== 'getupdates' && name !== 'setwebhook');
    const { next, pick } = generator(20261123);
    const values: (() => unknown)[] = [
      () => owner.id,
      () => -1_000_000_000_001,
      () => 0,
      () => 'x'.repeat(Math.floor(next() * 5000)),
      () => '<b>unclosed',
      () => '*a _b',
      () => '{"inline_keyboard":[[{"text":"","callback_data":""}]]}',
      () => ({ inline_keyboard: 'no' }),
      () => ({ keyboard: [[]] }),
      () => [{ type: 'bold', offset: -1, length: 5 }],
      () => [{ command: 'Bad', description: '' }],
      () => null,
      () => true,
      () => '9007199254740993',
      () => '@nobody_here',
      () => 'HTML',
      () => 'MarkdownV2',
      () => ({ message_id: 'x' }),
      () => [{ type: 'emoji', emoji: 'not an emoji' }],
      () => 1.5,
    ];
    let calls = 0;
    const statuses = new Map<number, number>();
    for (const method of methods) {
      for (let round = 0; round < 12; round += 1) {
        const params: Record<string, unknown> = {};
        const count = 1 + Math.floor(next() * 5);
        for (let i = 0; i < count; i += 1) params[pick(PARAM_NAMES)] = pick(values)();
        clock.advance(60_000);
        const asForm = next() < 0.3;
        const response = await fetch(`${t.server.httpUrl}/bot${token}/${method}`, asForm
          ? { method: 'POST', body: new URLSearchParams(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])) }
          : { method: 'POST', headers: { 'content-type': 'application/json' }, body: next() < 0.1 ? '{"broken' : JSON.stringify(params) });
        const body = (await response.json()) as { ok: boolean; error_code?: number; description?: string };
        calls += 1;
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        assert.notEqual(response.status, 500, `${method} ${JSON.stringify(params).slice(0, 300)} → ${JSON.stringify(body)}`);
        if (!body.ok) {
          assert.equal(body.error_code, response.status);
          assert.equal(typeof body.description, 'string');
        }
      }
    }
    assert.ok(calls >= methods.length * 12);
    // Some calls got through and some were refused: the fuzzing reached past the first check.
    assert.ok((statuses.get(200) ?? 0) > 10 && (statuses.get(400) ?? 0) > 100, JSON.stringify([...statuses]));
    assert.deepEqual(t.logger.lines.filter((line) => line.includes('botapi.failed')), []);
    // Still serving: the bot's own identity and a real send.
    const me = (await (await fetch(`${t.server.httpUrl}/bot${token}/getMe`)).json()) as { result: { id: number } };
    assert.equal(me.result.id, bot.id);
  } finally {
    users.closeAll();
    await t.stop();
  }
});
