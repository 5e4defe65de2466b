import { generateRandomId, type ConnectionState, type OutboxEntry, type SamizdatClient } from '@samizdat/client';
import { assertNever, type Chat, type InputMedia, type Message, type Peer, type Update, type User } from '@samizdat/protocol';
import { mergeMessages, removeMessages } from './message-list.ts';
import { MissingUsers } from './missing-users.ts';
import { mergeNewestPage } from './history-merge.ts';
import { mergeReactions } from './message-actions.ts';
import type { PendingMessage } from './timeline.ts';

/** Messages per history page. */
export const HISTORY_PAGE_SIZE = 50;
/** Messages per page of older history: the most the server gives, so a long scroll up takes fewer round trips ([WEB54]). */
export const OLDER_PAGE_SIZE = 100;
/** Chats fetched for the list (one page; paging the list further is still to come). */
export const CHAT_LIST_LIMIT = 200;

/** The part of the SDK the store uses, so that tests can hand it a fake. */
export type ChatClient = Pick<SamizdatClient, 'on' | 'call' | 'sendMessage' | 'sendMedia' | 'outbox' | 'connectionState'>;

/** One conversation's loaded history. */
export interface ConversationState {
  /** Ascending by id, each id once. */
  messages: readonly Message[];
  /** The first page arrived. */
  isLoaded: boolean;
  isLoadingOlder: boolean;
  /** The server may hold messages older than the first one loaded. */
  hasOlder: boolean;
  /** The messages came from the offline cache and the server has not confirmed them yet ([WEB51]). */
  isCached?: boolean;
}

/** Where the store finds what the offline cache saved ([WEB50]). */
export interface CachedHistorySource {
  loadHistory(chatId: number): Promise<readonly Message[] | null>;
}

/** Everything the screens read, replaced (never mutated) on every change. */
export interface AppSnapshot {
  self: User;
  connection: ConnectionState;
  /** Most recent activity first. */
  chats: readonly Chat[];
  isChatListLoaded: boolean;
  /** The list came from the offline cache and the server has not answered yet ([WEB50]). */
  isChatListCached?: boolean;
  users: ReadonlyMap<number, User>;
  /** By chat id. */
  conversations: ReadonlyMap<number, ConversationState>;
  /** Messages in the outbox, oldest first. */
  pending: readonly PendingMessage[];
}

const EMPTY_CONVERSATION: ConversationState = { messages: [], isLoaded: false, isLoadingOlder: false, hasOlder: true };

/**
 * The web client's view of the account: the chat list, the users it mentions, each opened
 * conversation's history and the messages still in the outbox, kept current from the SDK's
 * events (which arrive exactly once, in order, across reconnects: [SDK2], [SDK24]). Screens read
 * it with `useSyncExternalStore`; every change makes a new {@link AppSnapshot}.
 */
export class ChatStore {
  readonly #client: ChatClient;
  readonly #listeners = new Set<() => void>();
  /** Drafts by conversation key, kept while the page lives. */
  readonly #drafts = new Map<string, string>();
  readonly #readRequested = new Map<number, number>();
  /** Random ids of the pending messages found in the stored outbox at start. */
  readonly #restored: Set<string>;
  /** Senders of live group messages never listed anywhere, fetched by id ([WEB36]). */
  readonly #missingUsers: MissingUsers;
  #snapshot: AppSnapshot;
  #openChatId: number | null = null;
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  #onError: (error: unknown) => void;
  readonly #cache: CachedHistorySource | null;
  /** The last messages of the chats as the cache had them: not newer than the server's list. */
  readonly #cachedTops = new WeakSet<Message>();
  readonly #opening = new Map<number, Promise<void>>();

  constructor(client: ChatClient, self: User, options: { onError?: (error: unknown) => void; cache?: CachedHistorySource } = {}) {
    this.#client = client;
    this.#onError = options.onError ?? (() => {});
    this.#missingUsers = new MissingUsers({
      fetch: async (userIds) => (await this.#client.call('users.getUsers', { userIds })).users,
      onUsers: (users) => this.#addUsers(users),
      onError: (error) => this.#onError(error),
    });
    this.#cache = options.cache ?? null;
    this.#restored = new Set(client.outbox.map((entry) => entry.randomId));
    this.#snapshot = {
      self,
      connection: client.connectionState,
      chats: [],
      isChatListLoaded: false,
      users: new Map([[self.id, self]]),
      conversations: new Map(),
      pending: client.outbox.map((entry) => ({ entry, isFailed: false })),
    };
  }

  /** For `useSyncExternalStore`. */
  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** For `useSyncExternalStore`: the same object until something changes. */
  getSnapshot = (): AppSnapshot => this.#snapshot;


  /**
   * Starts following the client's events; returns the function that stops (for a React effect,
   * which may start and stop more than once).
   */
  start(): () => void {
    const subscriptions = [
      this.#client.on('message', (message) => this.#onMessage(message)),
      this.#client.on('messageEdited', (message) => this.#onEdited(message)),
      this.#client.on('messagesDeleted', ({ chatId, messageIds }) => this.#onDeleted(chatId, messageIds)),
      this.#client.on('update', (update) => this.#onUpdate(update)),
      this.#client.on('chatUpdate', ({ update }) => this.#onUpdate(update)),
      this.#client.on('users', (users) => this.#addUsers(users)),
      this.#client.on('connectionState', (connection) => this.#onConnectionState(connection)),
      this.#client.on('outboxFailed', ({ entry }) => this.#markFailed(entry.randomId)),
      this.#client.on('tooLong', () => this.#resetAll()),
      this.#client.on('chatTooLong', ({ chatId }) => this.#resetConversation(chatId)),
    ];
    this.#set({ connection: this.#client.connectionState });
    return () => {
      for (const unsubscribe of subscriptions) unsubscribe();
    };
  }

  /** Loads (or reloads) the chat list; concurrent calls share one request, and one more runs after it if asked meanwhile. */
  refreshChats(): Promise<void> {
    if (this.#refreshing !== null) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshing = this.#fetchChats().finally(() => {
      this.#refreshing = null;
      if (this.#refreshAgain) {
        this.#refreshAgain = false;
        void this.refreshChats();
      }
    });
    return this.#refreshing;
  }

  /** The chat opened on screen (its incoming messages count as read, not unread), or null. */
  setOpenChat(chatId: number | null): void {
    this.#openChatId = chatId;
  }

  /**
   * Shows the chat list the offline cache saved until the server's arrives ([WEB50]); ignored once
   * the server's list is in.
   */
  hydrate(cached: { chats: readonly Chat[]; users: readonly User[] }): void {
    if (this.#snapshot.isChatListLoaded) return;
    for (const chat of cached.chats) if (chat.topMessage !== null) this.#cachedTops.add(chat.topMessage);
    const users = new Map(this.#snapshot.users);
    for (const user of cached.users) if (!users.has(user.id)) users.set(user.id, user);
    this.#set({ chats: sortChats(cached.chats), users, isChatListLoaded: true, isChatListCached: true });
  }

  /**
   * Loads the newest page of a chat's history, once; what the offline cache saved shows first, and
   * the server's page then replaces it where they overlap ([WEB51]).
   */
  openConversation(chatId: number): Promise<void> {
    const current = this.#snapshot.conversations.get(chatId);
    if (current?.isLoaded === true && current.isCached !== true) return Promise.resolve();
    let opening = this.#opening.get(chatId);
    if (opening === undefined) {
      opening = this.#openConversation(chatId).finally(() => this.#opening.delete(chatId));
      this.#opening.set(chatId, opening);
    }
    return opening;
  }

  async #openConversation(chatId: number): Promise<void> {
    const current = this.#snapshot.conversations.get(chatId);
    if (current === undefined && this.#cache !== null) {
      const cached = await this.#cache.loadHistory(chatId);
      if (cached !== null && cached.length > 0 && !this.#snapshot.conversations.has(chatId)) {
        this.#setConversation(chatId, { ...EMPTY_CONVERSATION, messages: cached, isLoaded: true, isCached: true });
      }
    }
    if (!this.#snapshot.conversations.has(chatId)) this.#setConversation(chatId, { ...EMPTY_CONVERSATION });
    let result;
    try {
      result = await this.#client.call('messages.getHistory', { peer: { type: 'chat', chatId }, limit: HISTORY_PAGE_SIZE });
    } catch (error) {
      // Offline with the cached history on screen: the next connection opens it again ([WEB52]).
      if (this.#snapshot.conversations.get(chatId)?.isCached === true && this.#snapshot.connection !== 'connected') return this.#onError(error);
      throw error;
    }
    this.#addUsers(result.users);
    const latest = this.#snapshot.conversations.get(chatId) ?? EMPTY_CONVERSATION;
    const isFull = result.messages.length === HISTORY_PAGE_SIZE;
    this.#setConversation(chatId, {
      ...latest,
      messages: latest.isCached === true ? mergeNewestPage(latest.messages, result.messages, isFull) : mergeMessages(latest.messages, result.messages),
      isLoaded: true,
      isCached: false,
      hasOlder: isFull,
    });
  }

  /** Loads the page before the oldest message loaded; does nothing while one loads or when none is older. */
  async loadOlder(chatId: number): Promise<void> {
    const current = this.#snapshot.conversations.get(chatId);
    // Not from a cached history the server has not confirmed yet: its page comes first ([WEB51]).
    if (current === undefined || !current.isLoaded || current.isLoadingOlder || !current.hasOlder || current.isCached === true) return;
    const oldest = current.messages[0];
    if (oldest === undefined) return;
    this.#setConversation(chatId, { ...current, isLoadingOlder: true });
    try {
      const result = await this.#client.call('messages.getHistory', {
        peer: { type: 'chat', chatId },
        offsetId: oldest.id,
        limit: OLDER_PAGE_SIZE,
      });
      this.#addUsers(result.users);
      const latest = this.#snapshot.conversations.get(chatId) ?? current;
      this.#setConversation(chatId, {
        ...latest,
        messages: mergeMessages(latest.messages, result.messages),
        isLoadingOlder: false,
        hasOlder: result.messages.length === OLDER_PAGE_SIZE,
      });
    } catch (error) {
      const latest = this.#snapshot.conversations.get(chatId) ?? current;
      this.#setConversation(chatId, { ...latest, isLoadingOlder: false });
      throw error;
    }
  }

  /**
   * Sends a text message through the SDK's outbox: it shows at once as pending, and turns into
   * the stored message when the server acknowledges it (exactly once, whichever arrives first:
   * the ack or the update).
   */
  async send(peer: Peer, text: string, options: { replyToId?: number } = {}): Promise<void> {
    // Not crypto.randomUUID: it exists only in secure contexts, and a LAN address over http is not one.
    const randomId = generateRandomId();
    const entry: OutboxEntry = { randomId, peer, text, createdAt: Date.now(), ...(options.replyToId === undefined ? {} : { replyToId: options.replyToId }) };
    this.#set({ pending: [...this.#snapshot.pending, { entry, isFailed: false }] });
    try {
      const message = await this.#client.sendMessage(peer, text, { randomId, ...(options.replyToId === undefined ? {} : { replyToId: options.replyToId }) });
      this.#onMessage(message);
    } catch (error) {
      // A closed client keeps the entry for the next run; anything else is a refusal for good.
      this.#markFailed(randomId);
      throw error;
    }
  }

  /**
   * Sends an uploaded file ([WEB20]) with `caption` as its text through the SDK's outbox, shown
   * pending at once and replaced by the stored message exactly as {@link ChatStore.send} does.
   */
  async sendMedia(peer: Peer, media: InputMedia, caption: string): Promise<void> {
    const randomId = generateRandomId();
    const entry: OutboxEntry = { randomId, peer, text: caption, media, createdAt: Date.now() };
    this.#set({ pending: [...this.#snapshot.pending, { entry, isFailed: false }] });
    try {
      const message = await this.#client.sendMedia(peer, media, caption, { randomId });
      this.#onMessage(message);
    } catch (error) {
      this.#markFailed(randomId);
      throw error;
    }
  }

  /** Drops a failed pending message from view. */
  discardFailed(randomId: string): void {
    this.#set({ pending: this.#snapshot.pending.filter((item) => item.entry.randomId !== randomId) });
  }

  /** Tells the server the user read a chat up to `maxId`, once per id. */
  /** Pins a chat to the top of the list on every device of the user, or unpins it ([WEB60]); the update moves it. */
  async setChatPinned(chatId: number, pinned: boolean): Promise<void> {
    await this.#client.call('messages.setChatPinned', { chatId, pinned });
  }

  async markRead(chatId: number, maxId: number): Promise<void> {
    if ((this.#readRequested.get(chatId) ?? 0) >= maxId) return;
    this.#readRequested.set(chatId, maxId);
    this.#updateChat(chatId, (chat) => ({ ...chat, unreadCount: 0, readInboxMaxId: Math.max(chat.readInboxMaxId, maxId) }));
    await this.#client.call('messages.readHistory', { peer: { type: 'chat', chatId }, maxId });
  }

  /** The draft of a conversation (`chat:<id>` or `user:<id>`), or ''. */
  draft(key: string): string {
    return this.#drafts.get(key) ?? '';
  }

  setDraft(key: string, text: string): void {
    if (text === '') this.#drafts.delete(key);
    else this.#drafts.set(key, text);
  }

  /** Adds users learnt elsewhere (a username looked up). */
  addUsers(users: readonly User[]): void {
    this.#addUsers(users);
  }

  /**
   * Adds or replaces a chat a call returned (a group created, a channel joined), so that it can be
   * opened at once, before the list is refetched ([WEB36]).
   */
  addChat(chat: Chat): void {
    const chats = this.#snapshot.chats.some((candidate) => candidate.id === chat.id)
      ? this.#snapshot.chats.map((candidate) => (candidate.id === chat.id ? chat : candidate))
      : [...this.#snapshot.chats, chat];
    this.#set({ chats: sortChats(chats) });
  }

  async #fetchChats(): Promise<void> {
    const result = await this.#client.call('messages.getChats', { limit: CHAT_LIST_LIMIT });
    this.#addUsers(result.users);
    // A last message from the offline cache is no newer than the server's (it may have been deleted).
    const local = new Map(this.#snapshot.chats.filter((chat) => chat.topMessage === null || !this.#cachedTops.has(chat.topMessage)).map((chat) => [chat.id, chat]));
    const merged = result.chats.map((chat) => {
      const known = local.get(chat.id);
      // A message that arrived while the list was on its way is newer than the listed one: keep it.
      if (known?.topMessage != null && (chat.topMessage === null || known.topMessage.id > chat.topMessage.id)) {
        return { ...chat, topMessage: known.topMessage, lastActivityDate: known.lastActivityDate, unreadCount: known.unreadCount };
      }
      return chat;
    });
    // Entries restored from the stored outbox may have been acknowledged before this store listened.
    const inOutbox = new Set(this.#client.outbox.map((entry) => entry.randomId));
    const pending = this.#snapshot.pending.filter((item) => item.isFailed || !this.#restored.has(item.entry.randomId) || inOutbox.has(item.entry.randomId));
    this.#set({ chats: sortChats(merged), isChatListLoaded: true, isChatListCached: false, pending });
  }

  /** Back online after starting from the cache: what the cache showed is fetched for real ([WEB52]). */
  #onConnectionState(connection: ConnectionState): void {
    this.#set({ connection });
    if (connection !== 'connected') return;
    if (this.#snapshot.isChatListCached === true) void this.refreshChats().catch(this.#onError);
    const open = this.#openChatId === null ? undefined : this.#snapshot.conversations.get(this.#openChatId);
    if (this.#openChatId !== null && open?.isCached === true) void this.openConversation(this.#openChatId).catch(this.#onError);
  }

  #onMessage(message: Message): void {
    if (!this.#snapshot.users.has(message.senderId)) this.#missingUsers.request(message.senderId);
    const pending = this.#snapshot.pending.filter((item) => item.entry.randomId !== message.randomId || message.senderId !== this.#snapshot.self.id);
    const conversation = this.#snapshot.conversations.get(message.chatId);
    const conversations =
      conversation === undefined
        ? this.#snapshot.conversations
        : withEntry(this.#snapshot.conversations, message.chatId, { ...conversation, messages: mergeMessages(conversation.messages, [message]) });
    const chat = this.#snapshot.chats.find((candidate) => candidate.id === message.chatId);
    if (chat === undefined) {
      this.#set({ pending, conversations });
      void this.refreshChats().catch(this.#onError);
      return;
    }
    let chats = this.#snapshot.chats;
    if (chat.topMessage === null || message.id >= chat.topMessage.id) {
      const isNew = chat.topMessage === null || message.id > chat.topMessage.id;
      const isIncoming = message.senderId !== this.#snapshot.self.id;
      const isSeen = this.#openChatId === message.chatId && isPageVisible();
      const unreadCount = isNew && isIncoming && !isSeen && message.id > chat.readInboxMaxId ? chat.unreadCount + 1 : chat.unreadCount;
      chats = sortChats(
        chats.map((candidate) =>
          candidate.id === chat.id
            ? { ...candidate, topMessage: message, lastActivityDate: Math.max(candidate.lastActivityDate, message.date), unreadCount }
            : candidate,
        ),
      );
    }
    this.#set({ pending, conversations, chats });
  }

  #onEdited(edited: Message): void {
    const conversation = this.#snapshot.conversations.get(edited.chatId);
    // An edit comes as one payload for every member: keep the viewer's `isChosen` ([WEB61]).
    const known = conversation?.messages.find((candidate) => candidate.id === edited.id);
    const message = known === undefined ? edited : { ...edited, reactions: mergeReactions(known.reactions, edited.reactions) };
    if (conversation !== undefined) {
      this.#setConversation(message.chatId, { ...conversation, messages: mergeMessages(conversation.messages, [message]) });
    }
    this.#updateChat(message.chatId, (chat) => (chat.topMessage?.id === message.id ? { ...chat, topMessage: message } : chat));
  }

  #onDeleted(chatId: number, messageIds: readonly number[]): void {
    const conversation = this.#snapshot.conversations.get(chatId);
    if (conversation !== undefined) this.#setConversation(chatId, { ...conversation, messages: removeMessages(conversation.messages, messageIds) });
    const chat = this.#snapshot.chats.find((candidate) => candidate.id === chatId);
    // The list's last message went: the server knows the one before it.
    if (chat?.topMessage != null && messageIds.includes(chat.topMessage.id)) void this.refreshChats().catch(this.#onError);
  }

  #onUpdate(update: Update): void {
    switch (update.type) {
      case 'readHistoryInbox':
        this.#updateChat(update.chatId, (chat) => {
          const readInboxMaxId = Math.max(chat.readInboxMaxId, update.maxId);
          const isAllRead = chat.topMessage === null || readInboxMaxId >= chat.topMessage.id;
          if (!isAllRead) void this.refreshChats().catch(this.#onError);
          return { ...chat, readInboxMaxId, unreadCount: isAllRead ? 0 : chat.unreadCount };
        });
        return;
      case 'readHistoryOutbox':
        this.#updateChat(update.chatId, (chat) => ({ ...chat, readOutboxMaxId: Math.max(chat.readOutboxMaxId, update.maxId) }));
        return;
      case 'chatUpdated':
      case 'chatJoined':
      case 'chatLeft':
      case 'chatMember':
      case 'pinnedMessage':
      case 'chatMuted':
        void this.refreshChats().catch(this.#onError);
        return;
      case 'chatPinned':
        // Pinned on another device (or this one): the list moves it at once ([WEB60]).
        this.#updateChat(update.chatId, (chat) => (chat.pinnedAt === update.pinnedAt ? chat : { ...chat, pinnedAt: update.pinnedAt }));
        return;
      case 'messageReactions':
        this.#updateConversationMessage(update.chatId, update.messageId, (message) => ({ ...message, reactions: mergeReactions(message.reactions, update.reactions) }));
        return;
      case 'draft':
        // The list shows the draft of any device of the user ([WEB64]); the server keeps the order.
        this.#updateChat(update.chatId, (chat) => ({ ...chat, draft: update.draft }));
        return;
      case 'newMessage':
      case 'editMessage':
      case 'deleteMessages':
      case 'secretDevicesChanged':
        // Messages come as their own events; secret devices are not shown yet.
        return;
      default:
        assertNever(update);
    }
  }

  #updateConversationMessage(chatId: number, messageId: number, change: (message: Message) => Message): void {
    const conversation = this.#snapshot.conversations.get(chatId);
    const message = conversation?.messages.find((candidate) => candidate.id === messageId);
    if (conversation === undefined || message === undefined) return;
    this.#setConversation(chatId, { ...conversation, messages: conversation.messages.map((candidate) => (candidate === message ? change(candidate) : candidate)) });
  }

  #markFailed(randomId: string): void {
    const pending = this.#snapshot.pending.map((item) => (item.entry.randomId === randomId ? { ...item, isFailed: true } : item));
    this.#set({ pending });
  }

  #resetAll(): void {
    this.#set({ conversations: new Map() });
    void this.refreshChats().catch(this.#onError);
    if (this.#openChatId !== null) void this.openConversation(this.#openChatId).catch(this.#onError);
  }

  #resetConversation(chatId: number): void {
    const conversations = new Map(this.#snapshot.conversations);
    conversations.delete(chatId);
    this.#set({ conversations });
    if (this.#openChatId === chatId) void this.openConversation(chatId).catch(this.#onError);
  }

  #addUsers(users: readonly User[]): void {
    if (users.length === 0) return;
    const next = new Map(this.#snapshot.users);
    for (const user of users) next.set(user.id, user);
    this.#set({ users: next });
  }

  #updateChat(chatId: number, change: (chat: Chat) => Chat): void {
    let isChanged = false;
    const chats = this.#snapshot.chats.map((chat) => {
      if (chat.id !== chatId) return chat;
      const next = change(chat);
      isChanged ||= next !== chat;
      return next;
    });
    if (isChanged) this.#set({ chats: sortChats(chats) });
  }

  #setConversation(chatId: number, state: ConversationState): void {
    this.#set({ conversations: withEntry(this.#snapshot.conversations, chatId, state) });
  }

  #set(change: Partial<AppSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...change };
    for (const listener of this.#listeners) listener();
  }
}

/**
 * Pinned chats first, newest pin first ([WEB60]); then most recent activity first; ties by id,
 * newest first, as the server orders them. (`pinnedAt` may be missing from an older offline cache.)
 */
export function sortChats(chats: readonly Chat[]): Chat[] {
  return [...chats].sort((a, b) => (b.pinnedAt ?? -1) - (a.pinnedAt ?? -1) || b.lastActivityDate - a.lastActivityDate || b.id - a.id);
}

function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): Map<K, V> {
  const next = new Map(map);
  next.set(key, value);
  return next;
}

function isPageVisible(): boolean {
  return typeof document === 'undefined' || document.visibilityState === 'visible';
}
