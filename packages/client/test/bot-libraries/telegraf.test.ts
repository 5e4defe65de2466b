/**
 * Telegraf (https://telegraf.js.org) against Samizdat's Bot API. The bots are written as
 * Telegraf's docs show; the only change is the API root (`new Telegraf(token, { telegram: { apiRoot } })`).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Markup, Telegraf } from 'telegraf';
import { message } from 'telegraf/filters';
import { botApi, describeBotError, makePng, randomDocument, sha256, startBotTestKit, until, type BotTestKit } from './bot-test-kit.ts';

/** Launches long polling; resolves once Telegraf is connected (its `onLaunch`), and gives the launch promise to await after stop. */
async function launch(bot: Telegraf): Promise<{ stopped: Promise<void> }> {
  let stopped!: Promise<void>;
  await new Promise<void>((launched, failed) => {
    stopped = bot.launch(() => launched());
    stopped.catch(failed);
  });
  // onLaunch comes right after getMe, before deleteWebhook and the first getUpdates; either way the updates wait in the inbox.
  return { stopped: stopped.catch(() => {}) };
}

describe('[BOT-LIB] Telegraf against the Samizdat Bot API', () => {
  let kit: BotTestKit;

  before(async () => {
    kit = await startBotTestKit(8);
  });

  after(async () => {
    await kit?.close();
  });

  test('[BOT-LIB] telegraf: echo bot over long polling, with an HTML greeting on /start', { timeout: 60_000 }, async () => {
    const echoBot = await kit.createBot('telegraf_echo_bot', 'Echo');
    const apiRoot = kit.apiRoot;

    const bot = new Telegraf(echoBot.token, { telegram: { apiRoot } });
    bot.start((ctx) => ctx.reply('<b>Welcome</b>', { parse_mode: 'HTML' }));
    bot.on(message('text'), (ctx) => ctx.reply(ctx.message.text));
    const botErrors: unknown[] = [];
    bot.catch((error) => void botErrors.push(error));

    const { stopped } = await launch(bot);
    try {
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
      bot.stop('test over');
      await stopped;
    }
  });

  test('[BOT-LIB] telegraf: command bot with an inline keyboard, callback query, edit and setMyCommands', { timeout: 60_000 }, async () => {
    const menuBot = await kit.createBot('telegraf_menu_bot', 'Menu');
    const apiRoot = kit.apiRoot;

    const bot = new Telegraf(menuBot.token, { telegram: { apiRoot } });
    bot.command('menu', (ctx) =>
      ctx.reply('Do you agree?', Markup.inlineKeyboard([Markup.button.callback('Yes', 'yes'), Markup.button.callback('No', 'no')])),
    );
    bot.action('yes', async (ctx) => {
      await ctx.answerCbQuery('You chose yes');
      await ctx.editMessageText('Chosen: yes');
    });
    bot.action('no', async (ctx) => {
      await ctx.answerCbQuery('You chose no');
      await ctx.editMessageText('Chosen: no');
    });
    const botErrors: unknown[] = [];
    bot.catch((error) => void botErrors.push(error));

    await bot.telegram.setMyCommands([
      { command: 'start', description: 'Start the bot' },
      { command: 'menu', description: 'Show the menu' },
    ]);
    const info = await kit.user.call('bots.getInfo', { botId: menuBot.id });
    assert.deepEqual(info.commands, [
      { command: 'start', description: 'Start the bot' },
      { command: 'menu', description: 'Show the menu' },
    ]);
    assert.deepEqual(await bot.telegram.getMyCommands(), info.commands);

    const { stopped } = await launch(bot);
    try {
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
      assert.deepEqual(botErrors.map(describeBotError), [], 'the bot had no errors');
    } finally {
      bot.stop('test over');
      await stopped;
    }
  });

  test('[BOT-LIB] telegraf: a document goes to the bot (getFileLink download) and a photo comes back, uploaded and by file_id', { timeout: 60_000 }, async () => {
    const fileBot = await kit.createBot('telegraf_file_bot', 'Files');
    const apiRoot = kit.apiRoot;
    const photo = makePng(30, 18);
    const received: { bytes?: Buffer; link?: string; name?: string } = {};

    const bot = new Telegraf(fileBot.token, { telegram: { apiRoot } });
    bot.on(message('document'), async (ctx) => {
      const link = await ctx.telegram.getFileLink(ctx.message.document.file_id);
      received.link = link.href;
      const response = await fetch(link);
      if (!response.ok) throw new Error(`download failed: ${response.status} ${await response.text()}`);
      received.bytes = Buffer.from(await response.arrayBuffer());
      received.name = ctx.message.document.file_name;
      const sent = await ctx.replyWithPhoto({ source: photo, filename: 'back.png' }, { caption: 'back' });
      const largest = sent.photo[sent.photo.length - 1]!;
      await ctx.replyWithPhoto(largest.file_id, { caption: 'back' });
    });
    const botErrors: unknown[] = [];
    bot.catch((error) => void botErrors.push(error));

    const { stopped } = await launch(bot);
    try {
      const document = randomDocument(6000);
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
      assert.ok(received.link?.startsWith(`${apiRoot}/file/bot${fileBot.token}/`), `getFileLink gave ${received.link}`);
      assert.equal(received.bytes?.length, document.length);
      assert.equal(sha256(received.bytes!), sha256(document), 'the bot downloaded exactly what the user sent');
      assert.equal(received.name, 'random.bin');

      for (const photoMessage of photos) {
        assert.equal(photoMessage.text, 'back');
        assert.equal(photoMessage.media?.width, 30);
        assert.equal(photoMessage.media?.height, 18);
        const bytes = await kit.download(photoMessage.media!.file.id);
        assert.equal(sha256(bytes), sha256(photo), 'the user downloads the photo the bot sent');
      }
      assert.equal(photos[1]!.media!.file.id, photos[0]!.media!.file.id, 'the second photo reuses the first by file_id');
      assert.deepEqual(botErrors.map(describeBotError), [], 'the bot had no errors');
    } finally {
      bot.stop('test over');
      await stopped;
    }
  });

  test('[BOT-LIB] telegraf: webhook bot with webhookCallback and a secret token, answering through the webhook reply', { timeout: 60_000 }, async () => {
    const hookBot = await kit.createBot('telegraf_hook_bot', 'Hook');
    const apiRoot = kit.apiRoot;
    const secretToken = 'telegraf-secret_0123456789';
    const path = '/telegraf/hook';
    const answers: { status: number; body: string }[] = [];

    const bot = new Telegraf(hookBot.token, { telegram: { apiRoot } });
    bot.on(message('text'), async (ctx) => {
      if (ctx.message.text !== 'ping') return;
      // Telegraf answers the first call it may (sendChatAction, answerCbQuery, …) in the webhook's
      // response ("webhook reply"); sendMessage is not among them, so it goes as a normal call.
      await ctx.sendChatAction('typing');
      await ctx.reply('pong');
    });
    const botErrors: unknown[] = [];
    bot.catch((error) => void botErrors.push(error));

    // Telegraf's createWebhook({ domain }) always registers an https:// URL; on a plain-HTTP
    // loopback server the documented alternative is webhookCallback(path) + setWebhook.
    const handle = bot.webhookCallback(path, { secretToken });
    const server: Server = createServer((req, res) => {
      // Records what the handler answered, to see whether the reply went back in the webhook's response.
      const chunks: Buffer[] = [];
      const write = res.write.bind(res);
      const end = res.end.bind(res);
      res.write = ((chunk: unknown, ...rest: unknown[]) => {
        if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as string));
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof res.write;
      res.end = ((chunk?: unknown, ...rest: unknown[]) => {
        if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as string));
        answers.push({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') });
        return (end as (...args: unknown[]) => typeof res)(chunk, ...rest);
      }) as typeof res.end;
      void handle(req, res);
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const { port } = server.address() as AddressInfo;
    try {
      // Telegraf refuses a request without the secret.
      const stranger = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"update_id":1}' });
      assert.equal(stranger.status, 403);
      answers.length = 0;

      await bot.telegram.setWebhook(`http://127.0.0.1:${port}${path}`, { secret_token: secretToken });
      assert.equal((await bot.telegram.getWebhookInfo()).url, `http://127.0.0.1:${port}${path}`);

      await kit.sendText(hookBot, 'ping');
      await kit.waitForBotMessage(hookBot, (m) => m.text === 'pong', 'the "pong" the webhook handler answered', botErrors);
      const reply = answers.find((answer) => answer.body.includes('"method":"sendChatAction"'));
      assert.ok(reply !== undefined, `sendChatAction went back as a webhook reply; webhook answers: ${JSON.stringify(answers)}`);
      assert.equal(reply.status, 200);
      // The server ran the webhook reply: the user saw the bot typing.
      await until(
        () => kit.typing.find((frame) => frame.userId === hookBot.id && frame.action === 'typing'),
        () => `the bot's typing (from the webhook reply); typing seen: ${JSON.stringify(kit.typing)}`,
        20_000,
        botErrors,
      );

      await bot.telegram.deleteWebhook();
      assert.equal((await botApi<{ url: string }>(apiRoot, hookBot.token, 'getWebhookInfo')).url, '');
      assert.deepEqual(botErrors.map(describeBotError), [], 'the bot had no errors');
    } finally {
      await bot.telegram.deleteWebhook().catch(() => {});
      await new Promise((closed) => server.close(closed));
    }
  });
});
