import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type BrowserUser, buildApp, launchChromium, openAndSignIn, openBrowserUser, saveScreenshot, startWebServer } from './browser-harness.ts';

/**
 * Bots end to end ([WEB68]–[WEB73]): a user makes a bot in Settings → My bots, a tiny bot program
 * in Node drives it over the HTTP Bot API (long-polling `getUpdates`), and the user talks to it in
 * Chromium: "Start", an inline keyboard whose "Yes" the bot answers with a toast, a one-time reply
 * keyboard, the command menu and suggestions, and a command in a message that sends itself.
 * The steps build on each other.
 */
let dist: string;
let web: Awaited<ReturnType<typeof startWebServer>>;
let browser: Browser;
let user: BrowserUser;
let bot: BotLoop | null = null;

const PHONE = '+9996640004';
const BOT_USERNAME = 'yes_no_test_bot';
const BOT_NAME = 'Yes No Bot';
const HELP_TEXT = 'Press /start to begin again, or write to help@example.org\nBots answer buttons.';

before(async () => {
  dist = await buildApp();
  // A bot that does not answer a press is given up on after 1.5 s, not the usual 15 s.
  web = await startWebServer(dist, { botCallbackTimeoutMs: 1_500 });
  browser = await launchChromium();
  user = await openBrowserUser(browser, web.server.httpUrl, { timeoutMs: 10_000 });
});

after(async () => {
  await bot?.stop();
  await browser?.close();
  await web?.stop();
  if (dist !== undefined) await rm(dist, { recursive: true, force: true });
});

/** A bot program on the HTTP Bot API, as a Telegram bot would be written. */
interface BotLoop {
  /** Texts of the messages the bot received, in order. */
  readonly received: string[];
  /** Callback data of the presses the bot answered. */
  readonly pressed: string[];
  stop(): Promise<void>;
}

async function startBot(baseUrl: string, token: string): Promise<BotLoop> {
  const abort = new AbortController();
  const received: string[] = [];
  const pressed: string[] = [];
  async function api(method: string, body: Record<string, unknown>): Promise<unknown> {
    for (;;) {
      const response = await fetch(`${baseUrl}/bot${token}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: abort.signal });
      const json = (await response.json()) as { ok: boolean; result?: unknown; description?: string; parameters?: { retry_after?: number } };
      // Sends to one chat are limited (about one a second, as on Telegram): wait as told, then again.
      if (!json.ok && response.status === 429) {
        await new Promise((done) => setTimeout(done, (json.parameters?.retry_after ?? 1) * 1000));
        continue;
      }
      if (!json.ok) throw new Error(`${method}: ${json.description ?? response.status}`);
      return json.result;
    }
  }
  await api('setMyCommands', { commands: [{ command: 'start', description: 'Start the bot' }, { command: 'help', description: 'How to use it' }] });
  const loop = (async () => {
    let offset = 0;
    while (!abort.signal.aborted) {
      let updates: Array<{ update_id: number; message?: { chat: { id: number }; text?: string }; callback_query?: { id: string; data?: string } }>;
      try {
        updates = (await api('getUpdates', { offset, timeout: 2 })) as typeof updates;
      } catch (error) {
        if (abort.signal.aborted) return;
        throw error;
      }
      for (const update of updates) {
        offset = update.update_id + 1;
        if (update.callback_query !== undefined) {
          const data = update.callback_query.data ?? '';
          pressed.push(data);
          // "No" is never answered: the user's press times out.
          if (data === 'no') continue;
          if (data === 'alert') await api('answerCallbackQuery', { callback_query_id: update.callback_query.id, text: 'This is an alert', show_alert: true });
          else await api('answerCallbackQuery', { callback_query_id: update.callback_query.id, text: 'You chose yes', show_alert: false });
          continue;
        }
        const message = update.message;
        if (message?.text === undefined) continue;
        received.push(message.text);
        const chat_id = message.chat.id;
        if (message.text === '/start') {
          await api('sendMessage', { chat_id, text: 'Do you like bots?', reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'yes' }, { text: 'No', callback_data: 'no' }]] } });
          await api('sendMessage', { chat_id, text: 'Or answer with the keyboard', reply_markup: { keyboard: [['Yes', 'No']], one_time_keyboard: true, resize_keyboard: true, input_field_placeholder: 'Yes or no?' } });
        } else if (message.text === 'Yes' || message.text === 'No') {
          await api('sendMessage', { chat_id, text: `You said ${message.text}`, reply_markup: { remove_keyboard: true } });
        } else if (message.text === '/name') {
          await api('sendMessage', { chat_id, text: 'What is your name?', reply_markup: { force_reply: true, input_field_placeholder: 'Your name' } });
        } else if (message.text === '/help') {
          const quote = HELP_TEXT.indexOf('Bots answer');
          await api('sendMessage', {
            chat_id,
            text: HELP_TEXT,
            entities: [
              { type: 'bot_command', offset: HELP_TEXT.indexOf('/start'), length: '/start'.length },
              { type: 'email', offset: HELP_TEXT.indexOf('help@'), length: 'help@example.org'.length },
              { type: 'blockquote', offset: quote, length: HELP_TEXT.length - quote },
            ],
            reply_markup: { inline_keyboard: [[{ text: 'Show alert', callback_data: 'alert' }, { text: 'Website', url: 'https://example.org/' }]] },
          });
        }
      }
    }
  })();
  loop.catch((error: unknown) => {
    if (!abort.signal.aborted) console.error('bot loop', error);
  });
  return {
    received,
    pressed,
    async stop() {
      abort.abort();
      await loop.catch(() => {});
    },
  };
}

function log(page: Page) {
  return page.getByRole('log', { name: 'Messages' });
}

function bubble(page: Page, text: string) {
  return log(page).locator('.bubble', { has: page.locator('.bubble-text', { hasText: new RegExp(`^${text}$`) }) });
}

/** Waits until `predicate` holds, polling; fails with `what`. */
async function eventually(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    assert.ok(Date.now() < deadline, `Timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

test('[WEB73] Settings → My bots makes a bot and shows its token once, with a copy button', async () => {
  const { page } = user;
  await openAndSignIn(page, PHONE, 'Bea Botmaker');
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'My bots' }).click();
  await page.getByText('You have no bots yet.').waitFor();
  await page.getByLabel('Bot name').fill(BOT_NAME);
  await page.getByLabel('Bot username').fill('yes_no_test');
  await page.locator('.bot-username-problem', { hasText: 'must end in “bot”' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Create bot' }).isDisabled(), true, 'a username not ending in "bot" is refused');
  await page.getByLabel('Bot username').fill(BOT_USERNAME);
  await page.getByRole('button', { name: 'Create bot' }).click();
  const tokenBox = page.getByRole('region', { name: 'Bot token' });
  await tokenBox.waitFor();
  const token = (await tokenBox.locator('.bot-token-value').innerText()).trim();
  assert.match(token, /^\d+:\S+$/, 'a Telegram-style token');
  await tokenBox.getByRole('button', { name: 'Copy token' }).waitFor();
  await page.getByRole('list', { name: 'My bots' }).getByRole('listitem', { name: `${BOT_NAME} @${BOT_USERNAME}` }).waitFor();
  await page.getByRole('button', { name: 'Close' }).click();

  bot = await startBot(web.server.httpUrl, token);
});

test('[WEB71] a bot’s empty chat says "bot" in the header and offers "Start", which sends /start', async () => {
  const { page } = user;
  await page.getByRole('button', { name: 'New chat' }).click();
  await page.getByLabel('Username or phone number').fill(`@${BOT_USERNAME}`);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await page.getByRole('heading', { name: BOT_NAME }).waitFor();
  await page.locator('.conversation-header .peer-status', { hasText: /^bot$/ }).waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Message', exact: true }).count(), 0, 'no composer before Start');
  await page.getByText('What can this bot do?').waitFor();
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await bubble(page, '/start').waitFor();
  await eventually(() => bot!.received.includes('/start'), 'the bot to receive /start');
});

test('[WEB68] the inline keyboard shows under the bot’s message; "Yes" asks the bot and its answer shows as a toast; an unanswered press says "The bot did not respond"', async () => {
  const { page } = user;
  const question = bubble(page, 'Do you like bots\\?');
  await question.waitFor();
  const buttons = log(page).getByRole('group', { name: 'Bot buttons' });
  await buttons.getByRole('button', { name: 'Yes' }).waitFor();
  assert.deepEqual(await buttons.getByRole('button').allInnerTexts(), ['Yes', 'No']);
  await buttons.getByRole('button', { name: 'Yes' }).click();
  const toast = page.getByRole('status').filter({ hasText: 'You chose yes' });
  await toast.waitFor();
  assert.deepEqual(bot!.pressed, ['yes']);
  await saveScreenshot(page, 'bots-inline-keyboard');
  // No spinner is left once the answer came.
  assert.equal(await buttons.locator('[aria-busy="true"]').count(), 0);

  // A press the bot leaves unanswered spins until the server gives up, then says so.
  await buttons.getByRole('button', { name: 'No' }).click();
  await buttons.getByRole('button', { name: 'No' }).and(page.locator('[aria-busy="true"]')).getByRole('progressbar', { name: 'Waiting for the bot' }).waitFor();
  await page.getByRole('status').filter({ hasText: 'The bot did not respond' }).waitFor();
  assert.equal(await buttons.locator('[aria-busy="true"]').count(), 0);
  assert.deepEqual(bot!.pressed.slice(0, 2), ['yes', 'no']);
});

test('[WEB69] the reply keyboard shows over the composer with its placeholder; a button sends its text and a one-time keyboard goes', async () => {
  const { page } = user;
  const keyboard = page.getByRole('group', { name: 'Bot keyboard' });
  await keyboard.waitFor();
  const composer = page.getByRole('textbox', { name: 'Message', exact: true });
  assert.equal(await composer.getAttribute('placeholder'), 'Yes or no?');
  // The toggle hides and shows it.
  await page.getByRole('button', { name: 'Hide bot keyboard' }).click();
  await keyboard.waitFor({ state: 'detached' });
  assert.equal(await composer.getAttribute('placeholder'), 'Message');
  await page.getByRole('button', { name: 'Show bot keyboard' }).click();
  await keyboard.getByRole('button', { name: 'Yes' }).click();
  await bubble(page, 'Yes').waitFor();
  await keyboard.waitFor({ state: 'detached' });
  await eventually(() => bot!.received.includes('Yes'), 'the bot to receive "Yes"');
  // The bot's answer removes the keyboard, toggle and all.
  await bubble(page, 'You said Yes').waitFor();
  await page.getByRole('button', { name: 'Show bot keyboard' }).waitFor({ state: 'detached' });
});

test('[WEB68] [WEB71] [WEB72] the "/" menu lists the bot’s commands; typing "/" suggests them; a command in a message sends itself; a link button and an alert answer', async () => {
  const { page } = user;
  // The toast of the last press has gone by itself.
  await page.getByRole('status').filter({ hasText: 'The bot did not respond' }).waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Bot commands' }).click();
  const menu = page.getByRole('menu', { name: 'Bot commands' });
  await menu.waitFor();
  assert.deepEqual(
    (await menu.getByRole('menuitem').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim()),
    ['/start Start the bot', '/help How to use it'],
  );
  await saveScreenshot(page, 'bots-command-menu');
  await menu.getByRole('menuitem', { name: /\/help/ }).click();
  await bubble(page, '/help').waitFor();

  // The bot's help: a command, an email and a quote, as entities.
  const help = log(page).locator('.bubble', { hasText: 'Press /start to begin again' });
  await help.waitFor();
  assert.equal(await help.getByRole('link', { name: 'help@example.org' }).getAttribute('href'), 'mailto:help@example.org');
  assert.equal((await help.locator('blockquote').innerText()).trim(), 'Bots answer buttons.');
  // Its buttons: an answer shown as an alert, and a link.
  const helpButtons = log(page).locator('.bubble-stack', { hasText: 'Press /start to begin again' }).getByRole('group', { name: 'Bot buttons' });
  const website = helpButtons.getByRole('link', { name: 'Website' });
  assert.equal(await website.getAttribute('href'), 'https://example.org/');
  assert.equal(await website.getAttribute('target'), '_blank');
  assert.equal(await website.getAttribute('rel'), 'noopener noreferrer');
  await helpButtons.getByRole('button', { name: 'Show alert' }).click();
  const alert = page.getByRole('dialog', { name: BOT_NAME });
  await alert.getByRole('alert').filter({ hasText: 'This is an alert' }).waitFor();
  await alert.getByRole('button', { name: 'OK' }).click();
  await alert.waitFor({ state: 'detached' });

  const startsBefore = bot!.received.filter((text) => text === '/start').length;
  await help.getByRole('link', { name: '/start' }).click();
  await eventually(() => bot!.received.filter((text) => text === '/start').length === startsBefore + 1, 'the bot to receive /start again');

  // Suggestions while the composer holds "/h".
  const composer = page.getByRole('textbox', { name: 'Message', exact: true });
  await composer.fill('/h');
  const suggestions = page.getByRole('group', { name: 'Command suggestions' });
  await suggestions.getByRole('button', { name: /\/help/ }).waitFor();
  assert.equal(await suggestions.getByRole('button').count(), 1);
  await suggestions.getByRole('button', { name: /\/help/ }).click();
  assert.equal(await composer.inputValue(), '');
  await eventually(() => bot!.received.filter((text) => text === '/help').length === 2, 'the bot to receive /help from a suggestion');
  // From the keyboard: "/" suggests both; ↓ moves to the second, Enter sends it.
  await composer.fill('/');
  assert.equal(await suggestions.getByRole('button').count(), 2);
  await composer.press('ArrowDown');
  await suggestions.locator('.is-highlighted', { hasText: '/help' }).waitFor();
  await composer.press('Enter');
  await suggestions.waitFor({ state: 'detached' });
  assert.equal(await composer.inputValue(), '');
  await eventually(() => bot!.received.filter((text) => text === '/help').length === 3, 'the bot to receive /help picked with the keys');
  await saveScreenshot(page, 'bots-chat');
});

test('[WEB70] a forced reply puts the composer in reply mode to the bot’s question, with its placeholder', async () => {
  const { page } = user;
  const composer = page.getByRole('textbox', { name: 'Message', exact: true });
  await composer.fill('/name');
  await composer.press('Enter');
  await bubble(page, 'What is your name\\?').waitFor();
  const bar = page.getByRole('status', { name: 'Replying to message' });
  await bar.waitFor();
  assert.match(await bar.innerText(), /What is your name\?/);
  assert.equal(await composer.getAttribute('placeholder'), 'Your name');
  await composer.fill('Bea');
  await composer.press('Enter');
  await bubble(page, 'Bea').locator('.reply-quote', { hasText: 'What is your name?' }).waitFor();
  await eventually(() => bot!.received.includes('Bea'), 'the bot to receive the reply');
  await bar.waitFor({ state: 'detached' });
});
