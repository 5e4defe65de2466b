import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { SamizdatClient } from '@samizdat/client';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { type BrowserUser, buildApp, launchChromium, openAndSignIn, openBrowserUser, saveScreenshot, startWebServer } from './browser-harness.ts';

/**
 * Drafts synced across devices ([WEB62]–[WEB64]): Alice signed in twice (two browser contexts,
 * two devices); Bob and Carol write to her from the SDK. The steps build on each other.
 */
let dist: string;
let web: Awaited<ReturnType<typeof startWebServer>>;
let browser: Browser;
let laptop: BrowserUser;
let phone: BrowserUser;
const peers: SamizdatClient[] = [];
/** When the laptop sent each `messages.saveDraft`. */
const saveFrames: number[] = [];

const ALICE_PHONE = '+9996670007';
const ALICE_USERNAME = 'alice_drafts_test';

before(async () => {
  dist = await buildApp();
  web = await startWebServer(dist);
  browser = await launchChromium();
  laptop = await openBrowserUser(browser, web.server.httpUrl, { timeoutMs: 10_000 });
  phone = await openBrowserUser(browser, web.server.httpUrl, { timeoutMs: 10_000 });
});

after(async () => {
  for (const peer of peers) await peer.close();
  await browser?.close();
  await web?.stop();
  if (dist !== undefined) await rm(dist, { recursive: true, force: true });
});

/** Bob or Carol on the SDK: signs up and writes to Alice. */
async function writeToAlice(phoneNumber: string, code: string, name: string, text: string): Promise<void> {
  const client = new SamizdatClient({ url: web.server.wsUrl, WebSocket });
  peers.push(client);
  await client.connect();
  const { phoneCodeHash } = await client.sendCode(phoneNumber);
  await client.signUp({ phone: phoneNumber, phoneCodeHash, code, displayName: name });
  const { user } = await client.call('users.resolveUsername', { username: ALICE_USERNAME });
  await client.sendMessage({ type: 'user', userId: user.id }, text);
}

function composer(page: Page) {
  return page.getByRole('textbox', { name: 'Message', exact: true });
}

function row(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Chats' }).locator('.chat-list-item', { hasText: name });
}

function bubble(page: Page, text: string) {
  return page.getByRole('log', { name: 'Messages' }).locator('.bubble', { has: page.locator('.bubble-text', { hasText: new RegExp(`^${text}$`) }) });
}

async function openChat(page: Page, name: string): Promise<void> {
  await row(page, name).click();
  await page.getByRole('heading', { name }).waitFor();
}

test('[WEB62] [WEB64] a draft typed on one device, saved on leaving the chat, shows as "Draft: …" in the other device\'s list', async () => {
  laptop.page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      if (payload.toString().includes('messages.saveDraft')) saveFrames.push(Date.now());
    });
  });
  await openAndSignIn(laptop.page, ALICE_PHONE, 'Alice Drafts');
  await laptop.page.getByRole('button', { name: 'Settings' }).click();
  await laptop.page.getByLabel('Username').fill(ALICE_USERNAME);
  await laptop.page.getByRole('button', { name: 'Save username' }).click();
  await laptop.page.getByText(`Your username is @${ALICE_USERNAME}`).waitFor();
  await laptop.page.getByRole('button', { name: 'Close' }).click();
  await writeToAlice('+9996680008', '88888', 'Bob Drafts', 'Hi from Bob');
  await writeToAlice('+9996690009', '99999', 'Carol Drafts', 'Hi from Carol');

  // The same account on a second device.
  await openAndSignIn(phone.page, ALICE_PHONE, 'Alice Drafts');
  await row(phone.page, 'Bob Drafts').waitFor();

  await openChat(laptop.page, 'Bob Drafts');
  await bubble(laptop.page, 'Hi from Bob').click({ button: 'right' });
  await laptop.page.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: 'Reply', exact: true }).click();
  await composer(laptop.page).pressSequentially('Half-written reply', { delay: 10 });
  // Leaving the chat saves at once, well before the 1.5 s pause would.
  const leftAt = Date.now();
  await openChat(laptop.page, 'Carol Drafts');

  const draft = row(phone.page, 'Bob Drafts').locator('.draft-preview');
  await draft.waitFor();
  assert.ok(saveFrames[0] !== undefined && saveFrames[0] - leftAt < 1_000, `saved on leaving the chat (after ${(saveFrames[0] ?? NaN) - leftAt} ms)`);
  assert.equal((await draft.innerText()).replace(/\s+/g, ' ').trim(), 'Draft: Half-written reply');
  // "Draft:" in red, as Telegram shows it.
  assert.equal(await draft.locator('.draft-label').evaluate((label) => getComputedStyle(label).color), 'rgb(229, 57, 53)');
  // This device's list shows it as well, once the chat is no longer open.
  await row(laptop.page, 'Bob Drafts').locator('.draft-preview', { hasText: 'Half-written reply' }).waitFor();
  // The server keeps its order (last activity): Carol's chat stays above Bob's.
  const order = await phone.page.locator('.chat-list-item .chat-list-item-title').allInnerTexts();
  assert.deepEqual(order.slice(0, 2), ['Carol Drafts', 'Bob Drafts']);
});

test('[WEB62] [WEB63] a draft saves 1.5 s after the last keystroke while the chat stays open, and reaches the other device live', async () => {
  await composer(laptop.page).pressSequentially('Note for Carol', { delay: 10 });
  const typedAt = Date.now();
  await row(phone.page, 'Carol Drafts').locator('.draft-preview', { hasText: 'Note for Carol' }).waitFor({ timeout: 6_000 });
  assert.ok(Date.now() - typedAt >= 1_000, 'not saved on every keystroke');
  // The chat open on the laptop shows its last message, not its own draft.
  assert.equal(await row(laptop.page, 'Carol Drafts').locator('.draft-preview').count(), 0);
});

test('[WEB63] opening the chat on the other device prefills the composer with the draft and its reply', async () => {
  await openChat(phone.page, 'Bob Drafts');
  await bubble(phone.page, 'Hi from Bob').waitFor();
  assert.equal(await composer(phone.page).inputValue(), 'Half-written reply');
  const bar = phone.page.getByRole('status', { name: 'Replying to message' });
  await bar.waitFor();
  assert.match(await bar.innerText(), /Hi from Bob/);
  await saveScreenshot(phone.page, 'drafts-prefilled');

  // A change on the laptop reaches the phone's untouched composer, too.
  await openChat(laptop.page, 'Carol Drafts');
  await openChat(phone.page, 'Carol Drafts');
  assert.equal(await composer(phone.page).inputValue(), 'Note for Carol');
  await composer(laptop.page).pressSequentially(', and more', { delay: 10 });
  await openChat(laptop.page, 'Bob Drafts');
  await phone.page.waitForFunction(() => (document.querySelector('textarea[aria-label="Message"]') as HTMLTextAreaElement | null)?.value === 'Note for Carol, and more');
});

test('[WEB62] [WEB64] sending clears the draft on both devices', async () => {
  await openChat(phone.page, 'Bob Drafts');
  assert.equal(await composer(phone.page).inputValue(), 'Half-written reply');
  await composer(phone.page).press('Enter');
  await bubble(phone.page, 'Half-written reply').locator('.reply-quote', { hasText: 'Hi from Bob' }).waitFor();
  assert.equal(await composer(phone.page).inputValue(), '');

  // The laptop has Bob's chat open, untouched: its composer empties, and its reply goes.
  await laptop.page.waitForFunction(() => (document.querySelector('textarea[aria-label="Message"]') as HTMLTextAreaElement | null)?.value === '');
  await bubble(laptop.page, 'Half-written reply').waitFor();
  await openChat(laptop.page, 'Carol Drafts');
  await row(laptop.page, 'Bob Drafts').locator('.chat-list-item-preview', { hasText: 'You: Half-written reply' }).waitFor();
  assert.equal(await row(laptop.page, 'Bob Drafts').locator('.draft-preview').count(), 0);

  // Emptying the text by hand clears a draft as well.
  await composer(laptop.page).fill('');
  await row(phone.page, 'Carol Drafts').locator('.draft-preview').waitFor({ state: 'detached' });
  await openChat(phone.page, 'Carol Drafts');
  assert.equal(await composer(phone.page).inputValue(), '');
  await saveScreenshot(laptop.page, 'drafts-list');
});
