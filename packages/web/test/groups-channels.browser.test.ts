import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { SamizdatClient } from '@samizdat/client';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { type BrowserUser, buildApp, launchChromium, openAndSignIn, openBrowserUser, saveScreenshot, startWebServer } from './browser-harness.ts';

/**
 * Groups and channels in the web client, end to end: a production build served by a real server,
 * two users in two browser contexts. The steps build on each other, so they run in order and
 * share the browser.
 */
let dist: string;
let web: Awaited<ReturnType<typeof startWebServer>>;
let browser: Browser;
let alice: BrowserUser;
let bob: BrowserUser;

const ALICE_PHONE = '+9996610001';
const BOB_PHONE = '+9996620002';
const BOB_USERNAME = 'bob_groups_test';
const CHANNEL_USERNAME = 'samizdat_news_test';
const GROUP_TITLE = 'Book Club';
const CHANNEL_TITLE = 'Samizdat News';
/** Made by Alice in the info panel, used by Bob to come back after leaving. */
let inviteLink = '';

before(async () => {
  dist = await buildApp();
  web = await startWebServer(dist);
  browser = await launchChromium();
  // Bob exists with a username before he opens the app, so that Alice can find him.
  const node = new SamizdatClient({ url: web.server.wsUrl, WebSocket });
  try {
    await node.connect();
    const { phoneCodeHash } = await node.sendCode(BOB_PHONE);
    await node.signUp({ phone: BOB_PHONE, phoneCodeHash, code: '22222', displayName: 'Bob Marley' });
    await node.call('account.setUsername', { username: BOB_USERNAME });
  } finally {
    await node.close();
  }
  alice = await openBrowserUser(browser, web.server.httpUrl, { timeoutMs: 15_000 });
  bob = await openBrowserUser(browser, web.server.httpUrl, { timeoutMs: 15_000 });
  await openAndSignIn(alice.page, ALICE_PHONE, 'Alice Liddell');
  await openAndSignIn(bob.page, BOB_PHONE, 'Bob Marley');
});

after(async () => {
  await browser?.close();
  await web?.stop();
  if (dist !== undefined) await rm(dist, { recursive: true, force: true });
});

function composer(page: Page) {
  return page.getByRole('textbox', { name: 'Message', exact: true });
}

function bubble(page: Page, text: string) {
  return page.getByRole('log', { name: 'Messages' }).locator('.bubble', { has: page.locator('.bubble-text', { hasText: new RegExp(`^${text}$`) }) });
}

async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await page.locator(`.bubble[data-message-id]`, { hasText: text }).waitFor();
}

async function openNewChatDialog(page: Page) {
  await page.getByRole('button', { name: 'New chat' }).click();
  return page.getByRole('dialog', { name: 'New chat' });
}

test('[WEB30][WEB36] a group is created with a member picked by username, and both exchange messages in it, with sender names', async () => {
  // Alice: New chat → New group, a title, Bob added by @username.
  await (await openNewChatDialog(alice.page)).getByRole('button', { name: 'New group' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'New group' });
  await dialog.getByLabel('Group name').fill(GROUP_TITLE);
  await dialog.getByLabel('Add member by username').fill(`@${BOB_USERNAME}`);
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await dialog.getByRole('checkbox', { name: /Bob Marley/ }).waitFor();
  assert.equal(await dialog.getByRole('checkbox', { name: /Bob Marley/ }).isChecked(), true);
  await saveScreenshot(alice.page, 'new-group');
  await dialog.getByRole('button', { name: 'Create group with 1' }).click();

  // The group opens at once for Alice, with 2 members.
  await alice.page.getByRole('heading', { name: GROUP_TITLE }).waitFor();
  await alice.page.locator('.conversation-header', { hasText: '2 members' }).waitFor();
  await send(alice.page, 'Welcome to the club');

  // Bob follows the group's own sequence: it shows in his list with the message, unread.
  const bobsRow = bob.page.getByRole('button', { name: `${GROUP_TITLE}, 1 unread` });
  await bobsRow.waitFor();
  await bobsRow.click();
  await bubble(bob.page, 'Welcome to the club').waitFor();
  // Group messages show their sender (fetched by id when not known yet).
  await bubble(bob.page, 'Welcome to the club').locator('.bubble-sender', { hasText: 'Alice Liddell' }).waitFor();
  await send(bob.page, 'Glad to be here');

  // Alice sees Bob's reply live, under his name.
  await bubble(alice.page, 'Glad to be here').waitFor();
  await bubble(alice.page, 'Glad to be here').locator('.bubble-sender', { hasText: 'Bob Marley' }).waitFor();
  await saveScreenshot(alice.page, 'group-conversation');
});

test('[WEB30][WEB31][WEB32][WEB35] a public channel: its admin posts; a subscriber joins by @username, reads only, and sees the view count', async () => {
  await (await openNewChatDialog(alice.page)).getByRole('button', { name: 'New channel' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'New channel' });
  await dialog.getByLabel('Channel name').fill(CHANNEL_TITLE);
  await dialog.getByLabel('Public link (optional)').fill(`@${CHANNEL_USERNAME}`);
  await dialog.getByLabel('Description (optional)').fill('News from the underground press');
  await dialog.getByRole('button', { name: 'Create channel' }).click();
  await alice.page.getByRole('heading', { name: CHANNEL_TITLE }).waitFor();
  await send(alice.page, 'First post of the channel');
  // The owner's view of their own post counts too.
  await bubble(alice.page, 'First post of the channel').getByRole('img', { name: '1 view' }).waitFor();

  // Bob finds the channel by its @username in the new-chat box, sees what it is, joins.
  const newChat = await openNewChatDialog(bob.page);
  await newChat.getByLabel('Username or phone number').fill(`@${CHANNEL_USERNAME}`);
  await newChat.getByRole('button', { name: 'Start chat' }).click();
  const preview = bob.page.getByRole('dialog', { name: 'Channel' });
  await preview.getByText('News from the underground press').waitFor();
  await preview.getByRole('button', { name: 'Join channel' }).click();
  await bob.page.getByRole('heading', { name: CHANNEL_TITLE }).waitFor();

  // He reads the post and his view is counted: Alice's and his, 2.
  const post = bubble(bob.page, 'First post of the channel');
  await post.waitFor();
  await post.getByRole('img', { name: '2 views' }).waitFor();
  await bob.page.getByText('Only admins can post in this channel').waitFor();
  assert.equal(await composer(bob.page).count(), 0, 'a subscriber has no composer');
  assert.equal(await composer(alice.page).count(), 1, 'the owner has one');
  await saveScreenshot(bob.page, 'channel-post');
});

test('[WEB33][WEB34] the chat info panel lists members with roles; the owner promotes a member, who then sees the admin controls live', async () => {
  // Bob opens the group's info: a plain member sees the members but no admin tools.
  await bob.page.getByRole('button', { name: new RegExp(`^${GROUP_TITLE}`) }).click();
  await bob.page.getByRole('heading', { name: GROUP_TITLE }).waitFor();
  await bob.page.getByRole('button', { name: 'Chat info' }).click();
  const bobsPanel = bob.page.getByRole('dialog', { name: 'Group info' });
  await bobsPanel.getByRole('list', { name: 'Member list' }).getByText('Alice Liddell').waitFor();
  assert.match(await bobsPanel.locator('.member-row', { hasText: 'Alice Liddell' }).innerText(), /owner/);
  assert.equal(await bobsPanel.getByRole('region', { name: 'Invite links' }).count(), 0, 'no invite links for a member');
  assert.equal(await bobsPanel.getByRole('button', { name: 'Edit group info' }).count(), 0);

  // Alice opens the same panel by clicking the header's title, and makes Bob an admin.
  await alice.page.getByRole('button', { name: new RegExp(`^${GROUP_TITLE}`) }).click();
  await alice.page.getByRole('heading', { name: GROUP_TITLE }).click();
  const alicesPanel = alice.page.getByRole('dialog', { name: 'Group info' });
  await alicesPanel.getByRole('button', { name: 'Manage Bob Marley' }).click();
  await alicesPanel.getByRole('button', { name: 'Make admin' }).click();
  const rights = alicesPanel.getByRole('group', { name: 'Admin rights' });
  assert.equal(await rights.getByRole('switch', { name: 'Add new admins' }).isChecked(), false);
  await rights.getByRole('switch', { name: 'Add new admins' }).check();
  await rights.getByRole('button', { name: 'Save rights' }).click();
  await alicesPanel.locator('.member-row', { hasText: 'Bob Marley' }).locator('.role-admin').waitFor();
  // Alice makes an invite link; it is listed with a copy button.
  await alicesPanel.getByRole('button', { name: 'Create invite link' }).click();
  await alicesPanel.getByRole('button', { name: 'Copy invite link' }).waitFor();
  inviteLink = await alicesPanel.locator('.invite-link').first().innerText();
  const link = inviteLink;
  assert.match(link, /\/\+[A-Za-z0-9_-]{8,}$/);
  await saveScreenshot(alice.page, 'chat-info');

  // Bob's open panel follows: he is an admin now, with the admin tools.
  await bobsPanel.getByRole('region', { name: 'Invite links' }).waitFor();
  await bobsPanel.getByRole('button', { name: 'Edit group info' }).waitFor();
  await bobsPanel.locator('.member-row', { hasText: 'Bob Marley' }).locator('.role-admin').waitFor();
  await bobsPanel.getByRole('button', { name: 'Edit group info' }).click();
  await bobsPanel.getByLabel('About').fill('We read banned books');
  await bobsPanel.getByRole('button', { name: 'Save changes' }).click();
  await bobsPanel.getByText('Saved').waitFor();
  // Alice's panel shows the new about once the chat's update arrives.
  await alicesPanel.getByText('We read banned books').waitFor();
  await bobsPanel.getByRole('button', { name: 'Close' }).click();
  await alicesPanel.getByRole('button', { name: 'Close' }).click();
});

test('[WEB33] a channel linked to a discussion group shows "Comments" under its posts, which open the post\'s thread', async () => {
  // Alice links the group as the channel's discussion group, then posts.
  await alice.page.getByRole('button', { name: new RegExp(`^${CHANNEL_TITLE}`) }).click();
  await alice.page.getByRole('heading', { name: CHANNEL_TITLE }).waitFor();
  await alice.page.getByRole('button', { name: 'Chat info' }).click();
  const panel = alice.page.getByRole('dialog', { name: 'Channel info' });
  await panel.getByLabel('Discussion group').selectOption({ label: GROUP_TITLE });
  await panel.getByRole('button', { name: 'Close' }).click();
  await alice.page.getByRole('button', { name: 'Comments' }).first().waitFor();
  await send(alice.page, 'Discuss this post');

  // Bob opens the comments of the new post and writes one; Alice sees it in the same thread.
  await bob.page.getByRole('button', { name: new RegExp(`^${CHANNEL_TITLE}`) }).click();
  await bob.page.getByRole('heading', { name: CHANNEL_TITLE }).waitFor();
  await bubble(bob.page, 'Discuss this post').waitFor();
  await bubble(bob.page, 'Discuss this post').getByRole('button', { name: 'Comments' }).click();
  const bobsThread = bob.page.getByRole('dialog', { name: 'Comments' });
  await bobsThread.locator('.comments-root', { hasText: 'Discuss this post' }).waitFor();
  await bobsThread.getByRole('textbox', { name: 'Comment', exact: true }).fill('Great read');
  await bobsThread.getByRole('button', { name: 'Send' }).click();
  await bobsThread.locator('.comment-text', { hasText: 'Great read' }).waitFor();

  await bubble(alice.page, 'Discuss this post').getByRole('button', { name: 'Comments' }).click();
  const alicesThread = alice.page.getByRole('dialog', { name: 'Comments' });
  await alicesThread.locator('.comment-text', { hasText: 'Great read' }).waitFor();
  await alicesThread.locator('.comment', { hasText: 'Great read' }).locator('.comment-author', { hasText: 'Bob Marley' }).waitFor();
  await alicesThread.getByRole('button', { name: 'Close' }).click();
  await bobsThread.getByRole('button', { name: 'Close' }).click();
});

test('[WEB34][WEB35] a member leaves the group from its info panel and comes back through an invite link', async () => {
  await alice.page.getByRole('button', { name: new RegExp(`^${GROUP_TITLE}`) }).click();
  await alice.page.locator('.conversation-header', { hasText: '2 members' }).waitFor();
  const { page } = bob;
  await page.getByRole('button', { name: new RegExp(`^${GROUP_TITLE}`) }).click();
  await page.getByRole('heading', { name: GROUP_TITLE }).waitFor();
  await page.getByRole('button', { name: 'Chat info' }).click();
  const panel = page.getByRole('dialog', { name: 'Group info' });
  await panel.getByRole('button', { name: 'Leave group' }).click();
  await panel.getByRole('button', { name: 'Yes, leave the group' }).click();
  await panel.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: new RegExp(`^${GROUP_TITLE}`) }).waitFor({ state: 'detached' });
  await alice.page.locator('.conversation-header', { hasText: '1 member' }).waitFor();

  const newChat = await openNewChatDialog(page);
  await newChat.getByLabel('Username or phone number').fill(inviteLink);
  await newChat.getByRole('button', { name: 'Start chat' }).click();
  const preview = page.getByRole('dialog', { name: 'Group' });
  await preview.getByText('We read banned books').waitFor();
  await preview.getByRole('button', { name: 'Join group' }).click();
  await page.getByRole('heading', { name: GROUP_TITLE }).waitFor();
  await bubble(page, 'Welcome to the club').waitFor();
  await alice.page.locator('.conversation-header', { hasText: '2 members' }).waitFor();
});
