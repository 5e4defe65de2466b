import { generateRandomId, type ConnectionState, type OutboxEntry, type SamizdatClient } from '@samizdat/client';
import { assertNever, type Chat, type Message, type Peer, type Update, type User } from '@samizdat/protocol';
import { mergeMessages, removeMessages } from './message-list.ts';
import type { PendingMessage } from './timeline.ts';

/** Messages per history page. */
export const HISTORY_PAGE_SIZE = 50;
/** Chats fetched for the list (one page; paging the list further is still to come). */
export const CHAT_LIST_LIMIT = 200;

/** The part of the SDK the store uses, so that tests can hand it a fake. */
export type ChatClient = Pick<SamizdatClient, 'on' | 'call' | 'sendMessage' | 'outbox' | 'connectionState'>;

/** One conversation's loaded history. */
export interface ConversationState {
  /** Ascending by id, each id once. */
  messages: readonly Message[];
  /** The first page arrived. */
  isLoaded: boolean;
  isLoadingOlder: boolean;
  /** The server may hold messages older than the first one loaded. */
  hasOlder: boolean;
}

/** Everything the screens read, replaced (never mutated) on every change. */
export interface AppSnapshot {
  self: User;
  connection: ConnectionState;
  /** Most recent activity first. */
  chats: readonly Chat[];
  isChatListLoaded: boolean;
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
  #snapshot: AppSnapshot;
  #openChatId: number | null = null;
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  #onError: (error: unknown) => void;

  constructor(client: ChatClient, self: User, options: { onError?: (error: unknown) => void } = {}) {
    this.#client = client;
    this.#onError = options.onError ?? (() => {});
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
      this.#client.on('connectionState', (connection) => this.#set({ connection })),
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

  /** Loads the newest page of a chat's history, once. */
  async openConversation(chatId: number): Promise<void> {
    const current = this.#snapshot.conversations.get(chatId);
    if (current?.isLoaded === true) return;
    this.#setConversation(chatId, { ...(current ?? EMPTY_CONVERSATION) });
    const result = await this.#client.call('messages.getHistory', { peer: { type: 'chat', chatId }, limit: HISTORY_PAGE_SIZE });
    this.#addUsers(result.users);
    const latest = this.#snapshot.conversations.get(chatId) ?? EMPTY_CONVERSATION;
    this.#setConversation(chatId, {
      ...latest,
      messages: mergeMessages(latest.messages, result.messages),
      isLoaded: true,
      hasOlder: result.messages.length === HISTORY_PAGE_SIZE,
    });
  }

  /** Loads the page before the oldest message loaded; does nothing while one loads or when none is older. */
  async loadOlder(chatId: number): Promise<void> {
    const current = this.#snapshot.conversations.get(chatId);
    if (current === undefined || !current.isLoaded || current.isLoadingOlder || !current.hasOlder) return;
    const oldest = current.messages[0];
    if (oldest === undefined) return;
    this.#setConversation(chatId, { ...current, isLoadingOlder: true });
    try {
      const result = await this.#client.call('messages.getHistory', {
        peer: { type: 'chat', chatId },
        offsetId: oldest.id,
        limit: HISTORY_PAGE_SIZE,
      });
      this.#addUsers(result.users);
      const latest = this.#snapshot.conversations.get(chatId) ?? current;
      this.#setConversation(chatId, {
        ...latest,
        messages: mergeMessages(latest.messages, result.messages),
        isLoadingOlder: false,
        hasOlder: result.messages.length === HISTORY_PAGE_SIZE,
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
  async send(peer: Peer, text: string): Promise<void> {
    // Not crypto.randomUUID: it exists only in secure contexts, and a LAN address over http is not one.
    const randomId = generateRandomId();
    const entry: OutboxEntry = { randomId, peer, text, createdAt: Date.now() };
    this.#set({ pending: [...this.#snapshot.pending, { entry, isFailed: false }] });
    try {
      const message = await this.#client.sendMessage(peer, text, { randomId });
      this.#onMessage(message);
    } catch (error) {
      // A closed client keeps the entry for the next run; anything else is a refusal for good.
      this.#markFailed(randomId);
      throw error;
    }
  }

  /** Drops a failed pending message from view. */
  discardFailed(randomId: string): void {
    this.#set({ pending: this.#snapshot.pending.filter((item) => item.entry.randomId !== randomId) });
  }

  /** Tells the server the user read a chat up to `maxId`, once per id. */
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

  async #fetchChats(): Promise<void> {
    const result = await this.#client.call('messages.getChats', { limit: CHAT_LIST_LIMIT });
    this.#addUsers(result.users);
    const local = new Map(this.#snapshot.chats.map((chat) => [chat.id, chat]));
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
    this.#set({ chats: sortChats(merged), isChatListLoaded: true, pending });
  }

  #onMessage(message: Message): void {
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

  #onEdited(message: Message): void {
    const conversation = this.#snapshot.conversations.get(message.chatId);
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
      case 'messageReactions':
        this.#updateConversationMessage(update.chatId, update.messageId, (message) => ({ ...message, reactions: update.reactions }));
        return;
      case 'newMessage':
      case 'editMessage':
      case 'deleteMessages':
      case 'draft':
      case 'secretDevicesChanged':
        // Messages come as their own events; server drafts and secret devices are not shown yet.
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

/** Most recent activity first; ties by id, newest first, as the server orders them. */
export function sortChats(chats: readonly Chat[]): Chat[] {
  return [...chats].sort((a, b) => b.lastActivityDate - a.lastActivityDate || b.id - a.id);
}

function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): Map<K, V> {
  const next = new Map(map);
  next.set(key, value);
  return next;
}

function isPageVisible(): boolean {
  return typeof document === 'undefined' || document.visibilityState === 'visible';
}
