import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type BrowserUser, buildApp, launchChromium, openAndSignIn, openBrowserUser, saveScreenshot, secretPane, sendSecret, startSecretChat, startWebServer } from './browser-harness.ts';

/**
 * The message menu, files and the verified mark of secret chats end to end ([WEB48], [WEB49],
 * [WEB65]–[WEB67]): a production build served by a real server, two users in two browser
 * contexts. The steps build on each other, so they run in order and share the browser.
 */
let dist: string;
let web: Awaited<ReturnType<typeof startWebServer>>;
let browser: Browser;
let alice: BrowserUser;
let bob: BrowserUser;

const ALICE_PHONE = '+9996650005';
const BOB_PHONE = '+9996660006';

before(async () => {
  dist = await buildApp();
  web = await startWebServer(dist);
  browser = await launchChromium();
  alice = await openBrowserUser(browser, web.server.httpUrl, { width: 1200, timeoutMs: 15_000, acceptDownloads: true });
  bob = await openBrowserUser(browser, web.server.httpUrl, { width: 1200, timeoutMs: 15_000, acceptDownloads: true });
});

after(async () => {
  await browser?.close();
  await web?.stop();
  if (dist !== undefined) await rm(dist, { recursive: true, force: true });
});

/** The bubble of the open secret conversation holding `text`. */
function bubble(page: Page, text: string) {
  return secretPane(page).locator('.secret-bubble', { has: page.locator('.bubble-text', { hasText: text }) });
}

/** Opens a message's menu with a right click. */
async function openMenu(page: Page, target: ReturnType<typeof bubble>) {
  await target.click({ button: 'right' });
  const menu = page.getByRole('menu', { name: 'Message actions' });
  await menu.waitFor();
  return menu;
}

test('[WEB48][WEB65] in a secret chat, edits, reactions (with who reacted) and deletions reach the peer, and the menu never offers Forward', async () => {
  await openAndSignIn(alice.page, ALICE_PHONE, 'Alice Cooper');
  await openAndSignIn(bob.page, BOB_PHONE, 'Bob Dylan');

  // Alice starts a secret chat with Bob's number (retried until his device has registered its keys).
  await startSecretChat(alice.page, BOB_PHONE);
  await sendSecret(alice.page, 'Original plan: noon');
  await bob.page.getByRole('button', { name: /^Secret chat with Alice Cooper/ }).click();
  await bubble(bob.page, 'Original plan: noon').waitFor();

  // Alice's menu on her own message: reactions, Reply, Edit, Copy text, Delete — no Forward.
  let menu = await openMenu(alice.page, bubble(alice.page, 'Original plan: noon'));
  const items = (await menu.getByRole('menuitem').allInnerTexts()).map((text) => text.trim()).filter((text) => /^[A-Z]/.test(text));
  assert.deepEqual(items, ['Reply', 'Edit', 'Copy text', 'Delete']);
  assert.equal(await menu.getByRole('menuitem', { name: /Forward/ }).count(), 0);
  await menu.getByRole('menuitem', { name: 'Edit' }).click();
  const box = alice.page.getByRole('textbox', { name: 'Secret message' });
  assert.equal(await box.inputValue(), 'Original plan: noon');
  await box.fill('New plan: three o’clock');
  await box.press('Enter');
  await bubble(bob.page, 'New plan: three o’clock').getByText('edited').waitFor();
  await bubble(alice.page, 'New plan: three o’clock').getByText('edited').waitFor();
  assert.equal(await bubble(bob.page, 'Original plan').count(), 0);
  assert.equal(await box.inputValue(), '');

  // Bob's menu on Alice's message (through the "⋯" button) has no Edit and no Forward; he reacts.
  await bubble(bob.page, 'New plan').hover();
  await bubble(bob.page, 'New plan').getByRole('button', { name: 'Message actions' }).click();
  menu = bob.page.getByRole('menu', { name: 'Message actions' });
  assert.equal(await menu.getByRole('menuitem', { name: 'Edit' }).count(), 0);
  assert.equal(await menu.getByRole('menuitem', { name: /Forward/ }).count(), 0);
  await menu.getByRole('menuitem', { name: 'React 👍' }).click();
  await bubble(alice.page, 'New plan').getByRole('button', { name: '👍 1 from Bob Dylan' }).waitFor();
  await bubble(bob.page, 'New plan').getByRole('button', { name: '👍 1 from you', pressed: true }).waitFor();

  // Alice deletes a message: it goes from Bob's screen too.
  await sendSecret(alice.page, 'Forget I said this');
  await bubble(bob.page, 'Forget I said this').waitFor();
  menu = await openMenu(alice.page, bubble(alice.page, 'Forget I said this'));
  await menu.getByRole('menuitem', { name: 'Delete' }).click();
  await alice.page.getByRole('dialog', { name: 'Delete message?' }).getByRole('button', { name: 'Delete for both' }).click();
  await bubble(alice.page, 'Forget I said this').waitFor({ state: 'detached' });
  await bubble(bob.page, 'Forget I said this').waitFor({ state: 'detached' });
  await bubble(bob.page, 'New plan').waitFor();
});

test('[WEB49][WEB66] files sent in a secret chat are encrypted in the browser; the peer sees the photo and downloads the document byte for byte', async () => {
  const png = await makePng(alice.page);
  const text = Buffer.from('Secret notes\nline two — ünïcödé\n', 'utf8');
  await secretPane(alice.page).getByLabel('Files to attach').setInputFiles([
    { name: 'pixels.png', mimeType: 'image/png', buffer: png },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: text },
  ]);

  // Bob sees the photo, decrypted into an object URL, at its real size.
  const photo = secretPane(bob.page).getByRole('img', { name: 'Photo pixels.png' });
  await photo.waitFor();
  await until('the photo decoded', async () => (await photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)) === 48);
  assert.match((await photo.getAttribute('src')) ?? '', /^blob:/);
  await secretPane(alice.page).getByRole('img', { name: 'Photo pixels.png' }).waitFor();

  // Bob downloads the document: the same bytes.
  const downloadButton = secretPane(bob.page).getByRole('button', { name: 'Download notes.txt' });
  await downloadButton.waitFor();
  const [download] = await Promise.all([bob.page.waitForEvent('download'), downloadButton.click()]);
  assert.equal(download.suggestedFilename(), 'notes.txt');
  const path = await download.path();
  assert.deepEqual(await readFile(path), text);

  // A file dropped on the conversation goes too.
  const dropped = await alice.page.evaluateHandle(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }));
    return transfer;
  });
  await secretPane(alice.page).dispatchEvent('dragenter', { dataTransfer: dropped });
  await secretPane(alice.page).dispatchEvent('drop', { dataTransfer: dropped });
  await secretPane(bob.page).getByRole('button', { name: 'Download dropped.txt' }).waitFor();

  // Bob reacts to the photo; Alice opens the photo's menu: the screenshot.
  const alicesPhotoBubble = secretPane(alice.page).locator('.secret-bubble', { has: alice.page.getByRole('img', { name: 'Photo pixels.png' }) });
  const bobsPhotoBubble = secretPane(bob.page).locator('.secret-bubble', { has: bob.page.getByRole('img', { name: 'Photo pixels.png' }) });
  const bobsMenu = await openMenu(bob.page, bobsPhotoBubble);
  assert.equal(await bobsMenu.getByRole('menuitem', { name: /Forward/ }).count(), 0);
  await bobsMenu.getByRole('menuitem', { name: 'React ❤️' }).click();
  await alicesPhotoBubble.getByRole('button', { name: '❤️ 1 from Bob Dylan' }).waitFor();
  await until('the photo shows on Alice’s side', async () => (await alicesPhotoBubble.getByRole('img', { name: 'Photo pixels.png' }).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)) === 48);
  // Alice's menu on her photo: no Forward, "Edit caption" for the text under it.
  let menu = await openMenu(alice.page, alicesPhotoBubble);
  assert.equal(await menu.getByRole('menuitem', { name: /Forward/ }).count(), 0);
  await menu.getByRole('menuitem', { name: 'Edit caption' }).waitFor();
  await alice.page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });
  // For the screenshot, the menu of the newest file opens below the photo with its reaction.
  const droppedBubble = secretPane(alice.page).locator('.secret-bubble', { has: alice.page.getByRole('button', { name: 'Download dropped.txt' }) });
  const box = await droppedBubble.boundingBox();
  assert.ok(box !== null);
  await alice.page.mouse.click(box.x + box.width - 10, box.y + box.height - 6, { button: 'right' });
  menu = alice.page.getByRole('menu', { name: 'Message actions' });
  await menu.waitFor();
  assert.equal(await menu.getByRole('menuitem', { name: /Forward/ }).count(), 0);
  await saveScreenshot(alice.page, 'secret-actions');
  await alice.page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });
});

test('[WEB67] "Mark as verified" keeps the safety number in the browser and the header shows a verified badge while it holds', async () => {
  const pane = secretPane(alice.page);
  assert.equal(await pane.getByRole('img', { name: 'Verified' }).count(), 0);
  await pane.getByRole('button', { name: 'Verify safety number' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Verify safety number' });
  const digits = (await dialog.getByRole('group', { name: 'Safety number' }).getAttribute('data-digits')) ?? '';
  assert.match(digits, /^\d{60}$/);
  await dialog.getByRole('button', { name: 'Mark as verified' }).click();
  await dialog.getByText('You marked this safety number as verified.').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await pane.getByRole('img', { name: 'Verified' }).waitFor();
  // Kept in this browser only, keyed by user and peer.
  const stored = await alice.page.evaluate(() => Object.entries(localStorage).filter(([key]) => key.startsWith('samizdat.secret-verified.')));
  assert.equal(stored.length, 1);
  assert.equal(stored[0]?.[1], digits);

  // A reload keeps the mark.
  await alice.page.reload();
  await alice.page.getByRole('button', { name: /^Secret chat with Bob Dylan/ }).click();
  await secretPane(alice.page).getByRole('img', { name: 'Verified' }).waitFor();

  // A different stored number (as if a device had changed since) turns the badge into a warning.
  await alice.page.evaluate(([key]) => localStorage.setItem(key!, '0'.repeat(60)), [stored[0]![0]]);
  await alice.page.reload();
  await alice.page.getByRole('button', { name: /^Secret chat with Bob Dylan/ }).click();
  await secretPane(alice.page).getByRole('button', { name: 'Safety number changed — verify again' }).waitFor();
  assert.equal(await secretPane(alice.page).getByRole('img', { name: 'Verified' }).count(), 0);
});

/** A 48×32 PNG drawn by the browser (a gradient, so it has many colours). */
async function makePng(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(48, 32);
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('no 2d context');
    const gradient = context.createLinearGradient(0, 0, 48, 32);
    gradient.addColorStop(0, '#e53935');
    gradient.addColorStop(0.5, '#fdd835');
    gradient.addColorStop(1, '#1e88e5');
    context.fillStyle = gradient;
    context.fillRect(0, 0, 48, 32);
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary);
  });
  return Buffer.from(base64, 'base64');
}

/** Polls `check` until it holds; fails with `what` after 10 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
