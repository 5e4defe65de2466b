import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { SamizdatClient } from '@samizdat/client';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { type BrowserUser, buildApp, launchChromium, openAndSignIn, openBrowserUser, saveScreenshot, startWebServer } from './browser-harness.ts';

/**
 * Pinned chats end to end ([WEB60]): one user signed in twice (two browser contexts, as two
 * devices), chats made from Node on the SDK. A pin on one device moves the chat to the top on both.
 */
let dist: string;
let web: Awaited<ReturnType<typeof startWebServer>>;
let browser: Browser;
let seeder: SamizdatClient;
let laptop: BrowserUser;
let desktop: BrowserUser;

const PHONE = '+9996670001';

before(async () => {
  dist = await buildApp();
  web = await startWebServer(dist);
  browser = await launchChromium();
  seeder = new SamizdatClient({ url: web.server.wsUrl, WebSocket });
  await seeder.connect();
  const { phoneCodeHash } = await seeder.sendCode(PHONE);
  await seeder.signUp({ phone: PHONE, phoneCodeHash, code: '77777', displayName: 'Pia Pinner' });
  for (const title of ['Pin Alpha', 'Pin Beta', 'Pin Gamma']) {
    const { chat } = await seeder.call('chats.createGroup', { title, userIds: [] });
    await seeder.sendMessage({ type: 'chat', chatId: chat.id }, `hello from ${title}`);
  }
  laptop = await openBrowserUser(browser, web.server.httpUrl, { timeoutMs: 10_000 });
  desktop = await openBrowserUser(browser, web.server.httpUrl, { timeoutMs: 10_000 });
});

after(async () => {
  await seeder?.close();
  await browser?.close();
  await web?.stop();
  if (dist !== undefined) await rm(dist, { recursive: true, force: true });
});

/** The chat list's titles, top to bottom. */
async function titles(page: Page): Promise<string[]> {
  return page.getByRole('list', { name: 'Chat list' }).locator('.chat-list-item-title').allInnerTexts();
}

/** Waits until the chat list shows `expected` on top, in that order. */
async function waitForTop(page: Page, expected: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = await titles(page);
    if (expected.every((title, index) => seen[index] === title)) return;
    await page.waitForTimeout(50);
  }
  assert.fail(`The chat list starts ${JSON.stringify(seen)}, not ${JSON.stringify(expected)}`);
}

test('[WEB60] a chat pinned on one device moves to the top with a pin on both; unpinned on the other, it goes back', async () => {
  for (const { page } of [laptop, desktop]) {
    await openAndSignIn(page, PHONE, 'Pia Pinner');
    await waitForTop(page, ['Pin Gamma', 'Pin Beta', 'Pin Alpha']);
  }

  // Pin from the hover button of the oldest chat.
  const alphaRow = laptop.page.getByRole('button', { name: 'Pin Alpha', exact: true });
  await alphaRow.hover();
  await laptop.page.getByRole('button', { name: 'Pin Pin Alpha', exact: true }).click();
  await waitForTop(laptop.page, ['Pin Alpha', 'Pin Gamma', 'Pin Beta']);
  await waitForTop(desktop.page, ['Pin Alpha', 'Pin Gamma', 'Pin Beta']);
  await desktop.page.getByRole('button', { name: 'Pin Alpha, pinned', exact: true }).waitFor();
  assert.equal(await desktop.page.locator('.chat-list-entry[data-pinned="true"] .chat-list-item-pinned svg').count(), 1, 'a pin icon beside the pinned chat only');
  await saveScreenshot(desktop.page, 'web-pinned-chats');

  // New activity in an unpinned chat does not lift it above the pinned one.
  await seeder.sendMessage({ type: 'chat', chatId: (await seeder.call('messages.getChats', {})).chats.find((c) => c.title === 'Pin Beta')!.id }, 'Beta speaks');
  await waitForTop(desktop.page, ['Pin Alpha', 'Pin Beta', 'Pin Gamma']);

  // Unpin from the other device, with the keyboard: focus shows the button.
  await desktop.page.getByRole('button', { name: 'Unpin Pin Alpha', exact: true }).focus();
  await desktop.page.keyboard.press('Enter');
  await waitForTop(desktop.page, ['Pin Beta', 'Pin Gamma', 'Pin Alpha']);
  await waitForTop(laptop.page, ['Pin Beta', 'Pin Gamma', 'Pin Alpha']);
  assert.equal(await laptop.page.locator('.chat-list-entry[data-pinned="true"]').count(), 0);
});

test('[WEB61] a reaction made elsewhere (or before a reload) shows as the viewer’s own, and a click on its chip takes it back', async () => {
  const gamma = (await seeder.call('messages.getChats', {})).chats.find((c) => c.title === 'Pin Gamma')!;
  const message = await seeder.sendMessage({ type: 'chat', chatId: gamma.id }, 'react to me');
  await seeder.call('messages.react', { peer: { type: 'chat', chatId: gamma.id }, messageId: message.id, emoji: '👍' });
  const { page } = laptop;
  await page.reload();
  await page.getByRole('button', { name: 'Pin Gamma', exact: true }).click();
  const chip = page.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: '👍 1, yours', exact: true });
  await chip.waitFor();
  assert.equal(await chip.getAttribute('aria-pressed'), 'true');
  await chip.click();
  await page.getByRole('group', { name: 'Reactions' }).waitFor({ state: 'detached' });
  const { messages } = await seeder.call('messages.getHistory', { peer: { type: 'chat', chatId: gamma.id }, limit: 1 });
  assert.deepEqual(messages[0]?.reactions, [], 'the click took the reaction back on the server');
});
