import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TypedEmitter, type SamizdatClientEvents } from '@samizdat/client';
import type { Chat, Draft, Peer, User } from '@samizdat/protocol';
import { ChatStore, type ChatClient } from './chat-store.ts';
import { DRAFT_SAVE_DELAY_MS, DraftSync, type DraftTimers, type DraftValue } from './draft-sync.ts';

/** Timers driven by hand: `advance(ms)` runs whatever falls due. */
class FakeTimers implements DraftTimers {
  now = 0;
  #next = 1;
  readonly #due = new Map<number, { at: number; callback: () => void }>();
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#due.set(id, { at: this.now + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#due.delete(handle as number);
  }
  get pending(): number {
    return this.#due.size;
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, timer] of [...this.#due].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > this.now) continue;
      this.#due.delete(id);
      timer.callback();
    }
  }
}

const PEER: Peer = { type: 'chat', chatId: 7 };
const KEY = 'chat:7';

function setup(options: { fail?: boolean } = {}) {
  const timers = new FakeTimers();
  const saves: { peer: Peer; draft: DraftValue }[] = [];
  const errors: unknown[] = [];
  const drafts = new DraftSync({
    timers,
    onError: (error) => errors.push(error),
    save: async (peer, draft) => {
      saves.push({ peer, draft });
      if (options.fail === true) throw new Error('offline');
    },
  });
  return { timers, saves, errors, drafts };
}

function serverDraft(text: string, replyToId: number | null = null): Draft {
  return { text, replyToId, date: 1_000 };
}

test('[WEB62] a draft is saved once, 1.5 s after the last keystroke, with its reply', async () => {
  const { timers, saves, drafts } = setup();
  drafts.open(KEY, PEER, null);
  drafts.change(KEY, PEER, { text: 'H', replyToId: null });
  timers.advance(1_000);
  drafts.change(KEY, PEER, { text: 'He', replyToId: null });
  timers.advance(1_000);
  drafts.change(KEY, PEER, { text: 'Hello', replyToId: 42 });
  timers.advance(DRAFT_SAVE_DELAY_MS - 1);
  assert.equal(saves.length, 0, 'nothing before the delay has passed since the last keystroke');
  assert.equal(drafts.isBusy(KEY), true);
  timers.advance(1);
  await drafts.settled();
  assert.deepEqual(saves, [{ peer: PEER, draft: { text: 'Hello', replyToId: 42 } }]);
  assert.equal(drafts.isBusy(KEY), false);
  timers.advance(10_000);
  assert.equal(saves.length, 1, 'saved once');
});

test('[WEB62] flush saves at once (leaving the chat, the page hidden), and an unchanged draft is not saved again', async () => {
  const { timers, saves, drafts } = setup();
  drafts.open(KEY, PEER, null);
  drafts.change(KEY, PEER, { text: 'Half a thought', replyToId: null });
  drafts.flush(KEY);
  await drafts.settled();
  assert.deepEqual(saves.map((save) => save.draft.text), ['Half a thought']);
  assert.equal(timers.pending, 0, 'the timer went with the flush');
  drafts.flushAll();
  timers.advance(DRAFT_SAVE_DELAY_MS);
  await drafts.settled();
  assert.equal(saves.length, 1);

  drafts.open('chat:8', { type: 'chat', chatId: 8 }, null);
  drafts.change('chat:8', { type: 'chat', chatId: 8 }, { text: 'Other', replyToId: null });
  drafts.change(KEY, PEER, { text: 'Half a thought, more', replyToId: null });
  drafts.flushAll();
  await drafts.settled();
  assert.deepEqual(saves.map((save) => save.draft.text).sort(), ['Half a thought', 'Half a thought, more', 'Other']);
});

test('[WEB62] emptying the text (or sending) clears the server draft at once, and only when there is one', async () => {
  const { timers, saves, drafts } = setup();
  drafts.open(KEY, PEER, serverDraft('From the phone'));
  drafts.change(KEY, PEER, { text: '', replyToId: null });
  await drafts.settled();
  assert.deepEqual(saves, [{ peer: PEER, draft: { text: '', replyToId: null } }]);

  // Typed and sent before the delay: the server never had it, so there is nothing to clear.
  drafts.change(KEY, PEER, { text: 'Quick', replyToId: null });
  drafts.change(KEY, PEER, { text: '', replyToId: null });
  timers.advance(DRAFT_SAVE_DELAY_MS * 2);
  await drafts.settled();
  assert.equal(saves.length, 1);

  // Whitespace is no draft either.
  drafts.change(KEY, PEER, { text: '   ', replyToId: null });
  timers.advance(DRAFT_SAVE_DELAY_MS);
  await drafts.settled();
  assert.equal(saves.length, 1);
});

test('[WEB63] the first opening starts from the server draft; a draft from another device replaces an untouched one', async () => {
  const { timers, saves, drafts } = setup();
  const changes: number[] = [];
  drafts.subscribe(() => changes.push(drafts.revision(KEY)));
  assert.deepEqual(drafts.open(KEY, PEER, serverDraft('From the phone', 3)), { text: 'From the phone', replyToId: 3 });

  drafts.remote(KEY, serverDraft('Edited on the phone'));
  assert.equal(drafts.local(KEY).text, 'Edited on the phone');
  assert.deepEqual(changes, [1]);
  // The server's later list does not override what the page already holds.
  assert.equal(drafts.open(KEY, PEER, serverDraft('stale')).text, 'Edited on the phone');

  // Being edited here: the local text wins and is saved over the other device's.
  drafts.change(KEY, PEER, { text: 'Typed here', replyToId: null });
  drafts.remote(KEY, serverDraft('Typed on the phone'));
  assert.equal(drafts.local(KEY).text, 'Typed here');
  timers.advance(DRAFT_SAVE_DELAY_MS);
  await drafts.settled();
  assert.deepEqual(saves.map((save) => save.draft.text), ['Typed here']);

  // Cleared on the other device (a send there): the draft goes here too.
  drafts.remote(KEY, null);
  assert.equal(drafts.local(KEY).text, '');
  assert.deepEqual(changes, [1, 2]);
  // An unknown chat is left to the list, which has the draft from the server.
  drafts.remote('chat:99', serverDraft('elsewhere'));
  assert.equal(drafts.local('chat:99').text, '');
});

test('[WEB63] the echo of a save still on its way does not bring back text the user has since cleared', async () => {
  const timers = new FakeTimers();
  const releases: (() => void)[] = [];
  const saved: string[] = [];
  const drafts = new DraftSync({
    timers,
    save: (_peer, draft) =>
      new Promise<void>((resolve) => {
        saved.push(draft.text);
        releases.push(resolve);
      }),
  });
  drafts.open(KEY, PEER, null);
  drafts.change(KEY, PEER, { text: 'Hello', replyToId: null });
  drafts.flush(KEY);
  await Promise.resolve();
  drafts.change(KEY, PEER, { text: '', replyToId: null }); // sent meanwhile
  drafts.remote(KEY, serverDraft('Hello')); // the first save's update
  assert.equal(drafts.local(KEY).text, '');
  releases.shift()!();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(saved, ['Hello', ''], 'the clear runs after the save, in order');
  drafts.remote(KEY, null);
  releases.shift()!();
  await drafts.settled();
  assert.equal(drafts.local(KEY).text, '');
  assert.equal(drafts.isBusy(KEY), false);
});

test('[WEB62] a failed save is reported and tried again on the next flush; a chat not started yet stays on the page', async () => {
  const { saves, errors, drafts } = setup({ fail: true });
  drafts.open(KEY, PEER, null);
  drafts.change(KEY, PEER, { text: 'Offline', replyToId: null });
  drafts.flush(KEY);
  await drafts.settled();
  assert.equal(errors.length, 1);
  assert.equal(drafts.isBusy(KEY), true, 'still unsaved');
  drafts.flush(KEY);
  await drafts.settled();
  assert.equal(saves.length, 2);

  drafts.open('user:5', null, null);
  drafts.change('user:5', null, { text: 'Hi new person', replyToId: null });
  drafts.flushAll();
  await drafts.settled();
  assert.equal(saves.filter((save) => save.draft.text === 'Hi new person').length, 0);
  assert.equal(drafts.local('user:5').text, 'Hi new person');
});

test('[WEB64] a draft update of the user\'s sequence reaches the chat list, which keeps the server\'s order', async () => {
  const self: User = { id: 1, displayName: 'Alice', username: null, phone: null, isSelf: true, isContact: false, isBot: false };
  const chat = (id: number, lastActivityDate: number): Chat => ({
    id, type: 'private', peerUserId: id + 100, title: null, about: '', username: null, memberCount: 2, pts: 0, topMessage: null, unreadCount: 0, readInboxMaxId: 0,
    readOutboxMaxId: 0, myRole: 'member', myRights: null, myMutedUntil: null, pinnedMessageId: null, slowModeSeconds: 0, hasSignatures: false, hasNoForwards: false,
    linkedChatId: null, lastActivityDate, mutedUntil: null, draft: null, blocked: null, pinnedAt: null,
  });
  const emitter = new TypedEmitter<SamizdatClientEvents>();
  const client = {
    connectionState: 'connected' as const,
    outbox: [],
    on: emitter.on.bind(emitter),
    call: (async () => ({ chats: [chat(10, 2000), chat(11, 1000)], users: [self] })) as unknown as ChatClient['call'],
    sendMessage: () => Promise.reject(new Error('unused')),
    sendMedia: () => Promise.reject(new Error('unused')),
  } satisfies ChatClient;
  const store = new ChatStore(client, self);
  const stop = store.start();
  await store.refreshChats();
  emitter.emit('update', { type: 'draft', pts: 4, chatId: 11, draft: serverDraft('Later') });
  const chats = store.getSnapshot().chats;
  assert.deepEqual(chats.map((c) => c.id), [10, 11], 'a draft does not move its chat: the server orders by last activity');
  assert.equal(chats[1]?.draft?.text, 'Later');
  emitter.emit('update', { type: 'draft', pts: 5, chatId: 11, draft: null });
  assert.equal(store.getSnapshot().chats[1]?.draft, null);
  stop();
});
