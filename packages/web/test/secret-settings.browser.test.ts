import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type BrowserUser, buildApp, launchChromium, openAndSignIn, openBrowserUser, saveScreenshot, secretPane, sendSecret, startSecretChat, startWebServer } from './browser-harness.ts';

/**
 * Secret chats and settings end to end: a production build served by a real server, two users in
 * two browser contexts, and later a second sign-in of one of them. The steps build on each other,
 * so they run in order and share the browser.
 */
let dist: string;
let web: Awaited<ReturnType<typeof startWebServer>>;
let browser: Browser;
let alice: BrowserUser;
let bob: BrowserUser;

const ALICE_PHONE = '+9996630003';
const BOB_PHONE = '+9996640004';

before(async () => {
  dist = await buildApp();
  web = await startWebServer(dist);
  browser = await launchChromium();
  alice = await openBrowserUser(browser, web.server.httpUrl, { width: 1200, timeoutMs: 15_000 });
  bob = await openBrowserUser(browser, web.server.httpUrl, { width: 1200, timeoutMs: 15_000 });
});

after(async () => {
  await browser?.close();
  await web?.stop();
  if (dist !== undefined) await rm(dist, { recursive: true, force: true });
});

/** Opens the verification screen and reads what it shows, then closes it. */
async function readSafetyNumber(page: Page): Promise<{ digits: string; groups: string[]; emoji: string[] }> {
  await secretPane(page).getByRole('button', { name: 'Verify safety number' }).click();
  const dialog = page.getByRole('dialog', { name: 'Verify safety number' });
  const digits = dialog.getByRole('group', { name: 'Safety number' });
  await digits.waitFor();
  const groups = await digits.locator('code').allInnerTexts();
  const emoji = await dialog.getByRole('list', { name: 'Emoji fingerprint' }).getByRole('listitem').allInnerTexts();
  return { digits: (await digits.getAttribute('data-digits')) ?? '', groups, emoji: emoji.map((text) => text.replace(/\s+/g, ' ')) };
}

test('[WEB40][WEB41][WEB42][WEB44] a secret chat started from the new-chat dialog arrives decrypted with a lock, and both users see the same safety number and emoji', async () => {
  await openAndSignIn(alice.page, ALICE_PHONE, 'Alice Cooper');
  await openAndSignIn(bob.page, BOB_PHONE, 'Bob Dylan');

  // Alice starts a secret chat with Bob's number (retried until his device has registered its keys).
  await startSecretChat(alice.page, BOB_PHONE);
  await secretPane(alice.page).getByRole('heading', { name: 'Bob Dylan' }).waitFor();
  await secretPane(alice.page).getByText('Secret chat started.').waitFor();
  // The chat is in Alice's list under "Secret chats", with a lock.
  const alicesRow = alice.page.getByRole('button', { name: /^Secret chat with Bob Dylan/ });
  await alicesRow.getByRole('img', { name: 'Secret chat' }).waitFor();

  await sendSecret(alice.page, 'Meet me at the usual place');
  await secretPane(alice.page).locator('.bubble-text', { hasText: 'Meet me at the usual place' }).waitFor();

  // Bob's list shows it decrypted, with a lock and one unread; opening it shows the message.
  const bobsRow = bob.page.getByRole('button', { name: 'Secret chat with Alice Cooper, 1 unread' });
  await bobsRow.waitFor();
  await bobsRow.getByRole('img', { name: 'Secret chat' }).waitFor();
  assert.match(await bobsRow.innerText(), /Meet me at the usual place/);
  await saveScreenshot(bob.page, 'secret-chat-list');
  await bobsRow.click();
  await secretPane(bob.page).locator('.bubble-text', { hasText: 'Meet me at the usual place' }).waitFor();
  // Read on Bob's side: Alice sees two ticks.
  await secretPane(alice.page).getByRole('img', { name: 'Read' }).waitFor();

  // Bob replies to it.
  await sendSecret(bob.page, 'See you there');
  await secretPane(alice.page).locator('.bubble-text', { hasText: 'See you there' }).waitFor();

  // Both verification screens show the same 60 digits (12 groups of 5) and the same emoji.
  const seenByAlice = await readSafetyNumber(alice.page);
  const seenByBob = await readSafetyNumber(bob.page);
  assert.match(seenByAlice.digits, /^\d{60}$/);
  assert.equal(seenByAlice.groups.length, 12);
  assert.ok(seenByAlice.groups.every((group) => /^\d{5}$/.test(group)));
  assert.equal(seenByAlice.groups.join(''), seenByAlice.digits);
  assert.equal(seenByBob.digits, seenByAlice.digits);
  assert.deepEqual(seenByBob.groups, seenByAlice.groups);
  assert.equal(seenByAlice.emoji.length, 8);
  assert.deepEqual(seenByBob.emoji, seenByAlice.emoji);
  await alice.page.getByRole('dialog', { name: 'Verify safety number' }).getByText('compare these emoji or numbers').waitFor();
  await saveScreenshot(alice.page, 'secret-verification');
  for (const page of [alice.page, bob.page]) {
    await page.getByRole('dialog', { name: 'Verify safety number' }).getByRole('button', { name: 'Close' }).click();
  }
});

test('[WEB40] the lock button of a private chat header opens the secret chat with that user', async () => {
  // Alice takes a username (kept from the first settings screen); Bob opens an ordinary chat by it.
  await alice.page.getByRole('button', { name: 'Settings' }).click();
  await alice.page.getByLabel('Username').fill('alice_secret');
  await alice.page.getByRole('button', { name: 'Save username' }).click();
  await alice.page.getByText('Your username is @alice_secret').waitFor();
  await alice.page.getByRole('button', { name: 'Close' }).click();
  await bob.page.getByRole('button', { name: 'New chat' }).click();
  await bob.page.getByLabel('Username or phone number').fill('@alice_secret');
  await bob.page.getByRole('button', { name: 'Start chat', exact: true }).click();
  const conversation = bob.page.getByRole('region', { name: 'Conversation', exact: true });
  await conversation.getByRole('heading', { name: 'Alice Cooper' }).waitFor();
  await conversation.getByRole('button', { name: 'Start secret chat' }).click();
  await secretPane(bob.page).getByRole('heading', { name: 'Alice Cooper' }).waitFor();
  await secretPane(bob.page).locator('.bubble-text', { hasText: 'See you there' }).waitFor();
});

test('[WEB43] a self-destruct timer set by one user shows on both, and a message sent under it disappears once read', async () => {
  await secretPane(bob.page).getByLabel('Self-destruct timer').selectOption('5');
  await secretPane(bob.page).getByText('You set the self-destruct timer to 5 s').waitFor();
  await secretPane(alice.page).getByText('Bob Dylan set the self-destruct timer to 5 s').waitFor();
  assert.equal(await secretPane(alice.page).getByLabel('Self-destruct timer').inputValue(), '5');

  // Alice's message goes under the timer; Bob has the chat open, so it is read, counts down and goes.
  await sendSecret(alice.page, 'This note burns after reading');
  const onBob = secretPane(bob.page).locator('.bubble-text', { hasText: 'This note burns after reading' });
  await onBob.waitFor();
  await secretPane(bob.page).locator('.secret-countdown').first().waitFor();
  await saveScreenshot(bob.page, 'secret-conversation');
  await onBob.waitFor({ state: 'detached', timeout: 20_000 });
  await secretPane(alice.page).locator('.bubble-text', { hasText: 'This note burns after reading' }).waitFor({ state: 'detached', timeout: 20_000 });
  // Messages sent before the timer stay.
  await secretPane(bob.page).locator('.bubble-text', { hasText: 'Meet me at the usual place' }).waitFor();

  // On a phone-sized screen the secret chat takes the whole screen, with its header controls.
  await bob.page.setViewportSize({ width: 390, height: 760 });
  await secretPane(bob.page).getByLabel('Self-destruct timer').waitFor();
  // The layout follows the resize on the next render: wait for the list to go.
  await bob.page.getByRole('navigation', { name: 'Chats' }).waitFor({ state: 'detached' });
  await saveScreenshot(bob.page, 'secret-conversation-phone');
  await secretPane(bob.page).getByRole('button', { name: 'Back to chats' }).click();
  await bob.page.getByRole('button', { name: /^Secret chat with Alice/ }).waitFor();
  await bob.page.setViewportSize({ width: 1200, height: 760 });
});

test('[WEB45][WEB46][WEB47] settings change the name and privacy, list active sessions and terminate another one, which signs it out and erases its secret-chat keys', async () => {
  const page = alice.page;
  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await settings.getByLabel('Display name').fill('Alice Cooper-Smith');
  await settings.getByRole('button', { name: 'Save name' }).click();
  await settings.getByText('Your name is Alice Cooper-Smith').waitFor();
  assert.equal(await settings.locator('.profile-name').innerText(), 'Alice Cooper-Smith');

  const phoneVisibility = settings.getByLabel('Who can see my phone number');
  await assertEnabled(phoneVisibility);
  await phoneVisibility.selectOption('nobody');
  await settings.getByText('Privacy saved').waitFor();
  await settings.getByLabel('Who can see when I was last online').selectOption('contacts');
  await settings.getByRole('button', { name: 'Close' }).click();

  // Alice signs in a second time, in another browser.
  const second = await openBrowserUser(browser, web.server.httpUrl, { width: 1200, timeoutMs: 15_000 });
  await openAndSignIn(second.page, ALICE_PHONE, 'Alice Cooper');

  // The privacy choices came back from the server.
  await page.getByRole('button', { name: 'Settings' }).click();
  await assertEnabled(settings.getByLabel('Who can see my phone number'));
  assert.equal(await settings.getByLabel('Who can see my phone number').inputValue(), 'nobody');
  assert.equal(await settings.getByLabel('Who can see when I was last online').inputValue(), 'contacts');

  await until('the second browser saved its secret-chat keys', () => hasSecretState(second.page));
  await settings.getByRole('button', { name: 'Active sessions' }).click();
  const sessions = page.getByRole('dialog', { name: 'Active sessions' }).getByRole('list', { name: 'Sessions' });
  await sessions.getByRole('listitem').nth(1).waitFor();
  assert.equal(await sessions.getByRole('listitem').count(), 2);
  await sessions.getByRole('listitem', { name: /this device/ }).waitFor();
  await saveScreenshot(page, 'settings-sessions');

  await sessions.getByRole('button', { name: /^Terminate session/ }).click();
  await page.getByText('Session terminated').waitFor();
  assert.equal(await sessions.getByRole('listitem').count(), 1);
  // The terminated browser is back at sign-in, and its secret-chat keys are erased.
  await second.page.getByLabel('Phone number').waitFor();
  await until('the terminated browser erased its secret state', async () => !(await hasSecretState(second.page)));
  await second.context.close();
});

/** Waits until a form control is enabled (loaded from the server). */
async function assertEnabled(locator: ReturnType<Page['getByLabel']>): Promise<void> {
  await until('the control is enabled', () => locator.isEnabled());
}

/** Whether the page's IndexedDB holds secret-chat state ([WEB2]: database `samizdat`, store `secret`). */
async function hasSecretState(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      new Promise<boolean>((resolve, reject) => {
        const open = indexedDB.open('samizdat');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('secret')) {
            db.close();
            resolve(false);
            return;
          }
          const request = db.transaction('secret', 'readonly').objectStore('secret').get('state');
          request.onsuccess = () => {
            db.close();
            resolve(request.result !== undefined);
          };
          request.onerror = () => reject(request.error);
        };
      }),
  );
}

/** Polls `check` until it holds; fails with `what` after 10 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
