import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { SamizdatClient } from '@samizdat/client';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { type BrowserUser, buildApp, launchChromium, openAndSignIn, openBrowserUser, saveScreenshot, startWebServer } from './browser-harness.ts';

/**
 * Message actions end to end ([WEB10]–[WEB16]): Alice and Bob in two browser contexts, Carol on
 * the SDK from Node. The steps build on each other, so they run in order and share the browser.
 */
let dist: string;
let web: Awaited<ReturnType<typeof startWebServer>>;
let browser: Browser;
let alice: BrowserUser;
let bob: BrowserUser;
let carol: SamizdatClient;

const ALICE_PHONE = '+9996640004';
const BOB_PHONE = '+9996650005';
const CAROL_PHONE = '+9996660006';
const BOB_USERNAME = 'bob_actions_test';
const ALICE_USERNAME = 'alice_actions_test';

before(async () => {
  dist = await buildApp();
  web = await startWebServer(dist);
  browser = await launchChromium();
  alice = await openBrowserUser(browser, web.server.httpUrl, { timeoutMs: 10_000 });
  bob = await openBrowserUser(browser, web.server.httpUrl, { timeoutMs: 10_000 });
});

after(async () => {
  await carol?.close();
  await browser?.close();
  await web?.stop();
  if (dist !== undefined) await rm(dist, { recursive: true, force: true });
});

function composer(page: Page) {
  return page.getByRole('textbox', { name: 'Message', exact: true });
}

/** The bubble whose text is exactly `text`. */
function bubble(page: Page, text: string) {
  return page.getByRole('log', { name: 'Messages' }).locator('.bubble', { has: page.locator('.bubble-text', { hasText: new RegExp(`^${text}$`) }) });
}

/** Opens a message's menu with a right click and picks an item. */
async function fromMenu(page: Page, text: string, item: string): Promise<void> {
  await bubble(page, text).click({ button: 'right' });
  await page.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: item, exact: true }).click();
}

/** Takes a username in settings, so that others can find the user (phone numbers are hidden by default). */
async function takeUsername(page: Page, username: string): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Save username' }).click();
  await page.getByText(`Your username is @${username}`).waitFor();
  await page.getByRole('button', { name: 'Close' }).click();
}

async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await bubble(page, text).waitFor();
}

test('[WEB12] typing shows "typing…" to the other user in the header and the chat list, and the header shows online status', async () => {
  await openAndSignIn(alice.page, ALICE_PHONE, 'Alice Actions');
  await openAndSignIn(bob.page, BOB_PHONE, 'Bob Actions');

  await takeUsername(bob.page, BOB_USERNAME);
  await takeUsername(alice.page, ALICE_USERNAME);

  await alice.page.getByRole('button', { name: 'New chat' }).click();
  await alice.page.getByLabel('Username or phone number').fill(`@${BOB_USERNAME}`);
  await alice.page.getByRole('button', { name: 'Start chat' }).click();
  await alice.page.getByRole('heading', { name: 'Bob Actions' }).waitFor();
  await send(alice.page, 'Hello Bob');

  await bob.page.getByRole('button', { name: 'Alice Actions, 1 unread' }).click();
  await bubble(bob.page, 'Hello Bob').waitFor();
  // Alice is connected: Bob's header says so (users.getStatuses, then presence frames).
  await bob.page.locator('.conversation-header .peer-status', { hasText: 'online' }).waitFor();

  await composer(alice.page).pressSequentially('Let me think', { delay: 20 });
  await bob.page.locator('.conversation-header .peer-status.typing', { hasText: 'typing…' }).waitFor();
  await bob.page.locator('.chat-list-item .chat-typing', { hasText: 'typing…' }).waitFor();
  // Clearing the text cancels the notice at once, well before its 6 s expiry.
  await composer(alice.page).fill('');
  await composer(alice.page).press('Backspace');
  await bob.page.locator('.conversation-header .peer-status.typing').waitFor({ state: 'detached' });
});

test('[WEB11] a reply made from the menu quotes its message for both users, and Esc leaves reply mode', async () => {
  // Esc cancels reply mode without sending.
  await fromMenu(bob.page, 'Hello Bob', 'Reply');
  const bar = bob.page.getByRole('status', { name: 'Replying to message' });
  await bar.waitFor();
  assert.match(await bar.innerText(), /Hello Bob/);
  await composer(bob.page).press('Escape');
  await bar.waitFor({ state: 'detached' });

  await fromMenu(bob.page, 'Hello Bob', 'Reply');
  await bar.waitFor();
  await send(bob.page, 'Hi Alice');
  await bar.waitFor({ state: 'detached' });
  await bubble(bob.page, 'Hi Alice').locator('.reply-quote', { hasText: 'Hello Bob' }).waitFor();

  const quote = bubble(alice.page, 'Hi Alice').locator('.reply-quote', { hasText: 'Hello Bob' });
  await quote.waitFor();
  assert.match(await quote.innerText(), /You/);
  // A click on the quote brings the replied message into view and marks it.
  await quote.click();
  await alice.page.locator('.bubble.is-target', { hasText: 'Hello Bob' }).waitFor();
});

test('[WEB11] an edit from the "⋯" button is prefilled, saved with Enter and seen edited by the other user', async () => {
  const { page } = alice;
  await send(page, 'Teh plan is ready');
  await bubble(page, 'Teh plan is ready').hover();
  await bubble(page, 'Teh plan is ready').getByRole('button', { name: 'Message actions' }).click();
  await page.getByRole('menuitem', { name: 'Edit', exact: true }).click();
  await page.getByRole('status', { name: 'Editing message' }).waitFor();
  assert.equal(await composer(page).inputValue(), 'Teh plan is ready');
  await composer(page).fill('The plan is ready');
  await composer(page).press('Enter');
  await bubble(page, 'The plan is ready').locator('.bubble-edited').waitFor();
  assert.equal(await composer(page).inputValue(), '', 'leaving edit mode brings back the (empty) draft');

  await bubble(bob.page, 'The plan is ready').locator('.bubble-edited').waitFor();
  assert.equal(await bubble(bob.page, 'Teh plan is ready').count(), 0);
  // Bob may not edit Alice's message: his menu has no Edit.
  await bubble(bob.page, 'The plan is ready').click({ button: 'right' });
  const menu = bob.page.getByRole('menu', { name: 'Message actions' });
  await menu.waitFor();
  assert.equal(await menu.getByRole('menuitem', { name: 'Edit', exact: true }).count(), 0);
  await bob.page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });
});

test('[WEB13] reactions show as chips with counts for both users, and a click on a chip toggles the own one', async () => {
  await fromMenu(bob.page, 'The plan is ready', 'React 👍');
  const alicesChip = bubble(alice.page, 'The plan is ready').getByRole('button', { name: /^👍 / });
  await alicesChip.waitFor();
  assert.equal(await alicesChip.getAttribute('aria-label'), '👍 1');
  await alicesChip.click();
  await bubble(alice.page, 'The plan is ready').getByRole('button', { name: '👍 2, yours' }).waitFor();
  await bubble(bob.page, 'The plan is ready').getByRole('button', { name: '👍 2, yours' }).waitFor();
  await fromMenu(alice.page, 'Hi Alice', 'React ❤️');
  await bubble(bob.page, 'Hi Alice').getByRole('button', { name: '❤️ 1' }).waitFor();
  // Alice takes hers back from the 👍 chip.
  await bubble(alice.page, 'The plan is ready').getByRole('button', { name: '👍 2, yours' }).click();
  await bubble(bob.page, 'The plan is ready').getByRole('button', { name: '👍 1, yours' }).waitFor();
});

test('[WEB10] delete for everyone removes the message for both users; delete for me only for the one', async () => {
  await send(alice.page, 'Oops, wrong chat');
  await bubble(bob.page, 'Oops, wrong chat').waitFor();
  await fromMenu(alice.page, 'Oops, wrong chat', 'Delete');
  await alice.page.getByRole('button', { name: 'Delete for everyone' }).click();
  await bubble(alice.page, 'Oops, wrong chat').waitFor({ state: 'detached' });
  await bubble(bob.page, 'Oops, wrong chat').waitFor({ state: 'detached' });

  await send(alice.page, 'Only mine to hide');
  await bubble(bob.page, 'Only mine to hide').waitFor();
  await fromMenu(alice.page, 'Only mine to hide', 'Delete');
  await alice.page.getByRole('button', { name: 'Delete for me' }).click();
  await bubble(alice.page, 'Only mine to hide').waitFor({ state: 'detached' });
  // Bob still has it after Alice's change went through (her next message arrives after it).
  await send(alice.page, 'After the hide');
  await bubble(bob.page, 'After the hide').waitFor();
  assert.equal(await bubble(bob.page, 'Only mine to hide').count(), 1);
});

test('[WEB14] a forward picked from the chat list arrives as "Forwarded from …"; a chat with forwarding off refuses with a note', async () => {
  carol = new SamizdatClient({ url: web.server.wsUrl, WebSocket });
  await carol.connect();
  const { phoneCodeHash } = await carol.sendCode(CAROL_PHONE);
  await carol.signUp({ phone: CAROL_PHONE, phoneCodeHash, code: '66666', displayName: 'Carol Forward' });
  const { user: aliceUser } = await carol.call('users.resolveUsername', { username: ALICE_USERNAME });
  await carol.sendMessage({ type: 'user', userId: aliceUser.id }, 'Carol says hi');
  const { page } = alice;
  await page.getByRole('button', { name: 'Carol Forward, 1 unread' }).click();
  await bubble(page, 'Carol says hi').waitFor();
  await fromMenu(page, 'Carol says hi', 'Forward');
  const dialog = page.getByRole('dialog', { name: 'Forward to…' });
  await dialog.getByLabel('Search chats to forward to').fill('bob');
  await dialog.getByRole('button', { name: 'Bob Actions' }).click();
  await dialog.waitFor({ state: 'detached' });
  const forwarded = bubble(bob.page, 'Carol says hi');
  await forwarded.waitFor();
  assert.match(await forwarded.innerText(), /Forwarded from Carol Forward/);

  // A group whose owner turned forwarding off.
  const { chat } = await carol.call('chats.createGroup', { title: 'No forwards', userIds: [aliceUser.id] });
  await carol.call('chats.setSettings', { chatId: chat.id, hasNoForwards: true });
  await carol.sendMessage({ type: 'chat', chatId: chat.id }, 'Keep this inside');
  await page.getByRole('button', { name: /^No forwards/ }).click();
  await bubble(page, 'Keep this inside').waitFor();
  await fromMenu(page, 'Keep this inside', 'Forward');
  await page.getByRole('alert').filter({ hasText: 'cannot be forwarded' }).waitFor();
  assert.equal(await page.getByRole('dialog', { name: 'Forward to…' }).count(), 0);
});

test('[WEB15] a pinned message shows as a bar at the top of the conversation for both users', async () => {
  await alice.page.getByRole('button', { name: /^Bob Actions/ }).click();
  await fromMenu(alice.page, 'The plan is ready', 'Pin');
  const bobsBar = bob.page.getByRole('region', { name: 'Pinned message' });
  await bobsBar.waitFor();
  await bobsBar.getByText('The plan is ready').waitFor();
  await alice.page.getByRole('region', { name: 'Pinned message' }).getByText('The plan is ready').waitFor();
});

test('[WEB10] a long press on a touch screen opens the menu; a short tap does not', async () => {
  const { page } = bob;
  const target = bubble(page, 'Hi Alice');
  const box = await target.boundingBox();
  assert.ok(box !== null);
  const at = { pointerType: 'touch', isPrimary: true, clientX: box.x + 10, clientY: box.y + 10, bubbles: true };
  const menu = page.getByRole('menu', { name: 'Message actions' });
  await target.dispatchEvent('pointerdown', at);
  await target.dispatchEvent('pointerup', at);
  await page.waitForTimeout(700);
  assert.equal(await menu.count(), 0, 'a tap opens no menu');
  await target.dispatchEvent('pointerdown', at);
  await menu.waitFor();
  await target.dispatchEvent('pointerup', at);
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });
});

test('[WEB10] [WEB13] screenshot: a conversation with a reply, an edited message, reactions and the menu open', async () => {
  const { page } = bob;
  await bubble(page, 'The plan is ready').click({ button: 'right' });
  await page.getByRole('menu', { name: 'Message actions' }).waitFor();
  await saveScreenshot(page, 'message-actions');
  await page.keyboard.press('Escape');
});
