import { generateRandomId, type SamizdatClient, type SamizdatClientEvents } from '@samizdat/client';
import type { Chat, Message, Peer, ReactionCount, UserStatus } from '@samizdat/protocol';

/** The part of the SDK the actions use, so that tests can hand them a fake. */
export type ActionsClient = Pick<SamizdatClient, 'on' | 'call'>;

/** Authors may edit their messages this long after sending them ([MM3]). */
export const EDIT_WINDOW_SECONDS = 48 * 3600;
/** At most one `typing` action is sent per chat this often; the server shows it for 6 s. */
export const TYPING_THROTTLE_MS = 4_000;
/** A typing indicator disappears this long after its last renewal unless a `cancel` or message comes first. */
export const TYPING_SHOW_MS = 6_000;
/** The reactions the menu offers. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

/** Who types where and who is online, replaced (never mutated) on every change. */
export interface ActivitySnapshot {
  /** By chat id: the ids of the users typing there (never the viewer). */
  typing: ReadonlyMap<number, readonly number[]>;
  /** By user id: the last status heard. */
  statuses: ReadonlyMap<number, UserStatus>;
  /** By `<chatId>:<messageId>`: the emoji this viewer reacted with from this page; null once they took it back here. */
  ownReactions: ReadonlyMap<string, string | null>;
}

/**
 * The viewer's own reaction to a message ([WEB13]): what they did on this page last wins (null:
 * taken back here); else the server's `isChosen`, which history and the chat list carry ([MM15]),
 * so that after a reload a click on one's own chip takes the reaction back.
 */
export function ownReactionOf(message: Pick<Message, 'chatId' | 'id' | 'reactions'>, ownReactions: ReadonlyMap<string, string | null>): string | undefined {
  const remembered = ownReactions.get(`${message.chatId}:${message.id}`);
  if (remembered !== undefined) return remembered ?? undefined;
  return message.reactions.find((reaction) => reaction.isChosen === true)?.emoji;
}

/**
 * New counts from a `messageReactions` update, which is shared by every member and so says nothing
 * of whose reaction is whose: the viewer's `isChosen` is carried over while that emoji is still there.
 */
export function mergeReactions(previous: readonly ReactionCount[], next: readonly ReactionCount[]): ReactionCount[] {
  if (next.some((reaction) => reaction.isChosen !== undefined)) return [...next];
  const chosen = previous.find((reaction) => reaction.isChosen === true)?.emoji;
  if (chosen === undefined) return [...next];
  return next.map((reaction) => ({ ...reaction, isChosen: reaction.emoji === chosen }));
}

/** The viewer's right to act on a message in a chat, as the server's rules allow ([MM3], [MM4]). */
export interface MessagePermissions {
  canEdit: boolean;
  canDeleteForEveryone: boolean;
  canForward: boolean;
  canPin: boolean;
  canReact: boolean;
}

/** What the viewer may do with `message` in `chat`; `nowSeconds` for tests. */
export function messagePermissions(message: Message, chat: Chat | null, selfId: number, nowSeconds = Date.now() / 1000): MessagePermissions {
  const isOwn = message.senderId === selfId;
  const type = chat?.type ?? 'private';
  const rights = chat?.myRights ?? null;
  const isCreator = chat?.myRole === 'owner';
  return {
    canEdit: isOwn && message.forward === null && nowSeconds - message.date < EDIT_WINDOW_SECONDS && (type !== 'channel' || isCreator || rights?.postMessages === true),
    canDeleteForEveryone: isOwn || type === 'private' || isCreator || rights?.deleteMessages === true,
    canForward: chat === null || !chat.hasNoForwards,
    canPin: type === 'private' || isCreator || rights?.pinMessages === true,
    canReact: true,
  };
}

/** "online", "last seen at 14:05", "last seen recently". */
export function describeStatus(status: UserStatus | undefined, nowMs = Date.now()): string {
  if (status === undefined) return '';
  switch (status.type) {
    case 'online':
      if (status.expiresAt * 1000 > nowMs) return 'online';
      return describeLastSeen(status.expiresAt, nowMs);
    case 'offline':
      return describeLastSeen(status.lastSeenAt, nowMs);
    case 'hidden':
      return 'last seen recently';
  }
}

function describeLastSeen(unixSeconds: number, nowMs: number): string {
  const date = new Date(unixSeconds * 1000);
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (nowMs - date.getTime() < 60_000) return 'last seen just now';
  if (new Date(nowMs).toDateString() === date.toDateString()) return `last seen at ${time}`;
  return `last seen ${date.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} at ${time}`;
}

/** "Alice is typing…", "Alice and Bob are typing…", "3 people are typing…". */
export function describeTyping(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

/**
 * The actions on messages (edit, delete, forward, react, pin) and the ephemeral activity around
 * them (typing, online status), on the SDK. Edits, deletions, reactions and pins come back as
 * updates, which {@link ChatStore} applies; this class keeps only what no update carries: who is
 * typing, statuses, and which reaction the viewer chose here (shared updates do not say; history does, [MM15]).
 */
export class MessageActions {
  readonly #client: ActionsClient;
  readonly #selfId: number;
  readonly #listeners = new Set<() => void>();
  readonly #typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #lastTypingSentMs = new Map<string, number>();
  readonly #statusRequested = new Set<number>();
  #snapshot: ActivitySnapshot = { typing: new Map(), statuses: new Map(), ownReactions: new Map() };

  constructor(client: ActionsClient, selfId: number) {
    this.#client = client;
    this.#selfId = selfId;
  }

  /** For `useSyncExternalStore`. */
  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** For `useSyncExternalStore`. */
  getSnapshot = (): ActivitySnapshot => this.#snapshot;

  /** Starts following typing, presence and messages; returns the function that stops. */
  start(): () => void {
    const subscriptions = [
      this.#client.on('typing', (frame) => this.#onTyping(frame)),
      this.#client.on('presence', (frame) => this.#setStatus(frame.userId, frame.status)),
      // A message from someone ends their typing, as it does on Telegram.
      this.#client.on('message', (message) => this.#stopTyping(message.chatId, message.senderId)),
    ];
    return () => {
      for (const unsubscribe of subscriptions) unsubscribe();
      for (const timer of this.#typingTimers.values()) clearTimeout(timer);
      this.#typingTimers.clear();
    };
  }

  /** Asks for a user's status once (later changes come as `presence`). */
  async loadStatus(userId: number): Promise<void> {
    if (userId === this.#selfId || this.#statusRequested.has(userId)) return;
    this.#statusRequested.add(userId);
    const result = await this.#client.call('users.getStatuses', { userIds: [userId] });
    for (const { userId: id, status } of result.statuses) this.#setStatus(id, status);
  }

  /** Tells the chat the viewer is typing: at most once per {@link TYPING_THROTTLE_MS} a peer. */
  async notifyTyping(peer: Peer, nowMs = Date.now()): Promise<void> {
    const key = peerKey(peer);
    const last = this.#lastTypingSentMs.get(key) ?? -Infinity;
    if (nowMs - last < TYPING_THROTTLE_MS) return;
    this.#lastTypingSentMs.set(key, nowMs);
    await this.#client.call('messages.setTyping', { peer, action: 'typing' });
  }

  /** Tells the chat the viewer stopped typing (the text was cleared), if a `typing` went out. */
  async cancelTyping(peer: Peer): Promise<void> {
    const key = peerKey(peer);
    if (!this.#lastTypingSentMs.has(key)) return;
    this.#lastTypingSentMs.delete(key);
    await this.#client.call('messages.setTyping', { peer, action: 'cancel' });
  }

  /** Forgets the throttle after a send, so the next keystroke announces typing at once. */
  sent(peer: Peer): void {
    this.#lastTypingSentMs.delete(peerKey(peer));
  }

  async edit(chatId: number, messageId: number, text: string): Promise<Message> {
    const result = await this.#client.call('messages.edit', { peer: { type: 'chat', chatId }, messageId, text });
    return result.message;
  }

  async delete(chatId: number, messageIds: number[], options: { forEveryone: boolean }): Promise<void> {
    await this.#client.call('messages.delete', { peer: { type: 'chat', chatId }, messageIds, forEveryone: options.forEveryone });
  }

  async forward(fromChatId: number, messageIds: number[], toChatId: number): Promise<Message[]> {
    const result = await this.#client.call('messages.forward', {
      fromPeer: { type: 'chat', chatId: fromChatId },
      messageIds,
      toPeer: { type: 'chat', chatId: toChatId },
      randomIds: messageIds.map(() => generateRandomId()),
    });
    return result.messages;
  }

  /** One message of a chat by id (a pinned one not loaded yet), or undefined when it is gone. */
  fetchMessage = async (chatId: number, messageId: number): Promise<Message | undefined> => {
    const result = await this.#client.call('messages.getHistory', { peer: { type: 'chat', chatId }, offsetId: messageId + 1, limit: 1 });
    return result.messages.find((message) => message.id === messageId);
  };

  async pin(chatId: number, messageId: number | null): Promise<void> {
    await this.#client.call('messages.pin', { peer: { type: 'chat', chatId }, messageId });
  }

  /** The viewer's own reaction to a message, given its counts as shown (with the server's `isChosen`). */
  ownReaction(chatId: number, messageId: number, reactions: readonly ReactionCount[] = []): string | undefined {
    return ownReactionOf({ chatId, id: messageId, reactions: [...reactions] }, this.#snapshot.ownReactions);
  }

  /**
   * Reacts with `emoji`, or takes the reaction back when it is already the viewer's own: as this
   * page remembers it, else as the message's `reactions` say (`isChosen`, after a reload).
   */
  async toggleReaction(chatId: number, messageId: number, emoji: string, reactions: readonly ReactionCount[] = []): Promise<void> {
    const key = `${chatId}:${messageId}`;
    const remembered = this.#snapshot.ownReactions.get(key);
    const previous = this.ownReaction(chatId, messageId, reactions);
    const next = previous === emoji ? null : emoji;
    this.#setOwnReaction(key, next);
    try {
      await this.#client.call('messages.react', { peer: { type: 'chat', chatId }, messageId, emoji: next });
    } catch (error) {
      this.#setOwnReaction(key, remembered);
      throw error;
    }
  }

  /** `undefined` forgets what this page did, so the server's `isChosen` shows again. */
  #setOwnReaction(key: string, emoji: string | null | undefined): void {
    const ownReactions = new Map(this.#snapshot.ownReactions);
    if (emoji === undefined) ownReactions.delete(key);
    else ownReactions.set(key, emoji);
    this.#set({ ownReactions });
  }

  #onTyping(frame: SamizdatClientEvents['typing']): void {
    if (frame.userId === this.#selfId) return;
    if (frame.action === 'cancel') {
      this.#stopTyping(frame.chatId, frame.userId);
      return;
    }
    const key = `${frame.chatId}:${frame.userId}`;
    const existing = this.#typingTimers.get(key);
    if (existing !== undefined) clearTimeout(existing);
    // Local time, not `expiresAt`: the two clocks may disagree.
    this.#typingTimers.set(
      key,
      setTimeout(() => this.#stopTyping(frame.chatId, frame.userId), TYPING_SHOW_MS),
    );
    const current = this.#snapshot.typing.get(frame.chatId) ?? [];
    if (current.includes(frame.userId)) return;
    this.#set({ typing: withEntry(this.#snapshot.typing, frame.chatId, [...current, frame.userId]) });
  }

  #stopTyping(chatId: number, userId: number): void {
    const key = `${chatId}:${userId}`;
    const timer = this.#typingTimers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    this.#typingTimers.delete(key);
    const current = this.#snapshot.typing.get(chatId);
    if (current === undefined || !current.includes(userId)) return;
    const remaining = current.filter((id) => id !== userId);
    const typing = new Map(this.#snapshot.typing);
    if (remaining.length === 0) typing.delete(chatId);
    else typing.set(chatId, remaining);
    this.#set({ typing });
  }

  #setStatus(userId: number, status: UserStatus): void {
    this.#set({ statuses: withEntry(this.#snapshot.statuses, userId, status) });
  }

  #set(change: Partial<ActivitySnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...change };
    for (const listener of this.#listeners) listener();
  }
}

function peerKey(peer: Peer): string {
  return peer.type === 'chat' ? `chat:${peer.chatId}` : `user:${peer.userId}`;
}

function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): Map<K, V> {
  const next = new Map(map);
  next.set(key, value);
  return next;
}
