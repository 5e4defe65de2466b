/**
 * grammY (https://grammy.dev) against Samizdat's Bot API. The bots are written as grammY's docs
 * show; the only change is the API root (`new Bot(token, { client: { apiRoot } })`).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Bot, InlineKeyboard, InputFile, webhookCallback } from 'grammy';
import { botApi, describeBotError, makePng, randomDocument, sha256, startBotTestKit, until, type BotTestKit } from './bot-test-kit.ts';

/** Starts long polling and resolves once grammY is polling (its `onStart`). */
function startPolling(bot: Bot): Promise<void> {
  return new Promise((started, failed) => {
    bot.start({ onStart: () => started() }).catch(failed);
  });
}

describe('[BOT-LIB] grammY against the Samizdat Bot API', () => {
  let kit: BotTestKit;

  before(async () => {
    kit = await startBotTestKit(7);
  });

  after(async () => {
    await kit?.close();
  });

  test('[BOT-LIB] grammy: echo bot over long polling, with an HTML greeting on /start', { timeout: 60_000 }, async () => {
    const echoBot = await kit.createBot('grammy_echo_bot', 'Echo');
    const token = echoBot.token;
    const apiRoot = kit.apiRoot;

    const bot = new Bot(token, { client: { apiRoot } });
    bot.command('start', (ctx) => ctx.reply('<b>Welcome</b>', { parse_mode: 'HTML' }));
    bot.on('message:text', (ctx) => ctx.reply(ctx.message.text));
    const botErrors: unknown[] = [];
    bot.catch((error) => void botErrors.push(error));

    try {
      await startPolling(bot);
      assert.equal(bot.botInfo.username, 'grammy_echo_bot');

      await kit.sendText(echoBot, 'hello');
      const echoed = await kit.waitForBotMessage(echoBot, (m) => m.text === 'hello', 'the echo of "hello"', botErrors);
      assert.deepEqual(echoed.entities, []);

      await kit.sendText(echoBot, '/start');
      const greeting = await kit.waitForBotMessage(echoBot, (m) => m.text === 'Welcome', 'the /start greeting', botErrors);
      assert.deepEqual(
        greeting.entities.map(({ type, offset, length }) => ({ type, offset, length })),
        [{ type: 'bold', offset: 0, length: 7 }],
      );
      assert.equal(kit.messages.filter((m) => m.senderId === echoBot.id && m.text === '/start').length, 0, '/start is not echoed');
      assert.deepEqual(botErrors.map(describeBotError), [], 'the bot had no errors');
    } finally {
      await bot.stop();
    }
  });

  test('[BOT-LIB] grammy: command bot with an inline keyboard, callback query, edit and setMyCommands', { timeout: 60_000 }, async () => {
    const menuBot = await kit.createBot('grammy_menu_bot', 'Menu');
    const apiRoot = kit.apiRoot;

    const bot = new Bot(menuBot.token, { client: { apiRoot } });
    bot.command('menu', async (ctx) => {
      const keyboard = new InlineKeyboard().text('Yes', 'yes').text('No', 'no');
      await ctx.reply('Do you agree?', { reply_markup: keyboard });
    });
    bot.callbackQuery('yes', async (ctx) => {
      await ctx.answerCallbackQuery({ text: 'You chose yes' });
      await ctx.editMessageText('Chosen: yes');
    });
    bot.callbackQuery('no', async (ctx) => {
      await ctx.answerCallbackQuery({ text: 'You chose no' });
      await ctx.editMessageText('Chosen: no');
    });
    const botErrors: unknown[] = [];
    bot.catch((error) => void botErrors.push(error));

    try {
      await bot.api.setMyCommands([
        { command: 'start', description: 'Start the bot' },
        { command: 'menu', description: 'Show the menu' },
      ]);
      const info = await kit.user.call('bots.getInfo', { botId: menuBot.id });
      assert.deepEqual(info.commands, [
        { command: 'start', description: 'Start the bot' },
        { command: 'menu', description: 'Show the menu' },
      ]);
      assert.deepEqual(await bot.api.getMyCommands(), info.commands);

      await startPolling(bot);
      await kit.sendText(menuBot, '/menu');
      const menu = await kit.waitForBotMessage(menuBot, (m) => m.text === 'Do you agree?', 'the /menu answer', botErrors);
      assert.deepEqual(menu.replyMarkup, {
        type: 'inlineKeyboard',
        rows: [[{ text: 'Yes', callbackData: 'yes' }, { text: 'No', callbackData: 'no' }]],
      });

      const answer = await kit.pressButton(menuBot, menu.id, 'yes');
      assert.equal(answer.message, 'You chose yes');
      assert.equal(answer.alert, false);
      const edited = await kit.waitForBotEdit(menuBot, (m) => m.id === menu.id && m.text === 'Chosen: yes', 'the edit to "Chosen: yes"', botErrors);
      assert.ok(edited.editDate !== null);
      assert.equal(edited.replyMarkup, undefined, 'an edit without reply_markup removes the keyboard, as on Telegram');
      assert.deepEqual(botErrors.map(describeBotError), [], 'the bot had no errors');
    } finally {
      await bot.stop();
    }
  });

  test('[BOT-LIB] grammy: a document goes to the bot (getFile + /file download) and a photo comes back, uploaded and by file_id', { timeout: 60_000 }, async () => {
    const fileBot = await kit.createBot('grammy_file_bot', 'Files');
    const apiRoot = kit.apiRoot;
    const token = fileBot.token;
    const photo = makePng(32, 20);
    const received: { bytes?: Buffer; fileSize?: number; name?: string } = {};

    const bot = new Bot(token, { client: { apiRoot } });
    bot.on('message:document', async (ctx) => {
      const file = await ctx.getFile();
      const response = await fetch(`${apiRoot}/file/bot${token}/${file.file_path}`);
      if (!response.ok) throw new Error(`download failed: ${response.status} ${await response.text()}`);
      received.bytes = Buffer.from(await response.arrayBuffer());
      received.fileSize = file.file_size;
      received.name = ctx.message.document.file_name;
      const sent = await ctx.replyWithPhoto(new InputFile(photo, 'back.png'), { caption: 'back' });
      const largest = sent.photo[sent.photo.length - 1]!;
      await ctx.replyWithPhoto(largest.file_id, { caption: 'back' });
    });
    const botErrors: unknown[] = [];
    bot.catch((error) => void botErrors.push(error));

    try {
      await startPolling(bot);
      const document = randomDocument(5000);
      await kit.sendDocument(fileBot, document, 'random.bin');

      const photos = await until(
        () => {
          const list = kit.messages.filter((m) => m.senderId === fileBot.id && m.media?.kind === 'photo');
          return list.length >= 2 ? list : undefined;
        },
        () => `two photos from the bot; messages: ${JSON.stringify(kit.messages.map((m) => [m.senderId, m.text, m.media?.kind]))}`,
        20_000,
        botErrors,
      );
      assert.equal(received.bytes?.length, document.length);
      assert.equal(sha256(received.bytes!), sha256(document), 'the bot downloaded exactly what the user sent');
      assert.equal(received.fileSize, document.length);
      assert.equal(received.name, 'random.bin');

      for (const message of photos) {
        assert.equal(message.text, 'back');
        assert.equal(message.media?.width, 32);
        assert.equal(message.media?.height, 20);
        const bytes = await kit.download(message.media!.file.id);
        assert.equal(sha256(bytes), sha256(photo), 'the user downloads the photo the bot sent');
      }
      assert.equal(photos[1]!.media!.file.id, photos[0]!.media!.file.id, 'the second photo reuses the first by file_id');
      assert.deepEqual(botErrors.map(describeBotError), [], 'the bot had no errors');
    } finally {
      await bot.stop();
    }
  });

  test('[BOT-LIB] grammy: webhook bot with webhookCallback and a secret token', { timeout: 60_000 }, async () => {
    const hookBot = await kit.createBot('grammy_hook_bot', 'Hook');
    const apiRoot = kit.apiRoot;
    const secretToken = 'grammy-secret_0123456789';
    const statuses: number[] = [];

    const bot = new Bot(hookBot.token, { client: { apiRoot } });
    bot.on('message:text', async (ctx) => {
      if (ctx.message.text === 'ping') await ctx.reply('pong');
    });
    const botErrors: unknown[] = [];
    bot.catch((error) => void botErrors.push(error));

    const handle = webhookCallback(bot, 'http', { secretToken });
    const server: Server = createServer((req, res) => {
      res.on('finish', () => statuses.push(res.statusCode));
      void handle(req, res);
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const { port } = server.address() as AddressInfo;
    try {
      // grammY refuses a request without the secret: what a stranger posting to the hook gets.
      const stranger = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"update_id":1}' });
      assert.equal(stranger.status, 401);

      await bot.api.setWebhook(`http://127.0.0.1:${port}/`, { secret_token: secretToken });
      const info = await bot.api.getWebhookInfo();
      assert.equal(info.url, `http://127.0.0.1:${port}/`);

      await kit.sendText(hookBot, 'ping');
      await kit.waitForBotMessage(hookBot, (m) => m.text === 'pong', 'the "pong" sent from the webhook handler', botErrors);
      assert.ok(statuses.includes(200), `the webhook answered ${statuses.join(', ')}`);

      await bot.api.deleteWebhook();
      assert.equal((await botApi<{ url: string }>(apiRoot, hookBot.token, 'getWebhookInfo')).url, '');
      assert.deepEqual(botErrors.map(describeBotError), [], 'the bot had no errors');
    } finally {
      await bot.api.deleteWebhook().catch(() => {});
      await new Promise((closed) => server.close(closed));
    }
  });
});
