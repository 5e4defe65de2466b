import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { SamizdatClient } from '@samizdat/client';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { buildApp, launchChromium, openAndSignIn, openBrowserUser, saveScreenshot, signIn, startCuttableProxy, startWebServer, type BrowserUser, type CuttableProxy } from './browser-harness.ts';

/**
 * The web client end to end: a production build served by a real server, two users in two
 * browser contexts (one on a desktop-sized window, one on a phone-sized one). The steps build on
 * each other, so they run in order in one test each and share the browser.
 */
let dist: string;
let web: Awaited<ReturnType<typeof startWebServer>>;
let browser: Browser;
/** Alice's way to the server, cut while she is offline. */
let alicesLink: CuttableProxy;
let alice: BrowserUser;
let bob: BrowserUser;

const ALICE_PHONE = '+9996610001';
const BOB_PHONE = '+9996620002';
const BOB_USERNAME = 'bob_web_test';

before(async () => {
  dist = await buildApp();
  web = await startWebServer(dist);
  alicesLink = await startCuttableProxy(web.server.port);
  browser = await launchChromium();
  alice = await openBrowserUser(browser, alicesLink.url, { width: 1200, timeoutMs: 10_000 });
  bob = await openBrowserUser(browser, web.server.httpUrl, { width: 390, timeoutMs: 10_000 });
});

after(async () => {
  await browser?.close();
  await alicesLink?.close();
  await web?.stop();
  if (dist !== undefined) await rm(dist, { recursive: true, force: true });
});

/** The message box of the open conversation. */
function composer(page: Page) {
  return page.getByRole('textbox', { name: 'Message', exact: true });
}

/** The bubbles of a conversation whose text is exactly `text`. */
function bubbles(page: Page, text: string) {
  return page.getByRole('log', { name: 'Messages' }).locator('.bubble-text', { hasText: new RegExp(`^${text}$`) });
}

test('[WEB3] the server serves the built app at / with its hashed assets cached as immutable', async () => {
  const page = await fetch(`${web.server.httpUrl}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(page.headers.get('cache-control'), 'no-cache');
  const html = await page.text();
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(script !== undefined, 'index.html loads a hashed script');
  const asset = await fetch(`${web.server.httpUrl}${script}`);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const fallback = await fetch(`${web.server.httpUrl}/chats/42`);
  assert.equal(fallback.status, 200, 'a page path falls back to index.html');
  assert.equal(await fallback.text(), html);
  assert.equal((await fetch(`${web.server.httpUrl}/assets/missing.js`)).status, 404);
  assert.equal((await fetch(`${web.server.httpUrl}/..%2f..%2fpackage.json`)).status, 404);
  const health = (await (await fetch(`${web.server.httpUrl}/healthz`)).json()) as { pid: number };
  assert.deepEqual(health, { ok: true, protocolVersion: 1, pid: health.pid });
  assert.ok(web.server.servingPids().includes(health.pid), 'the pid is of a process that serves');
});

test('[WEB4] two users sign in, start a chat by username, exchange messages, catch up after going offline, and keep the session across a reload', async () => {
  // Sign-in screen, then sign-up of both users.
  await alice.page.goto('/');
  await alice.page.getByLabel('Phone number').waitFor();
  await saveScreenshot(alice.page, 'sign-in');
  await signIn(alice.page, ALICE_PHONE, 'Alice Liddell');
  await openAndSignIn(bob.page, BOB_PHONE, 'Bob Marley');

  // Bob takes a username in settings.
  await bob.page.getByRole('button', { name: 'Settings' }).click();
  await bob.page.getByLabel('Username').fill(BOB_USERNAME);
  await bob.page.getByRole('button', { name: 'Save username' }).click();
  await bob.page.getByText(`Your username is @${BOB_USERNAME}`).waitFor();
  await saveScreenshot(bob.page, 'settings-phone');
  await bob.page.getByRole('button', { name: 'Close' }).click();

  // Alice starts a chat with @bob_web_test and sends a message; it is stored (one tick).
  await alice.page.getByRole('button', { name: 'New chat' }).click();
  await alice.page.getByLabel('Username or phone number').fill(`@${BOB_USERNAME}`);
  await alice.page.getByRole('button', { name: 'Start chat' }).click();
  await alice.page.getByRole('heading', { name: 'Bob Marley' }).waitFor();
  await composer(alice.page).fill('Hello Bob');
  await composer(alice.page).press('Enter');
  await bubbles(alice.page, 'Hello Bob').waitFor();
  await alice.page.locator('.bubble[data-own="true"]').getByRole('img', { name: 'Sent' }).waitFor();

  // Bob sees it in his chat list with an unread badge, opens it and replies.
  const bobsRow = bob.page.getByRole('button', { name: 'Alice Liddell, 1 unread' });
  await bobsRow.waitFor();
  assert.match(await bobsRow.innerText(), /Hello Bob/);
  await saveScreenshot(bob.page, 'chat-list-phone');
  await bobsRow.click();
  await bubbles(bob.page, 'Hello Bob').waitFor();
  // Shift+Enter makes a new line; Enter sends.
  await composer(bob.page).fill('Hi Alice');
  await composer(bob.page).press('Shift+Enter');
  await composer(bob.page).pressSequentially('How are you?');
  assert.equal(await composer(bob.page).inputValue(), 'Hi Alice\nHow are you?');
  await composer(bob.page).press('Enter');
  await bob.page.locator('.bubble-text', { hasText: 'How are you?' }).waitFor();

  // Alice sees the reply live, and her message read (two ticks) once Bob opened the chat.
  await alice.page.locator('.bubble-text', { hasText: 'How are you?' }).waitFor();
  await alice.page.locator('.bubble[data-own="true"]').getByRole('img', { name: 'Read' }).waitFor();
  await saveScreenshot(alice.page, 'conversation');
  // The theme follows the system's colour scheme.
  const background = () => alice.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();
  await alice.page.emulateMedia({ colorScheme: 'dark' });
  assert.notEqual(await background(), light);
  await saveScreenshot(alice.page, 'conversation-dark');
  await alice.page.emulateMedia({ colorScheme: 'light' });
  await saveScreenshot(bob.page, 'conversation-phone');

  // Alice goes offline; Bob sends two messages; back online, Alice shows each exactly once.
  await alice.context.setOffline(true);
  alicesLink.cut();
  await alice.page.getByText('Waiting for network…').or(alice.page.getByText('Connecting…')).first().waitFor();
  for (const text of ['First while you were away', 'Second while you were away']) {
    await composer(bob.page).fill(text);
    await composer(bob.page).press('Enter');
    await bob.page.locator('.bubble[data-message-id]', { hasText: text }).waitFor();
  }
  assert.equal(await bubbles(alice.page, 'First while you were away').count(), 0, 'nothing arrives while offline');
  alicesLink.restore();
  await alice.context.setOffline(false);
  await bubbles(alice.page, 'Second while you were away').waitFor({ timeout: 20_000 });
  await bubbles(alice.page, 'First while you were away').waitFor();
  assert.equal(await bubbles(alice.page, 'First while you were away').count(), 1);
  assert.equal(await bubbles(alice.page, 'Second while you were away').count(), 1);
  assert.equal(await bubbles(alice.page, 'Hello Bob').count(), 1);

  // A reload keeps the session (IndexedDB): the chat list comes back without signing in.
  await alice.page.reload();
  const alicesRow = alice.page.getByRole('button', { name: /^Bob Marley/ });
  await alicesRow.waitFor();
  assert.equal(await alice.page.getByLabel('Phone number').count(), 0);
  assert.match(await alicesRow.innerText(), /Second while you were away/);
  await saveScreenshot(alice.page, 'chat-list');
  await alicesRow.click();
  await bubbles(alice.page, 'Second while you were away').waitFor();
  assert.equal(await bubbles(alice.page, 'First while you were away').count(), 1);
});

test('[WEB6] keyboard: Ctrl+K focuses the search, which filters the list; Esc closes the conversation on a phone-sized screen', async () => {
  const { page } = bob;
  assert.equal(await page.getByRole('navigation', { name: 'Chats' }).count(), 0, 'one pane at a time on a narrow screen');
  await page.keyboard.press('Escape');
  await page.getByRole('navigation', { name: 'Chats' }).waitFor();
  assert.equal(await page.getByRole('region', { name: 'Conversation' }).count(), 0);
  await page.keyboard.press('Control+k');
  const search = page.getByRole('searchbox', { name: 'Search chats' });
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Search chats');
  await search.pressSequentially('zzz');
  await page.getByText('No chats match your search.').waitFor();
  await search.fill('alice');
  await page.getByRole('button', { name: /^Alice Liddell/ }).waitFor();
  await search.press('Escape');
  assert.equal(await search.inputValue(), '');
});

test('[WEB5] a long history renders only a window of messages and loads older pages while scrolling up to the first', async () => {
  // Carol writes 300 messages to Bob from Node, through the same SDK.
  const carol = new SamizdatClient({ url: web.server.wsUrl, WebSocket });
  try {
    await carol.connect();
    const { phoneCodeHash } = await carol.sendCode('+9996630003');
    await carol.signUp({ phone: '+9996630003', phoneCodeHash, code: '33333', displayName: 'Carol' });
    const { user } = await carol.call('users.resolveUsername', { username: BOB_USERNAME });
    const total = 300;
    await Promise.all(Array.from({ length: total }, (_, i) => carol.sendMessage({ type: 'user', userId: user.id }, `Message ${i + 1}`)));
  } finally {
    await carol.close();
  }
  const { page } = bob;
  await page.getByRole('searchbox', { name: 'Search chats' }).fill('');
  const row = page.getByRole('button', { name: 'Carol, 300 unread' });
  await row.waitFor();
  await row.click();
  const log = page.getByRole('log', { name: 'Messages' });
  await bubbles(page, 'Message 300').waitFor();
  const renderedAtBottom = await log.locator('.bubble').count();
  assert.ok(renderedAtBottom > 5 && renderedAtBottom < 60, `${renderedAtBottom} bubbles in the DOM at the bottom`);
  let most = renderedAtBottom;
  for (let i = 0; i < 60 && (await bubbles(page, 'Message 1').count()) === 0; i++) {
    await log.evaluate((element) => (element.scrollTop = 0));
    await page.waitForTimeout(100);
    most = Math.max(most, await log.locator('.bubble').count());
  }
  await bubbles(page, 'Message 1').waitFor();
  assert.ok(most < 80, `at most ${most} of 300 bubbles were ever in the DOM`);
  assert.equal(await bubbles(page, 'Message 300').count(), 0, 'the newest are out of the window at the top');
  await page.getByRole('button', { name: 'Scroll to the newest message' }).click();
  await bubbles(page, 'Message 300').waitFor();
});
