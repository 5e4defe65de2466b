/**
 * node-telegram-bot-api (https://github.com/yagop/node-telegram-bot-api, the classic 0.x API)
 * against Samizdat's Bot API. The bots are written as its docs show; the only change is the API
 * root (`new TelegramBot(token, { polling: true, baseApiUrl })`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import TelegramBot from 'node-telegram-bot-api';
import { botApi, describeBotError, makePng, randomDocument, sha256, startBotTestKit, until, type BotTestKit } from './bot-test-kit.ts';

// The library's documented switches for its 0.x deprecation notices (see its usage.md).
process.env.NTBA_FIX_319 = '1';
process.env.NTBA_FIX_350 = '1';

/**
 * Stops polling. Not with `{ cancel: true }`: in 0.67 cancelling an in-flight getUpdates runs the
 * poll's `finally`, which schedules the next poll, so polling goes on for ever (seen in these
 * tests). The plain stop waits for the current long poll (at most its 10 s timeout) instead.
 */
async function stopPolling(bot: TelegramBot): Promise<void> {
  await bot.stopPolling();
}

/** A port nothing listens on right now, for the webhook server the library opens itself. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((listening) => probe.listen(0, '127.0.0.1', listening));
  const { port } = probe.address() as AddressInfo;
  await new Promise((closed) => probe.close(closed));
  return port;
}

/** Polling errors, which the library would otherwise only print. */
function recordPollingErrors(bot: TelegramBot): Error[] {
  const errors: Error[] = [];
  bot.on('polling_error', (error) => {
    errors.push(error);
    console.error('node-telegram-bot-api polling_error:', error.message);
  });
  return errors;
}

describe('[BOT-LIB] node-telegram-bot-api against the Samizdat Bot API', () => {
  let kit: BotTestKit;

  before(async () => {
    kit = await startBotTestKit(6);
  });

  after(async () => {
    await kit?.close();
  });

  test('[BOT-LIB] node-telegram-bot-api: echo bot over long polling, with an HTML greeting on /start', { timeout: 60_000 }, async () => {
    const echoBot = await kit.createBot('ntba_echo_bot', 'Echo');
    const baseApiUrl = kit.apiRoot;

    const bot = new TelegramBot(echoBot.token, { polling: true, baseApiUrl });
    const pollingErrors = recordPollingErrors(bot);
    const failures: unknown[] = [];
    bot.onText(/^\/start/, (msg) => {
      bot.sendMessage(msg.chat.id, '<b>Welcome</b>', { parse_mode: 'HTML' }).catch((error: unknown) => failures.push(error));
    });
    bot.on('message', (msg) => {
      if (msg.text !== undefined && !msg.text.startsWith('/')) bot.sendMessage(msg.chat.id, msg.text).catch((error: unknown) => failures.push(error));
    });

    try {
      await kit.sendText(echoBot, 'hello');
      const echoed = await kit.waitForBotMessage(echoBot, (m) => m.text === 'hello', 'the echo of "hello"', failures);
      assert.deepEqual(echoed.entities, []);

      await kit.sendText(echoBot, '/start');
      const greeting = await kit.waitForBotMessage(echoBot, (m) => m.text === 'Welcome', 'the /start greeting', failures);
      assert.deepEqual(
        greeting.entities.map(({ type, offset, length }) => ({ type, offset, length })),
        [{ type: 'bold', offset: 0, length: 7 }],
      );
      assert.equal(kit.messages.filter((m) => m.senderId === echoBot.id && m.text === '/start').length, 0, '/start is not echoed');
      assert.deepEqual(failures.map(describeBotError), []);
      assert.deepEqual(pollingErrors.map((error) => error.message), []);
    } finally {
      await stopPolling(bot);
    }
  });

  test('[BOT-LIB] node-telegram-bot-api: command bot with an inline keyboard, callback query, edit and setMyCommands', { timeout: 60_000 }, async () => {
    const menuBot = await kit.createBot('ntba_menu_bot', 'Menu');
    const baseApiUrl = kit.apiRoot;

    const bot = new TelegramBot(menuBot.token, { polling: true, baseApiUrl });
    const pollingErrors = recordPollingErrors(bot);
    const failures: unknown[] = [];
    bot.onText(/^\/menu/, (msg) => {
      bot
        .sendMessage(msg.chat.id, 'Do you agree?', {
          reply_markup: {
            inline_keyboard: [
              [
                { text: 'Yes', callback_data: 'yes' },
                { text: 'No', callback_data: 'no' },
              ],
            ],
          },
        })
        .catch((error: unknown) => failures.push(error));
    });
    bot.on('callback_query', async (callbackQuery) => {
      const action = callbackQuery.data;
      const msg = callbackQuery.message!;
      const opts = { chat_id: msg.chat.id, message_id: msg.message_id };
      try {
        await bot.answerCallbackQuery(callbackQuery.id, { text: `You chose ${action}` });
        await bot.editMessageText(`Chosen: ${action}`, opts);
      } catch (error) {
        failures.push(error);
      }
    });

    try {
      await bot.setMyCommands([
        { command: 'start', description: 'Start the bot' },
        { command: 'menu', description: 'Show the menu' },
      ]);
      const info = await kit.user.call('bots.getInfo', { botId: menuBot.id });
      assert.deepEqual(info.commands, [
        { command: 'start', description: 'Start the bot' },
        { command: 'menu', description: 'Show the menu' },
      ]);
      assert.deepEqual(await bot.getMyCommands(), info.commands);

      await kit.sendText(menuBot, '/menu');
      const menu = await kit.waitForBotMessage(menuBot, (m) => m.text === 'Do you agree?', 'the /menu answer', failures);
      assert.deepEqual(menu.replyMarkup, {
        type: 'inlineKeyboard',
        rows: [[{ text: 'Yes', callbackData: 'yes' }, { text: 'No', callbackData: 'no' }]],
      });

      const answer = await kit.pressButton(menuBot, menu.id, 'yes');
      assert.equal(answer.message, 'You chose yes');
      assert.equal(answer.alert, false);
      const edited = await kit.waitForBotEdit(menuBot, (m) => m.id === menu.id && m.text === 'Chosen: yes', 'the edit to "Chosen: yes"', failures);
      assert.ok(edited.editDate !== null);
      assert.deepEqual(failures.map(describeBotError), []);
      assert.deepEqual(pollingErrors.map((error) => error.message), []);
    } finally {
      await stopPolling(bot);
    }
  });

  test('[BOT-LIB] node-telegram-bot-api: a document goes to the bot (downloadFile) and a photo comes back, uploaded and by file_id', { timeout: 60_000 }, async () => {
    const fileBot = await kit.createBot('ntba_file_bot', 'Files');
    const baseApiUrl = kit.apiRoot;
    const photo = makePng(28, 14);
    const downloadDir = mkdtempSync(join(tmpdir(), 'samizdat-ntba-downloads-'));
    const received: { bytes?: Buffer; path?: string; name?: string } = {};
    const failures: unknown[] = [];

    const bot = new TelegramBot(fileBot.token, { polling: true, baseApiUrl });
    const pollingErrors = recordPollingErrors(bot);
    bot.on('document', async (msg) => {
      try {
        const path = await bot.downloadFile(msg.document!.file_id, downloadDir);
        received.path = path;
        received.bytes = readFileSync(path);
        received.name = msg.document!.file_name;
        const sent = await bot.sendPhoto(msg.chat.id, photo, { caption: 'back' }, { filename: 'back.png', contentType: 'image/png' });
        const largest = sent.photo![sent.photo!.length - 1]!;
        await bot.sendPhoto(msg.chat.id, largest.file_id, { caption: 'back' });
      } catch (error) {
        failures.push(error);
      }
    });

    try {
      const document = randomDocument(7000);
      await kit.sendDocument(fileBot, document, 'random.bin');

      const photos = await until(
        () => {
          const list = kit.messages.filter((m) => m.senderId === fileBot.id && m.media?.kind === 'photo');
          return list.length >= 2 ? list : undefined;
        },
        () => `two photos from the bot; messages: ${JSON.stringify(kit.messages.map((m) => [m.senderId, m.text, m.media?.kind]))}`,
        20_000,
        failures,
      );
      assert.equal(basename(received.path ?? ''), 'random.bin', 'downloadFile names the file after the end of file_path');
      assert.equal(received.bytes?.length, document.length);
      assert.equal(sha256(received.bytes!), sha256(document), 'the bot downloaded exactly what the user sent');
      assert.equal(received.name, 'random.bin');

      for (const photoMessage of photos) {
        assert.equal(photoMessage.text, 'back');
        assert.equal(photoMessage.media?.width, 28);
        assert.equal(photoMessage.media?.height, 14);
        const bytes = await kit.download(photoMessage.media!.file.id);
        assert.equal(sha256(bytes), sha256(photo), 'the user downloads the photo the bot sent');
      }
      assert.equal(photos[1]!.media!.file.id, photos[0]!.media!.file.id, 'the second photo reuses the first by file_id');
      assert.deepEqual(failures.map(describeBotError), []);
      assert.deepEqual(pollingErrors.map((error) => error.message), []);
    } finally {
      await stopPolling(bot);
      rmSync(downloadDir, { recursive: true, force: true });
    }
  });

  test('[BOT-LIB] node-telegram-bot-api: webhook bot on its own webHook server, behind a secret-token check', { timeout: 60_000 }, async () => {
    const hookBot = await kit.createBot('ntba_hook_bot', 'Hook');
    const baseApiUrl = kit.apiRoot;
    const secretToken = 'ntba-secret_0123456789';
    const port = await freePort();
    const failures: unknown[] = [];

    const bot = new TelegramBot(hookBot.token, { webHook: { port, host: '127.0.0.1' }, baseApiUrl });
    bot.on('webhook_error', (error) => failures.push(error));
    bot.on('message', (msg) => {
      if (msg.text === 'ping') bot.sendMessage(msg.chat.id, 'pong').catch((error: unknown) => failures.push(error));
    });

    // node-telegram-bot-api 0.67 has no option to check X-Telegram-Bot-Api-Secret-Token, so a
    // small wrapper in front of its webHook server checks it and passes the request on.
    const secretChecks: string[] = [];
    const front: Server = createServer((req, res) => {
      const given = req.headers['x-telegram-bot-api-secret-token'];
      if (given !== secretToken) {
        secretChecks.push(`refused ${String(given)}`);
        res.writeHead(401).end();
        return;
      }
      secretChecks.push('accepted');
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        fetch(`http://127.0.0.1:${port}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers: { 'content-type': req.headers['content-type'] ?? 'application/json' }, body: Buffer.concat(chunks) })
          .then(async (inner) => res.writeHead(inner.status).end(await inner.text()))
          .catch(() => res.writeHead(502).end());
      });
    });
    await new Promise<void>((listening) => front.listen(0, '127.0.0.1', listening));
    const frontPort = (front.address() as AddressInfo).port;
    try {
      const stranger = await fetch(`http://127.0.0.1:${frontPort}/bot${hookBot.token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"update_id":1}' });
      assert.equal(stranger.status, 401);

      const url = `http://127.0.0.1:${frontPort}/bot${hookBot.token}`;
      assert.equal(await bot.setWebHook(url, { secret_token: secretToken }), true);
      assert.equal((await bot.getWebHookInfo()).url, url);

      await kit.sendText(hookBot, 'ping');
      await kit.waitForBotMessage(hookBot, (m) => m.text === 'pong', 'the "pong" sent from the webhook handler', failures);
      assert.ok(secretChecks.includes('accepted'), `secret checks: ${secretChecks.join(', ')}`);
      assert.deepEqual(failures.map(describeBotError), []);

      assert.equal(await bot.deleteWebHook(), true);
      assert.equal((await botApi<{ url: string }>(baseApiUrl, hookBot.token, 'getWebhookInfo')).url, '');
    } finally {
      await bot.deleteWebHook().catch(() => {});
      await bot.closeWebHook();
      await new Promise((closed) => front.close(closed));
    }
  });
});
