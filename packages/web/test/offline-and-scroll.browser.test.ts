import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SamizdatClient } from '@samizdat/client';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { buildApp, launchChromium, openAndSignIn, openBrowserUser, REPO_DIR, saveScreenshot, signIn, startCuttableProxy, startWebServer, type CuttableProxy } from './browser-harness.ts';

/**
 * The offline cache, a 10,000-message history and the accessibility pass ([WEB50]–[WEB59]): a
 * production build served by a real server; the other side of each chat is an SDK client in this
 * process.
 */
let dist: string;
let web: Awaited<ReturnType<typeof startWebServer>>;
let browser: Browser;
let link: CuttableProxy;
const sdkClients: SamizdatClient[] = [];
/** The 10,000 messages, written while the first test runs; resolves with how long that took. */
let seeding: Promise<number>;

const HISTORY_SIZE = 10_000;
const SEED_BATCH = 200;

before(async () => {
  dist = await buildApp();
  // One client seeds 10,000 messages: lift its per-connection frame rate (a server option, the
  // same one an operator has), not the protocol's rules.
  web = await startWebServer(dist, { connectionLimits: { frames: { capacity: 100_000, perSecond: 100_000 }, maxInFlight: 1_024 } });
  link = await startCuttableProxy(web.server.port);
  browser = await launchChromium();
  seeding = seedHistory();
  seeding.catch(() => {});
});

/** Grace writes Frank 10,000 messages, in batches that stay under the connection's in-flight limit. */
async function seedHistory(): Promise<number> {
  await sdkUser('+9996660006', 'Frank Reader');
  const grace = await sdkUser('+9996670007', 'Grace Writer');
  const { user: frank } = await grace.call('users.resolvePhone', { phone: '+9996660006' });
  const started = Date.now();
  for (let i = 0; i < HISTORY_SIZE; i += SEED_BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(SEED_BATCH, HISTORY_SIZE - i) }, (_, k) =>
        grace.call('messages.send', { peer: { type: 'user', userId: frank.id }, text: `Message ${i + k + 1}`, randomId: `seed-message-${i + k + 1}` }),
      ),
    );
  }
  return Date.now() - started;
}

after(async () => {
  for (const client of sdkClients) await client.close().catch(() => {});
  await browser?.close();
  await link?.close();
  await web?.stop();
  if (dist !== undefined) await rm(dist, { recursive: true, force: true });
});

/** A user signed up through the SDK in this process. */
async function sdkUser(phone: string, name: string): Promise<SamizdatClient> {
  const client = new SamizdatClient({ url: web.server.wsUrl, WebSocket });
  sdkClients.push(client);
  await client.connect();
  const { phoneCodeHash } = await client.sendCode(phone);
  await client.signUp({ phone, phoneCodeHash, code: phone.charAt(6).repeat(5), displayName: name });
  return client;
}

function bubbles(page: Page, text: string) {
  return page.getByRole('log', { name: 'Messages' }).locator('.bubble-text', { hasText: new RegExp(`^${text}$`) });
}

/** How many messages of `chatId` the offline cache holds in the page's IndexedDB. */
function cachedMessageCount(page: Page, chatId: number): Promise<number> {
  return page.evaluate(
    (id) =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open('samizdat');
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('history')) return resolve(-1);
          const request = db.transaction('history').objectStore('history').get(`chat:${id}`);
          request.onsuccess = () => {
            const value = request.result as { messages?: unknown[] } | undefined;
            resolve(value?.messages?.length ?? 0);
            db.close();
          };
        };
        open.onerror = () => resolve(-1);
      }),
    chatId,
  );
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `Timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

test('[WEB50] [WEB51] [WEB52] a reload without the server shows the cached chats and history, read-only and marked offline; back online, changes arrive exactly once', async () => {
  const { page } = await openBrowserUser(browser, link.url, { timeoutMs: 15_000 });
  await openAndSignIn(page, '+9996640004', 'Dave Offline');
  const erin = await sdkUser('+9996650005', 'Erin Online');
  const { user: dave } = await erin.call('users.resolvePhone', { phone: '+9996640004' });
  const peer = { type: 'user' as const, userId: dave.id };
  const sent = [];
  for (const text of ['Erin one', 'Erin two', 'Erin three']) sent.push(await erin.sendMessage(peer, text));
  const chatId = sent[0]!.chatId;

  const row = page.getByRole('button', { name: /^Erin Online/ });
  await row.click();
  await bubbles(page, 'Erin three').waitFor();
  // The cache has saved the history, and the service worker holds the app's files.
  await waitFor('the history in the cache', async () => (await cachedMessageCount(page, chatId)) === 3);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await waitFor('the app shell in the service worker cache', () => page.evaluate(async () => (await caches.match('/')) !== undefined));

  // The server becomes unreachable; a reload still shows the list and the history.
  link.cut();
  await page.reload();
  const status = page.getByRole('status').filter({ hasText: 'Offline — waiting for network' });
  await status.waitFor();
  assert.match(await status.innerText(), /Showing saved chats/);
  await page.getByRole('button', { name: /^Erin Online/ }).click();
  await bubbles(page, 'Erin three').waitFor();
  assert.equal(await bubbles(page, 'Erin one').count(), 1);
  assert.equal(await page.getByRole('textbox', { name: 'Message', exact: true }).count(), 0, 'the cached conversation is read-only');
  await page.getByText('Offline — you are reading saved messages').waitFor();
  await saveScreenshot(page, 'offline-cached-conversation');

  // Meanwhile: a new message, an edit and a deletion.
  await erin.sendMessage(peer, 'Sent while you were offline');
  await erin.call('messages.edit', { peer, messageId: sent[1]!.id, text: 'Erin two, edited' });
  await erin.call('messages.delete', { peer, messageIds: [sent[0]!.id], forEveryone: true });
  await page.waitForTimeout(300);
  assert.equal(await bubbles(page, 'Sent while you were offline').count(), 0);

  // Back online: the client catches up through the SDK; everything shows once.
  link.restore();
  await bubbles(page, 'Sent while you were offline').waitFor({ timeout: 20_000 });
  await bubbles(page, 'Erin two, edited').waitFor();
  await bubbles(page, 'Erin one').waitFor({ state: 'detached' });
  await status.waitFor({ state: 'detached' });
  await page.getByRole('textbox', { name: 'Message', exact: true }).waitFor();
  await erin.sendMessage(peer, 'After the reconnect');
  await bubbles(page, 'After the reconnect').waitFor();
  for (const text of ['Erin two, edited', 'Erin three', 'Sent while you were offline', 'After the reconnect']) {
    assert.equal(await bubbles(page, text).count(), 1, `${text} shows once`);
  }
  const ids = await page.locator('.bubble[data-message-id]').evaluateAll((elements) => elements.map((element) => Number(element.getAttribute('data-message-id'))));
  assert.deepEqual(ids, [...new Set(ids)].sort((a, b) => a - b), 'ascending, each id once');
  // The cache followed: the deletion and the edit are in it too.
  await waitFor('the cache to follow the catch-up', async () => (await cachedMessageCount(page, chatId)) === 4);
  await page.context().close();
});

test('[WEB54] [WEB55] a 10,000-message history scrolls to its first message with a bounded DOM, in order, each message once', async () => {
  const { page } = await openBrowserUser(browser, web.server.httpUrl, { width: 1000, timeoutMs: 15_000 });
  await page.goto('/');
  const seedMs = await seeding;
  await signIn(page, '+9996660006', 'Frank Reader');

  await page.getByRole('button', { name: /^Grace Writer/ }).click();
  const log = page.getByRole('log', { name: 'Messages' });
  await bubbles(page, `Message ${HISTORY_SIZE}`).waitFor();
  // Count the bubbles in the DOM after every change, in the page itself.
  await log.evaluate((element) => {
    const state = { most: element.querySelectorAll('.bubble').length };
    (window as unknown as { bubbleWatch: typeof state }).bubbleWatch = state;
    new MutationObserver(() => {
      state.most = Math.max(state.most, element.querySelectorAll('.bubble').length);
    }).observe(element, { childList: true, subtree: true });
  });

  // [WEB54] An older page arriving above keeps the view still: the message at the top of the view stays in view.
  const still = await log.evaluate(async (element) => {
    element.scrollTop = 0;
    await new Promise(requestAnimationFrame);
    await new Promise(requestAnimationFrame);
    const box = element.getBoundingClientRect();
    const rendered = [...element.querySelectorAll('.bubble[data-message-id]')];
    const oldestLoaded = Math.min(...rendered.map((bubble) => Number(bubble.getAttribute('data-message-id'))));
    const atTop = rendered.find((bubble) => bubble.getBoundingClientRect().top >= box.top)?.getAttribute('data-message-id') ?? '';
    const deadline = performance.now() + 10_000;
    while (![...element.querySelectorAll('.bubble[data-message-id]')].some((bubble) => Number(bubble.getAttribute('data-message-id')) < oldestLoaded) && performance.now() < deadline) {
      await new Promise(requestAnimationFrame);
    }
    await new Promise(requestAnimationFrame);
    await new Promise(requestAnimationFrame);
    const rect = element.querySelector(`.bubble[data-message-id="${atTop}"]`)?.getBoundingClientRect();
    return { atTop, isInView: rect !== undefined && rect.bottom > box.top && rect.top < box.bottom, scrollTop: element.scrollTop };
  });
  assert.ok(still.isInView, `message ${still.atTop} stayed in view while the older page arrived (scrollTop ${still.scrollTop})`);

  // Up to the first message: jump to the top again and again, each time waiting for an older page
  // to arrive above (the view stays put while it does, so each page takes a jump of its own).
  const { upMs, jumps } = await log.evaluate(async (element) => {
    // No named functions in here: the test's transpiler would wrap them in a helper the page lacks.
    const started = performance.now();
    let count = 0;
    const firstSelector = '.bubble[data-message-id]';
    while (![...element.querySelectorAll('.bubble-text')].some((text) => text.textContent === 'Message 1') && count < 400) {
      const before = element.querySelector(firstSelector)?.getAttribute('data-message-id') ?? null;
      element.scrollTop = 0;
      count += 1;
      const deadline = performance.now() + 10_000;
      while ((element.querySelector(firstSelector)?.getAttribute('data-message-id') ?? null) === before && performance.now() < deadline) {
        await new Promise(requestAnimationFrame);
      }
    }
    return { upMs: Math.round(performance.now() - started), jumps: count };
  });
  await bubbles(page, 'Message 1').waitFor();

  // Down again, fast: a fixed step per animation frame through the whole history, recording the
  // frame times and the ids rendered at each frame.
  const run = await log.evaluate(async (element) => {
    const stepPx = 1_800;
    const frames: number[] = [];
    const seen = new Set<number>();
    let isOrdered = true;
    let hasDuplicates = false;
    let last = performance.now();
    const started = last;
    element.scrollTop = 0;
    for (;;) {
      await new Promise(requestAnimationFrame);
      const now = performance.now();
      frames.push(now - last);
      last = now;
      const ids = [...element.querySelectorAll('.bubble[data-message-id]')].map((bubble) => Number(bubble.getAttribute('data-message-id')));
      for (let i = 1; i < ids.length; i++) if (ids[i]! <= ids[i - 1]!) (ids[i] === ids[i - 1] ? (hasDuplicates = true) : (isOrdered = false));
      for (const id of ids) seen.add(id);
      const bottom = element.scrollHeight - element.clientHeight;
      if (element.scrollTop >= bottom - 1) break;
      element.scrollTop = Math.min(bottom, element.scrollTop + stepPx);
    }
    return { frames: frames.slice(1), seen: seen.size, isOrdered, hasDuplicates, totalMs: performance.now() - started, distancePx: element.scrollHeight };
  });
  const most = await page.evaluate(() => (window as unknown as { bubbleWatch: { most: number } }).bubbleWatch.most);
  assert.equal(run.seen, HISTORY_SIZE, 'every message was rendered on the way down');
  assert.ok(run.isOrdered, 'bubbles are in id order');
  assert.ok(!run.hasDuplicates, 'no message shows twice');
  assert.ok(most <= 100, `at most ${most} bubbles were ever in the DOM`);

  const sorted = [...run.frames].sort((a, b) => a - b);
  const percentile = (p: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) * 10) / 10;
  const result = {
    benchmark: 'web-scroll-10k',
    date: new Date().toISOString(),
    messages: HISTORY_SIZE,
    seedMs,
    scrollUpToFirstMs: upMs,
    scrollToTopJumps: jumps,
    mostBubblesInDom: most,
    fastScroll: { frames: run.frames.length, stepPx: 1_800, distancePx: run.distancePx, totalMs: Math.round(run.totalMs), frameMsP50: percentile(50), frameMsP95: percentile(95), frameMsMax: percentile(100) },
    note: 'Headless Chromium (--disable-gpu) on loopback; timings are a benchmark, not pass/fail',
  };
  // Under the git-ignored artifacts folder: a test run must not dirty the tree (npm run bench records results).
  const dir = join(REPO_DIR, 'test-artifacts', 'bench');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${result.date.slice(0, 10)}-web-scroll-10k.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result));
  await saveScreenshot(page, 'conversation-10k-bottom');
  await page.context().close();
});

/** The buttons and links of the page without an accessible name, from Playwright's ARIA snapshot. */
async function unnamedControls(page: Page): Promise<string[]> {
  const snapshot = await page.locator('body').ariaSnapshot();
  return snapshot.split('\n').filter((line) => /^\s*- (button|link)\b(?!\s+")/.test(line));
}

test('[WEB56] [WEB57] [WEB58] [WEB59] keys move between chats and edit the last message; focus is visible; every button and link has a name', async () => {
  const { page } = await openBrowserUser(browser, web.server.httpUrl, { timeoutMs: 15_000 });
  await openAndSignIn(page, '+9996680008', 'Heidi Keys');
  const names = ['Ivan First', 'Judy Second', 'Karl Third'];
  for (const [index, name] of names.entries()) {
    const other = await sdkUser(`+99966${9 - index}000${index}`.slice(0, 11), name);
    const { user: heidi } = await other.call('users.resolvePhone', { phone: '+9996680008' });
    await other.sendMessage({ type: 'user', userId: heidi.id }, `Hello from ${name}`);
  }
  // The list shows the most recent first: Karl, Judy, Ivan.
  await page.getByRole('button', { name: /^Ivan First/ }).waitFor();
  await page.getByRole('button', { name: /^Karl Third/ }).waitFor();

  // Alt+↓ opens the first chat, then the next; Alt+↑ goes back; Ctrl+↓ works too.
  const heading = (name: string) => page.getByRole('region', { name: 'Conversation' }).getByRole('heading', { name });
  await page.keyboard.press('Alt+ArrowDown');
  await heading('Karl Third').waitFor();
  await page.keyboard.press('Alt+ArrowDown');
  await heading('Judy Second').waitFor();
  await page.keyboard.press('Alt+ArrowUp');
  await heading('Karl Third').waitFor();
  await page.keyboard.press('Control+ArrowDown');
  await heading('Judy Second').waitFor();

  // ↓ on a focused row moves the focus; Enter opens the focused chat; the focus ring shows.
  await page.getByRole('button', { name: /^Karl Third/ }).focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const focused = await page.evaluate(() => {
    const element = document.activeElement as HTMLElement;
    const style = getComputedStyle(element);
    return { label: element.getAttribute('aria-label'), outline: style.outlineStyle, width: parseFloat(style.outlineWidth), shadow: style.boxShadow };
  });
  assert.match(focused.label ?? '', /^Ivan First/);
  assert.ok((focused.outline !== 'none' && focused.width > 0) || focused.shadow !== 'none', `a visible focus ring: ${JSON.stringify(focused)}`);
  await page.keyboard.press('Enter');
  await heading('Ivan First').waitFor();

  // ↑ in the empty composer edits the last own message.
  const composer = page.getByRole('textbox', { name: 'Message', exact: true });
  await composer.fill('Nice to meat you');
  await composer.press('Enter');
  await bubbles(page, 'Nice to meat you').waitFor();
  await page.locator('.bubble[data-own="true"][data-message-id]').first().waitFor();
  await composer.press('ArrowUp');
  await page.getByRole('status', { name: 'Editing message' }).waitFor();
  assert.equal(await composer.inputValue(), 'Nice to meat you');
  await composer.fill('Nice to meet you');
  await composer.press('Enter');
  await bubbles(page, 'Nice to meet you').waitFor();
  assert.equal(await bubbles(page, 'Nice to meat you').count(), 0);

  // No button or link without an accessible name: list and conversation, then each dialog.
  assert.deepEqual(await unnamedControls(page), [], 'main screen');
  await page.getByRole('button', { name: 'New chat' }).click();
  await page.getByRole('dialog').waitFor();
  assert.deepEqual(await unnamedControls(page), [], 'new chat dialog');
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('dialog').waitFor();
  assert.deepEqual(await unnamedControls(page), [], 'settings dialog');
  await page.keyboard.press('Escape');
  // A phone-sized window: the list alone, then a conversation alone.
  await page.setViewportSize({ width: 390, height: 760 });
  assert.deepEqual(await unnamedControls(page), [], 'phone-sized conversation');
  await saveScreenshot(page, 'keyboard-edit-phone');
  await page.context().close();
});
