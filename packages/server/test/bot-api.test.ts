import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../src/index.ts';
import { rejects, startTestServer, testUsers, type TestUser } from './harness.ts';

type Started = Awaited<ReturnType<typeof startTestServer>>;
type ApiAnswer = { status: number; body: { ok: boolean; result?: any; error_code?: number; description?: string; parameters?: { retry_after?: number } } };

/** Calls the Bot API as a bot would, with its parameters where `as` says. */
async function api(base: string, token: string, method: string, params: Record<string, unknown> = {}, as: 'json' | 'form' | 'query' | 'multipart' = 'json'): Promise<ApiAnswer> {
  const url = new URL(`${base}/bot${token}/${method}`);
  let init: RequestInit = { method: 'POST' };
  const asString = (value: unknown) => (typeof value === 'object' && !(value instanceof Blob) ? JSON.stringify(value) : String(value));
  if (as === 'json') init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) };
  if (as === 'form') init = { method: 'POST', body: new URLSearchParams(Object.entries(params).map(([k, v]) => [k, asString(v)])) };
  if (as === 'query') {
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, asString(v));
    init = { method: 'GET' };
  }
  if (as === 'multipart') {
    const form = new FormData();
    for (const [k, v] of Object.entries(params)) {
      if (v instanceof File) form.append(k, v, v.name);
      else form.append(k, asString(v));
    }
    init = { method: 'POST', body: form };
  }
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as ApiAnswer['body'] };
}

async function ok(base: string, token: string, method: string, params: Record<string, unknown> = {}, as?: 'json' | 'form' | 'query' | 'multipart'): Promise<any> {
  const answer = await api(base, token, method, params, as);
  assert.equal(answer.body.ok, true, `${method}: ${JSON.stringify(answer.body)}`);
  return answer.body.result;
}

/** Takes updates until `predicate` holds for one; confirms those before it. */
async function nextUpdate(base: string, token: string, state: { offset: number }, predicate: (update: any) => boolean = () => true): Promise<any> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const updates = (await ok(base, token, 'getUpdates', { offset: state.offset, timeout: 2 })) as any[];
    for (const update of updates) {
      state.offset = update.update_id + 1;
      if (predicate(update)) return update;
    }
  }
  throw new Error('no matching update');
}

function newMessages(user: TestUser, fromId: number) {
  return user.client.updates.filter((u: any) => u.type === 'newMessage' && u.message.senderId === fromId).map((u: any) => u.message);
}

async function waitFor<T>(read: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 10));
  }
}

describe('Bot API', () => {
  let t: Started;
  let base: string;
  let users: ReturnType<typeof testUsers>;
  let owner: TestUser;
  let bot: { id: number; token: string };

  before(async () => {
    t = await startTestServer({ botCallbackTimeoutMs: 1500 });
    base = t.server.httpUrl;
    users = testUsers(() => t.server.wsUrl, 7);
    owner = await users.user('Owner');
    const created = await owner.call('bots.create', { username: 'main_test_bot', displayName: 'Main' });
    bot = { id: created.user.id, token: created.token };
  });
  after(async () => {
    users.closeAll();
    await t.stop();
  });

  test('[BOT1] a token made by bots.create signs calls; a wrong or revoked token gets 401 and an unknown method 404, in Telegram\'s shape', async () => {
    const me = await ok(base, bot.token, 'getMe');
    assert.deepEqual(
      { id: me.id, is_bot: me.is_bot, first_name: me.first_name, username: me.username, can_read_all_group_messages: me.can_read_all_group_messages },
      { id: bot.id, is_bot: true, first_name: 'Main', username: 'main_test_bot', can_read_all_group_messages: false },
    );
    assert.deepEqual(await api(base, `${bot.id}:${'x'.repeat(35)}`, 'getMe'), { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
    assert.deepEqual(await api(base, bot.token, 'noSuchMethod'), { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } });
    // Method names ignore case, as on Telegram.
    assert.equal((await ok(base, bot.token, 'GETME')).id, bot.id);
    const other = await owner.call('bots.create', { username: 'revoked_test_bot', displayName: 'Revoked' });
    const { token: fresh } = await owner.call('bots.revokeToken', { botId: other.user.id });
    assert.equal((await api(base, other.token, 'getMe')).status, 401);
    assert.equal((await ok(base, fresh, 'getMe')).username, 'revoked_test_bot');
    const mine = await owner.call('bots.getMine');
    assert.deepEqual(mine.bots.map((b: any) => [b.username, b.isBot]), [['main_test_bot', true], ['revoked_test_bot', true]]);
    await rejects(owner.call('bots.create', { username: 'not_a_machine', displayName: 'X' }), 'BOT_USERNAME_INVALID');
    await rejects(owner.call('bots.create', { username: 'Main_Test_Bot', displayName: 'X' }), 'USERNAME_OCCUPIED');
  });

  test('[BOT2] parameters arrive as JSON, form, query string or multipart alike; a bot cannot start a conversation', async () => {
    const alice = await users.user('Alice2');
    assert.deepEqual((await api(base, bot.token, 'sendMessage', { chat_id: alice.id, text: 'hi' })).body, {
      ok: false,
      error_code: 403,
      description: "Forbidden: bot can't initiate conversation with a user",
    });
    await alice.call('messages.send', { peer: { type: 'user', userId: bot.id }, text: '/start', randomId: 'start-alice2-1' });
    for (const as of ['json', 'form', 'query', 'multipart'] as const) {
      const sent = await ok(base, bot.token, 'sendMessage', { chat_id: alice.id, text: `via ${as}` }, as);
      assert.equal(sent.text, `via ${as}`);
      assert.deepEqual(sent.chat, { id: alice.id, type: 'private', first_name: 'Alice2' });
      assert.equal(sent.from.id, bot.id);
    }
    const texts = await waitFor(() => {
      const got = newMessages(alice, bot.id).map((m: any) => m.text);
      return got.length === 4 ? got : undefined;
    }, '4 messages');
    assert.deepEqual(texts, ['via json', 'via form', 'via query', 'via multipart']);
    const bad = await api(base, bot.token, 'sendMessage', { chat_id: alice.id, text: 'x', reply_markup: '{not json' }, 'form');
    assert.deepEqual(bad, { status: 400, body: { ok: false, error_code: 400, description: "Bad Request: can't parse reply_markup JSON object" } });
    assert.equal((await api(base, bot.token, 'sendMessage', { chat_id: 424242, text: 'x' })).body.description, 'Bad Request: chat not found');
  });

  test('[BOT3] getUpdates returns messages in Telegram\'s form, an offset confirms them, and a long poll wakes when one arrives', async () => {
    const bob = await users.user('Bob3');
    await bob.call('account.setUsername', { username: 'bob_three' });
    await bob.call('messages.send', { peer: { type: 'user', userId: bot.id }, text: 'first /help', randomId: 'bob3-msg-0001' });
    const state = { offset: 0 };
    const first = await nextUpdate(base, bot.token, state, (u) => u.message?.from?.id === bob.id);
    assert.equal(typeof first.update_id, 'number');
    assert.deepEqual(first.message.from, { id: bob.id, is_bot: false, first_name: 'Bob3', username: 'bob_three' });
    assert.deepEqual(first.message.chat, { id: bob.id, type: 'private', first_name: 'Bob3', username: 'bob_three' });
    assert.equal(first.message.text, 'first /help');
    assert.deepEqual(first.message.entities, [{ type: 'bot_command', offset: 6, length: 5 }]);
    assert.equal(typeof first.message.date, 'number');
    // Confirmed by the offset: not returned again.
    assert.deepEqual(await ok(base, bot.token, 'getUpdates', { offset: state.offset }), []);
    // A long poll answers as soon as something arrives.
    const poll = ok(base, bot.token, 'getUpdates', { offset: state.offset, timeout: 20 });
    await new Promise((done) => setTimeout(done, 200));
    const sentAt = Date.now();
    await bob.call('messages.send', { peer: { type: 'user', userId: bot.id }, text: 'second', randomId: 'bob3-msg-0002' });
    const woken = (await poll) as any[];
    assert.ok(Date.now() - sentAt < 5000, 'the poll answered well before its timeout');
    assert.deepEqual(woken.map((u) => u.message.text), ['second']);
    // Unconfirmed updates stay; limit takes fewer.
    await bob.call('messages.send', { peer: { type: 'user', userId: bot.id }, text: 'third', randomId: 'bob3-msg-0003' });
    const again = (await ok(base, bot.token, 'getUpdates', { offset: state.offset, limit: 1 })) as any[];
    assert.deepEqual(again.map((u) => u.message.text), ['second']);
    const both = (await ok(base, bot.token, 'getUpdates', { offset: state.offset })) as any[];
    assert.deepEqual(both.map((u) => u.message.text), ['second', 'third']);
    state.offset = both.at(-1).update_id + 1;
    // An edit comes as edited_message; allowed_updates filters kinds from then on.
    await bob.call('messages.edit', { peer: { type: 'user', userId: bot.id }, messageId: both[1].message.message_id, text: 'third, edited' });
    const edited = await nextUpdate(base, bot.token, state);
    assert.equal(edited.edited_message.text, 'third, edited');
    assert.equal(typeof edited.edited_message.edit_date, 'number');
    await ok(base, bot.token, 'getUpdates', { offset: state.offset, allowed_updates: ['edited_message'] });
    await bob.call('messages.send', { peer: { type: 'user', userId: bot.id }, text: 'filtered out', randomId: 'bob3-msg-0004' });
    await new Promise((done) => setTimeout(done, 100));
    assert.deepEqual(await ok(base, bot.token, 'getUpdates', { offset: state.offset }), []);
    await ok(base, bot.token, 'getUpdates', { offset: state.offset, allowed_updates: [] });
    // A second poll ends the first with 409, as on Telegram.
    const older = api(base, bot.token, 'getUpdates', { offset: state.offset, timeout: 10 });
    await new Promise((done) => setTimeout(done, 100));
    const newer = api(base, bot.token, 'getUpdates', { offset: state.offset, timeout: 1 });
    assert.deepEqual((await older).body, { ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
    assert.equal((await newer).body.ok, true);
  });

  test('[BOT4] webhooks: updates are POSTed with the secret token, failures are retried and reported, getUpdates is refused meanwhile', async () => {
    const carol = await users.user('Carol4');
    const hooked = await owner.call('bots.create', { username: 'hook_test_bot', displayName: 'Hook' });
    const received: { secret: string | undefined; body: any }[] = [];
    let failNext = 1;
    const hook = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        if (failNext > 0) {
          failNext -= 1;
          response.writeHead(500).end();
          return;
        }
        received.push({ secret: request.headers['x-telegram-bot-api-secret-token'] as string | undefined, body: JSON.parse(body) });
        // Replying to the webhook with a method is how libraries answer without a second request.
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: 'sendMessage', chat_id: carol.id, text: 'pong' }));
      });
    });
    await new Promise<void>((done) => hook.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    try {
      assert.equal(await ok(base, hooked.token, 'setWebhook', { url, secret_token: 'sekret_123' }), true);
      assert.deepEqual((await api(base, hooked.token, 'getUpdates')).body, {
        ok: false,
        error_code: 409,
        description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
      await carol.call('messages.send', { peer: { type: 'user', userId: hooked.user.id }, text: 'ping', randomId: 'carol4-msg-01' });
      // The first delivery fails (500): getWebhookInfo shows it waiting with the error.
      let webhookInfo: any;
      const deadline = Date.now() + 5000;
      do webhookInfo = await ok(base, hooked.token, 'getWebhookInfo');
      while (webhookInfo.last_error_message === undefined && Date.now() < deadline);
      assert.equal(webhookInfo.url, url);
      assert.equal(webhookInfo.pending_update_count, 1);
      assert.equal(webhookInfo.last_error_message, 'Wrong response from the webhook: 500 Internal Server Error');
      assert.equal(typeof webhookInfo.last_error_date, 'number');
      // The retry succeeds, with the secret header; the reply's sendMessage reaches Carol.
      const delivered = await waitFor(() => received[0], 'a delivered update');
      assert.equal(delivered.secret, 'sekret_123');
      assert.equal(delivered.body.message.text, 'ping');
      const pong = await waitFor(() => newMessages(carol, hooked.user.id).find((m: any) => m.text === 'pong'), 'pong');
      assert.ok(pong);
      assert.equal((await ok(base, hooked.token, 'getWebhookInfo')).pending_update_count, 0);
      assert.equal(await ok(base, hooked.token, 'deleteWebhook'), true);
      assert.equal((await ok(base, hooked.token, 'getWebhookInfo')).url, '');
      assert.deepEqual(await ok(base, hooked.token, 'getUpdates'), []);
    } finally {
      hook.close();
    }
  });

  test('[BOT5] sendMessage with parse modes, replies and keyboards; the user sees the entities and the markup', async () => {
    const dave = await users.user('Dave5');
    await dave.call('messages.send', { peer: { type: 'user', userId: bot.id }, text: 'hello bot', randomId: 'dave5-msg-01' });
    const state = { offset: 0 };
    const hello = await nextUpdate(base, bot.token, state, (u) => u.message?.from?.id === dave.id);
    const html = await ok(base, bot.token, 'sendMessage', {
      chat_id: dave.id,
      text: '<b>Bold</b> and <a href="https://example.org/x">link</a>',
      parse_mode: 'HTML',
      reply_parameters: { message_id: hello.message.message_id },
      reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'yes' }, { text: 'Site', url: 'https://example.org' }]] },
    });
    assert.equal(html.text, 'Bold and link');
    assert.deepEqual(html.entities, [{ type: 'bold', offset: 0, length: 4 }, { type: 'text_link', offset: 9, length: 4, url: 'https://example.org/x' }]);
    assert.equal(html.reply_to_message.message_id, hello.message.message_id);
    assert.deepEqual(html.reply_markup, { inline_keyboard: [[{ text: 'Yes', callback_data: 'yes' }, { text: 'Site', url: 'https://example.org' }]] });
    const seen = await waitFor(() => newMessages(dave, bot.id).find((m: any) => m.id === html.message_id), 'the HTML message');
    assert.equal(seen.replyToId, hello.message.message_id);
    assert.deepEqual(seen.replyMarkup, { type: 'inlineKeyboard', rows: [[{ text: 'Yes', callbackData: 'yes' }, { text: 'Site', url: 'https://example.org' }]] });
    assert.deepEqual(seen.entities.map((e: any) => e.type), ['bold', 'textUrl']);
    const md = await ok(base, bot.token, 'sendMessage', { chat_id: dave.id, text: '*bold* _it_ `code` 1\\.5', parse_mode: 'MarkdownV2', reply_markup: { keyboard: [['One', { text: 'Two' }]], one_time_keyboard: true, resize_keyboard: true } });
    assert.equal(md.text, 'bold it code 1.5');
    assert.deepEqual(md.entities.map((e: any) => e.type), ['bold', 'italic', 'code']);
    assert.equal(md.reply_markup, undefined, 'a reply keyboard is not shown on the message');
    const seenMd = await waitFor(() => newMessages(dave, bot.id).find((m: any) => m.id === md.message_id), 'the markdown message');
    assert.deepEqual(seenMd.replyMarkup, { type: 'replyKeyboard', rows: [[{ text: 'One' }, { text: 'Two' }]], resize: true, oneTime: true, placeholder: null });
    const given = await ok(base, bot.token, 'sendMessage', { chat_id: dave.id, text: 'see docs', entities: [{ type: 'text_link', offset: 4, length: 4, url: 'https://example.org/docs' }, { type: 'underline', offset: 0, length: 3 }] });
    assert.deepEqual(given.entities, [{ type: 'underline', offset: 0, length: 3 }, { type: 'text_link', offset: 4, length: 4, url: 'https://example.org/docs' }]);
    const broken = await api(base, bot.token, 'sendMessage', { chat_id: dave.id, text: 'a.b', parse_mode: 'MarkdownV2' });
    assert.equal(broken.status, 400);
    assert.equal(broken.body.description, "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'");
    const missingReply = await api(base, bot.token, 'sendMessage', { chat_id: dave.id, text: 'x', reply_parameters: { message_id: 999 } });
    assert.equal(missingReply.body.description, 'Bad Request: message to be replied not found');
    const allowed = await ok(base, bot.token, 'sendMessage', { chat_id: dave.id, text: 'x', reply_parameters: { message_id: 999, allow_sending_without_reply: true } });
    assert.equal(allowed.reply_to_message, undefined);
  });

  test('[BOT6] pressing an inline button: the bot gets a callback_query, its answer reaches the user; bad data and silence are errors', async () => {
    const erin = await users.user('Erin6');
    await erin.call('messages.send', { peer: { type: 'user', userId: bot.id }, text: '/menu', randomId: 'erin6-msg-01' });
    const menu = await ok(base, bot.token, 'sendMessage', { chat_id: erin.id, text: 'Choose', reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'yes' }]] } });
    const state = { offset: 0 };
    await ok(base, bot.token, 'getUpdates', { offset: -1 }).then((u: any[]) => (state.offset = (u[0]?.update_id ?? 0) + 1));
    const peer = { type: 'user', userId: bot.id };
    const press = erin.call('messages.getBotCallbackAnswer', { peer, messageId: menu.message_id, data: 'yes' });
    const query = await nextUpdate(base, bot.token, state, (u) => u.callback_query !== undefined);
    assert.equal(query.callback_query.data, 'yes');
    assert.equal(query.callback_query.from.id, erin.id);
    assert.equal(query.callback_query.message.message_id, menu.message_id);
    assert.equal(typeof query.callback_query.id, 'string');
    assert.equal(typeof query.callback_query.chat_instance, 'string');
    assert.equal(await ok(base, bot.token, 'answerCallbackQuery', { callback_query_id: query.callback_query.id, text: 'You chose yes', show_alert: true }), true);
    assert.deepEqual(await press, { message: 'You chose yes', alert: true, url: null });
    // A second answer, or an answer to a query that is not this bot's, is refused.
    assert.equal((await api(base, bot.token, 'answerCallbackQuery', { callback_query_id: query.callback_query.id })).body.description, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
    await rejects(erin.call('messages.getBotCallbackAnswer', { peer, messageId: menu.message_id, data: 'no' }), 'DATA_INVALID');
    await rejects(erin.call('messages.getBotCallbackAnswer', { peer, messageId: menu.message_id, data: 'yes' }), 'BOT_RESPONSE_TIMEOUT');
  });

  test('[BOT7] editMessageText, editMessageReplyMarkup, deleteMessage, forwardMessage and copyMessage change what the user sees', async () => {
    const fay = await users.user('Fay7');
    await fay.call('messages.send', { peer: { type: 'user', userId: bot.id }, text: 'note to forward', randomId: 'fay7-msg-01' });
    const state = { offset: 0 };
    const note = await nextUpdate(base, bot.token, state, (u) => u.message?.from?.id === fay.id);
    const sent = await ok(base, bot.token, 'sendMessage', { chat_id: fay.id, text: 'v1', reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] } });
    const edited = await ok(base, bot.token, 'editMessageText', { chat_id: fay.id, message_id: sent.message_id, text: 'v2', reply_markup: { inline_keyboard: [[{ text: 'B', callback_data: 'b' }]] } });
    assert.equal(edited.text, 'v2');
    assert.equal(typeof edited.edit_date, 'number');
    assert.deepEqual(edited.reply_markup, { inline_keyboard: [[{ text: 'B', callback_data: 'b' }]] });
    const same = await api(base, bot.token, 'editMessageText', { chat_id: fay.id, message_id: sent.message_id, text: 'v2', reply_markup: { inline_keyboard: [[{ text: 'B', callback_data: 'b' }]] } });
    assert.match(same.body.description!, /^Bad Request: message is not modified/);
    const unmarked = await ok(base, bot.token, 'editMessageReplyMarkup', { chat_id: fay.id, message_id: sent.message_id });
    assert.equal(unmarked.reply_markup, undefined);
    const edits = () => fay.client.updates.filter((u: any) => u.type === 'editMessage' && u.message.id === sent.message_id).map((u: any) => u.message);
    await waitFor(() => (edits().length === 2 ? true : undefined), 'two edits');
    assert.equal(edits()[1].text, 'v2');
    assert.equal(edits()[1].replyMarkup, undefined);
    const forwarded = await ok(base, bot.token, 'forwardMessage', { chat_id: fay.id, from_chat_id: fay.id, message_id: note.message.message_id });
    assert.deepEqual(forwarded.forward_origin, { type: 'user', sender_user: { id: fay.id, is_bot: false, first_name: 'Fay7' }, date: note.message.date });
    const copied = await ok(base, bot.token, 'copyMessage', { chat_id: fay.id, from_chat_id: fay.id, message_id: note.message.message_id });
    assert.equal(typeof copied.message_id, 'number');
    const copy = await waitFor(() => newMessages(fay, bot.id).find((m: any) => m.id === copied.message_id), 'the copy');
    assert.equal(copy.text, 'note to forward');
    assert.equal(copy.forward, null);
    assert.equal(await ok(base, bot.token, 'deleteMessage', { chat_id: fay.id, message_id: sent.message_id }), true);
    await waitFor(() => fay.client.updates.find((u: any) => u.type === 'deleteMessages' && u.messageIds.includes(sent.message_id)), 'the deletion');
    assert.equal((await api(base, bot.token, 'deleteMessage', { chat_id: fay.id, message_id: sent.message_id })).body.description, 'Bad Request: message to delete not found');
  });

  test('[BOT8] files: a photo uploaded by the bot reaches the user; a user\'s document comes back byte for byte through getFile', async () => {
    const gus = await users.user('Gus8');
    await gus.call('messages.send', { peer: { type: 'user', userId: bot.id }, text: '/start', randomId: 'gus8-msg-01' });
    const png = readFileSync(join(import.meta.dirname, 'fixtures', 'tiny.png'));
    const photo = await ok(base, bot.token, 'sendPhoto', { chat_id: gus.id, caption: '<i>look</i>', parse_mode: 'HTML', photo: new File([png], 'tiny.png', { type: 'image/png' }) }, 'multipart');
    assert.equal(photo.caption, 'look');
    assert.deepEqual(photo.caption_entities, [{ type: 'italic', offset: 0, length: 4 }]);
    const largest = photo.photo.at(-1);
    assert.equal(typeof largest.file_id, 'string');
    assert.ok(largest.width > 0 && largest.height > 0);
    const seen = await waitFor(() => newMessages(gus, bot.id).find((m: any) => m.id === photo.message_id), 'the photo');
    assert.equal(seen.media.kind, 'photo');
    const download = await fetch(`${base}/files/${seen.media.file.id}`, { headers: { authorization: `Bearer ${gus.token}` } });
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), png);
    // The same file again by file_id: no upload.
    const again = await ok(base, bot.token, 'sendDocument', { chat_id: gus.id, document: largest.file_id });
    assert.equal(again.document.file_id, largest.file_id);
    // A document from the user, fetched by the bot.
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));
    const started = await gus.call('files.startUpload', { size: bytes.length, partSize: 8192, name: 'data.bin', mimeType: 'application/octet-stream' });
    const { createHash } = await import('node:crypto');
    await fetch(`${base}/files/uploads/${started.uploadId}/0`, { method: 'PUT', headers: { authorization: `Bearer ${gus.token}`, 'x-part-sha256': createHash('sha256').update(bytes).digest('hex') }, body: bytes });
    const file = await gus.call('files.completeUpload', { uploadId: started.uploadId, sha256: createHash('sha256').update(bytes).digest('hex') });
    await gus.call('messages.send', { peer: { type: 'user', userId: bot.id }, text: '', media: { fileId: file.file.id, kind: 'document' }, randomId: 'gus8-msg-02' });
    const state = { offset: 0 };
    const update = await nextUpdate(base, bot.token, state, (u) => u.message?.document !== undefined && u.message.from.id === gus.id);
    assert.equal(update.message.document.file_name, 'data.bin');
    const info = await ok(base, bot.token, 'getFile', { file_id: update.message.document.file_id });
    assert.equal(info.file_size, bytes.length);
    const fetched = await fetch(`${base}/file/bot${bot.token}/${info.file_path}`);
    assert.equal(fetched.status, 200);
    assert.deepEqual(Buffer.from(await fetched.arrayBuffer()), bytes);
    // Another bot, not in that chat, cannot read it.
    const stranger = await owner.call('bots.create', { username: 'stranger_test_bot', displayName: 'Stranger' });
    assert.equal((await api(base, stranger.token, 'getFile', { file_id: update.message.document.file_id })).body.description, 'Bad Request: invalid file_id');
    assert.equal((await fetch(`${base}/file/bot${stranger.token}/${info.file_path}`)).status, 404);
    assert.equal((await api(base, bot.token, 'sendPhoto', { chat_id: gus.id, photo: 'https://example.org/cat.jpg' })).status, 400);
    const voice = await ok(base, bot.token, 'sendVoice', { chat_id: gus.id, voice: new File([bytes], 'note.ogg', { type: 'audio/ogg' }), duration: 3 }, 'multipart');
    assert.deepEqual([voice.voice.duration, voice.voice.mime_type, voice.voice.file_size], [3, 'audio/ogg', bytes.length]);
    const video = await ok(base, bot.token, 'sendVideo', { chat_id: gus.id, video: new File([bytes], 'clip.mp4', { type: 'video/mp4' }), width: 640, height: 360, duration: 7 }, 'multipart');
    assert.deepEqual([video.video.width, video.video.height, video.video.duration, video.video.file_name], [640, 360, 7, 'clip.mp4']);
    const seenVideo = await waitFor(() => newMessages(gus, bot.id).find((m: any) => m.id === video.message_id), 'the video');
    assert.deepEqual([seenVideo.media.kind, seenVideo.media.width, seenVideo.media.duration], ['video', 640, 7]);
  });

  test('[BOT9] sends over Telegram\'s limits are answered 429 with retry_after', async () => {
    const hal = await users.user('Hal9');
    const fast = await owner.call('bots.create', { username: 'fast_test_bot', displayName: 'Fast' });
    await hal.call('messages.send', { peer: { type: 'user', userId: fast.user.id }, text: '/start', randomId: 'hal9-msg-01' });
    const answers: ApiAnswer[] = [];
    for (let i = 0; i < 8; i += 1) answers.push(await api(base, fast.token, 'sendMessage', { chat_id: hal.id, text: `burst ${i}` }));
    const refused = answers.filter((a) => a.status === 429);
    assert.ok(refused.length >= 1, 'a burst of 8 to one chat goes over one a second');
    assert.ok(answers.slice(0, 3).every((a) => a.status === 200), 'short bursts are allowed');
    const first = refused[0]!.body;
    assert.equal(first.ok, false);
    assert.equal(first.error_code, 429);
    assert.match(first.description!, /^Too Many Requests: retry after \d+$/);
    assert.ok((first.parameters?.retry_after ?? 0) >= 1);
  });

  test('[BOT9] a group takes 20 sends a minute from a bot, and a bot sends at most 30 a second in all', async () => {
    const busy = await owner.call('bots.create', { username: 'busy_test_bot', displayName: 'Busy' });
    const lead = await users.user('Lead9');
    const { chat } = await lead.call('chats.createGroup', { title: 'Busy group', userIds: [busy.user.id] });
    const groupAnswers: number[] = [];
    for (let i = 0; i < 22; i += 1) groupAnswers.push((await api(base, busy.token, 'sendMessage', { chat_id: -(1_000_000_000_000 + chat.id), text: `g${i}` })).status);
    assert.deepEqual(groupAnswers.slice(0, 20), Array(20).fill(200));
    assert.equal(groupAnswers[20], 429);
    // Seven private chats at five each, on a clock that stands still: the thirty-first send is refused.
    const clock = new ManualClock(Date.now());
    const still = await startTestServer({ clock });
    const stillUsers = testUsers(() => still.server.wsUrl, 7);
    try {
      const maker = await stillUsers.user('Maker9');
      const wide = await maker.call('bots.create', { username: 'wide_test_bot', displayName: 'Wide' });
      const people: TestUser[] = [];
      for (let i = 0; i < 7; i += 1) {
        const person = await stillUsers.user(`Wide${i}`);
        await person.call('messages.send', { peer: { type: 'user', userId: wide.user.id }, text: '/start', randomId: `wide9-start-${i}` });
        people.push(person);
      }
      const statuses: number[] = [];
      for (const person of people) for (let i = 0; i < 5; i += 1) statuses.push((await api(still.server.httpUrl, wide.token, 'sendMessage', { chat_id: person.id, text: `w${i}` })).status);
      assert.equal(statuses.indexOf(429), 30);
      clock.advance(1000);
      assert.equal((await api(still.server.httpUrl, wide.token, 'sendMessage', { chat_id: people[6]!.id, text: 'a second later' })).status, 200);
    } finally {
      stillUsers.closeAll();
      await still.stop();
    }
  });

  test('[BOT10] groups: privacy mode hears commands and replies only, an admin bot hears all; membership changes come as my_chat_member and chat_member', async () => {
    const ivy = await users.user('Ivy10');
    const jon = await users.user('Jon10');
    const groupBot = await owner.call('bots.create', { username: 'group_test_bot', displayName: 'Group' });
    const state = { offset: 0 };
    const { chat } = await ivy.call('chats.createGroup', { title: 'Bots welcome', userIds: [jon.id] });
    await ivy.call('chats.addMembers', { chatId: chat.id, userIds: [groupBot.user.id] });
    const joined = await nextUpdate(base, groupBot.token, state, (u) => u.my_chat_member !== undefined);
    assert.deepEqual(
      { chat: joined.my_chat_member.chat, from: joined.my_chat_member.from.id, old: joined.my_chat_member.old_chat_member.status, now: joined.my_chat_member.new_chat_member.status },
      { chat: { id: -(1_000_000_000_000 + chat.id), type: 'supergroup', title: 'Bots welcome' }, from: ivy.id, old: 'left', now: 'member' },
    );
    const groupPeer = { type: 'chat', chatId: chat.id };
    await jon.call('messages.send', { peer: groupPeer, text: 'just chatting', randomId: 'jon10-msg-01' });
    await jon.call('messages.send', { peer: groupPeer, text: '/roll@group_test_bot', randomId: 'jon10-msg-02' });
    await jon.call('messages.send', { peer: groupPeer, text: '/roll@other_bot', randomId: 'jon10-msg-03' });
    const command = await nextUpdate(base, groupBot.token, state, (u) => u.message !== undefined);
    assert.equal(command.message.text, '/roll@group_test_bot');
    assert.equal(command.message.chat.type, 'supergroup');
    const answer = await ok(base, groupBot.token, 'sendMessage', { chat_id: command.message.chat.id, text: 'rolled 4' });
    await jon.call('messages.send', { peer: groupPeer, text: 'nice roll', replyToId: answer.message_id, randomId: 'jon10-msg-04' });
    const reply = await nextUpdate(base, groupBot.token, state, (u) => u.message !== undefined);
    assert.equal(reply.message.text, 'nice roll');
    assert.equal(reply.message.reply_to_message.message_id, answer.message_id);
    // Made admin, it hears everything, and asked for chat_member it hears others' changes.
    await ivy.call('chats.setAdmin', { chatId: chat.id, userId: groupBot.user.id, rights: { changeInfo: false, deleteMessages: true, banUsers: true, inviteUsers: true, pinMessages: true, addAdmins: false, postMessages: false } });
    const promoted = await nextUpdate(base, groupBot.token, state, (u) => u.my_chat_member !== undefined);
    assert.equal(promoted.my_chat_member.new_chat_member.status, 'administrator');
    await ok(base, groupBot.token, 'getUpdates', { offset: state.offset, allowed_updates: ['message', 'my_chat_member', 'chat_member'] });
    await jon.call('messages.send', { peer: groupPeer, text: 'plain talk', randomId: 'jon10-msg-05' });
    assert.equal((await nextUpdate(base, groupBot.token, state, (u) => u.message !== undefined)).message.text, 'plain talk');
    const admins = (await ok(base, groupBot.token, 'getChatAdministrators', { chat_id: command.message.chat.id })) as any[];
    assert.deepEqual(admins.map((a) => [a.user.id, a.status]), [[ivy.id, 'creator'], [groupBot.user.id, 'administrator']]);
    assert.equal((await ok(base, groupBot.token, 'getChatMember', { chat_id: command.message.chat.id, user_id: jon.id })).status, 'member');
    assert.equal(await ok(base, groupBot.token, 'banChatMember', { chat_id: command.message.chat.id, user_id: jon.id }), true);
    const banned = await nextUpdate(base, groupBot.token, state, (u) => u.chat_member !== undefined);
    assert.deepEqual([banned.chat_member.old_chat_member.status, banned.chat_member.new_chat_member.status, banned.chat_member.new_chat_member.user.id], ['member', 'kicked', jon.id]);
    assert.equal((await ok(base, groupBot.token, 'getChatMember', { chat_id: command.message.chat.id, user_id: jon.id })).status, 'kicked');
    assert.equal(await ok(base, groupBot.token, 'unbanChatMember', { chat_id: command.message.chat.id, user_id: jon.id, only_if_banned: true }), true);
    assert.equal((await ok(base, groupBot.token, 'getChatMember', { chat_id: command.message.chat.id, user_id: jon.id })).status, 'left');
    assert.equal(await ok(base, groupBot.token, 'pinChatMessage', { chat_id: command.message.chat.id, message_id: answer.message_id }), true);
    const chatInfo = await ok(base, groupBot.token, 'getChat', { chat_id: command.message.chat.id });
    assert.equal(chatInfo.title, 'Bots welcome');
    assert.equal(chatInfo.pinned_message.message_id, answer.message_id);
    assert.equal(chatInfo.pinned_message.text, 'rolled 4');
    assert.equal(await ok(base, groupBot.token, 'setMessageReaction', { chat_id: command.message.chat.id, message_id: reply.message.message_id, reaction: [{ type: 'emoji', emoji: '👍' }] }), true);
    await ivy.client.waitForChatUpdates((list) => list.some((u: any) => u.update.type === 'messageReactions' && u.update.reactions.some((r: any) => r.emoji === '👍')));
    await ivy.call('chats.removeMember', { chatId: chat.id, userId: groupBot.user.id });
    const removed = await nextUpdate(base, groupBot.token, state, (u) => u.my_chat_member !== undefined);
    assert.deepEqual([removed.my_chat_member.old_chat_member.status, removed.my_chat_member.new_chat_member.status], ['administrator', 'left']);
    assert.equal((await api(base, groupBot.token, 'sendMessage', { chat_id: command.message.chat.id, text: 'still here?' })).status, 403);
  });

  test('[BOT11] commands set by the bot show to users; sendChatAction shows typing', async () => {
    const kim = await users.user('Kim11');
    assert.equal(await ok(base, bot.token, 'setMyCommands', { commands: [{ command: 'start', description: 'Start' }, { command: 'menu', description: 'Show the menu' }] }), true);
    assert.deepEqual(await kim.call('bots.getInfo', { botId: bot.id }), { commands: [{ command: 'start', description: 'Start' }, { command: 'menu', description: 'Show the menu' }], description: '' });
    assert.deepEqual(await ok(base, bot.token, 'getMyCommands'), [{ command: 'start', description: 'Start' }, { command: 'menu', description: 'Show the menu' }]);
    assert.equal((await api(base, bot.token, 'setMyCommands', { commands: [{ command: 'Bad Command', description: 'x' }] })).body.description, 'Bad Request: BOT_COMMAND_INVALID');
    await kim.call('messages.send', { peer: { type: 'user', userId: bot.id }, text: '/start', randomId: 'kim11-msg-01' });
    assert.equal(await ok(base, bot.token, 'sendChatAction', { chat_id: kim.id, action: 'typing' }), true);
    await waitFor(() => kim.client.frames.find((f: any) => f.type === 'typing' && f.userId === bot.id), 'a typing frame');
    assert.equal(await ok(base, bot.token, 'deleteMyCommands'), true);
    assert.deepEqual((await kim.call('bots.getInfo', { botId: bot.id })).commands, []);
  });

  test('[BOT12] @BotFather makes bots in conversation: /newbot, /token, /revoke, /setcommands', async () => {
    const lea = await users.user('Lea12');
    const { user: father } = await lea.call('users.resolveUsername', { username: 'BotFather' });
    assert.equal(father.isBot, true);
    const peer = { type: 'user', userId: father.id };
    let n = 0;
    const say = async (text: string) => {
      const before = newMessages(lea, father.id).length;
      await lea.call('messages.send', { peer, text, randomId: `lea12-msg-${String(++n).padStart(3, '0')}` });
      return waitFor(() => newMessages(lea, father.id)[before], `BotFather's answer to ${text}`);
    };
    assert.match((await say('/newbot')).text, /choose a name/);
    assert.match((await say('Weather')).text, /username/);
    assert.match((await say('weather')).text, /must end in “bot”/);
    const done = await say('weather_lea_bot');
    const token = /\n(\d+:[A-Za-z0-9_-]+)\n/.exec(done.text)?.[1];
    assert.ok(token, done.text);
    assert.equal((await ok(base, token, 'getMe')).username, 'weather_lea_bot');
    const choose = await say('/token');
    assert.deepEqual(choose.replyMarkup.rows, [[{ text: '@weather_lea_bot' }]]);
    assert.ok((await say('@weather_lea_bot')).text.includes(token));
    await say('/setcommands');
    await say('@weather_lea_bot');
    assert.match((await say('forecast - Tomorrow’s weather\nnow - Weather now')).text, /Success/);
    assert.deepEqual(await ok(base, token, 'getMyCommands'), [{ command: 'forecast', description: 'Tomorrow’s weather' }, { command: 'now', description: 'Weather now' }]);
    await say('/revoke');
    const revoked = await say('@weather_lea_bot');
    const fresh = /\n(\d+:[A-Za-z0-9_-]+)$/.exec(revoked.text)?.[1];
    assert.ok(fresh && fresh !== token);
    assert.equal((await api(base, token, 'getMe')).status, 401);
    assert.equal((await ok(base, fresh, 'getMe')).username, 'weather_lea_bot');
    await say('/setprivacy');
    await say('@weather_lea_bot');
    assert.match((await say('Disable')).text, /disabled/);
    assert.equal((await ok(base, fresh, 'getMe')).can_read_all_group_messages, true);
  });

  test('[BOT3] channel posts and their edits come as channel_post and edited_channel_post; a bot posts to a channel by @username', async () => {
    const nia = await users.user('Nia3');
    const poster = await owner.call('bots.create', { username: 'poster_test_bot', displayName: 'Poster' });
    const { chat } = await nia.call('chats.createChannel', { title: 'News', username: 'news_for_bots' });
    await nia.call('chats.addMembers', { chatId: chat.id, userIds: [poster.user.id] });
    await nia.call('chats.setAdmin', { chatId: chat.id, userId: poster.user.id, rights: { changeInfo: false, deleteMessages: false, banUsers: false, inviteUsers: false, pinMessages: false, addAdmins: false, postMessages: true } });
    const state = { offset: 0 };
    const { message } = await nia.call('messages.send', { peer: { type: 'chat', chatId: chat.id }, text: 'Breaking', randomId: 'nia3-post-01' });
    const post = await nextUpdate(base, poster.token, state, (u) => u.channel_post !== undefined);
    assert.equal(post.channel_post.text, 'Breaking');
    assert.equal(post.channel_post.from, undefined);
    assert.deepEqual(post.channel_post.sender_chat, { id: -(1_000_000_000_000 + chat.id), type: 'channel', title: 'News', username: 'news_for_bots' });
    await nia.call('messages.edit', { peer: { type: 'chat', chatId: chat.id }, messageId: message.id, text: 'Breaking, updated' });
    assert.equal((await nextUpdate(base, poster.token, state, (u) => u.edited_channel_post !== undefined)).edited_channel_post.text, 'Breaking, updated');
    const own = await ok(base, poster.token, 'sendMessage', { chat_id: '@news_for_bots', text: 'From the bot' });
    assert.equal(own.chat.id, -(1_000_000_000_000 + chat.id));
    await nia.client.waitForChatUpdates((list) => list.some((u: any) => u.update.type === 'newMessage' && u.update.message.text === 'From the bot'));
  });

  test('[BOT3] an update no one takes is kept 24 hours, then dropped', async () => {
    const clock = new ManualClock(Date.now());
    const kept = await startTestServer({ clock });
    const keptUsers = testUsers(() => kept.server.wsUrl, 7);
    try {
      const pat = await keptUsers.user('Pat3');
      const made = await pat.call('bots.create', { username: 'patient_test_bot', displayName: 'Patient' });
      await pat.call('messages.send', { peer: { type: 'user', userId: made.user.id }, text: 'day one', randomId: 'pat3-msg-001' });
      clock.advance(23 * 3600_000);
      assert.deepEqual(((await ok(kept.server.httpUrl, made.token, 'getUpdates')) as any[]).map((u) => u.message.text), ['day one']);
      clock.advance(3600_000 + 1000);
      assert.deepEqual(await ok(kept.server.httpUrl, made.token, 'getUpdates'), []);
    } finally {
      keptUsers.closeAll();
      await kept.stop();
    }
  });

  test('[BOT13] what waits for a bot is sealed: its text is not in the database files', async () => {
    const max = await users.user('Max13');
    const marker = 'BOT-QUEUE-MARKER-7f3a9c';
    await max.call('messages.send', { peer: { type: 'user', userId: bot.id }, text: marker, randomId: 'max13-msg-01' });
    await new Promise((done) => setTimeout(done, 200));
    const files = readdirSync(t.dataDir).filter((name) => name.startsWith('samizdat.db'));
    assert.ok(files.length >= 1);
    for (const name of files) assert.equal(readFileSync(join(t.dataDir, name)).includes(marker), false, `${name} holds the marker`);
    const updates = (await ok(base, bot.token, 'getUpdates')) as any[];
    assert.ok(updates.some((u) => u.message?.text === marker));
  });
});
