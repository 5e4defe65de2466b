import {
  isValidRandomId,
  MAX_CAPTION_LENGTH,
  MAX_MESSAGE_LENGTH,
  MAX_PINNED_CHATS,
  RpcError,
  type Chat,
  type ForwardOrigin,
  type Media,
  type Message,
  type MessageEntity,
  type MethodParams,
  type MethodResult,
  type Peer,
  type ReplyMarkup,
  type SequencedUpdate,
} from '@samizdat/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { Users } from '../accounts/users.ts';
import type { Bus } from '../bus/bus.ts';
import type { ChatAccess, ChatDirectory } from '../chats/chat-access.ts';
import { renderChat } from '../chats/chat-view.ts';
import { assertCanRead, assertCanSend, assertMember, assertNotBlocked, hasRight, memberState, type ChatRow, type MemberState } from '../chats/permissions.ts';
import type { FileService } from '../files/file-service.ts';
import type { ChatKeyring } from '../keys/chat-keyring.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import { appendForChat, forActor, publish, type Delivery } from '../updates/sequences.ts';
import { withChosenReactions } from './chosen-reactions.ts';
import { messageEntities } from './entities.ts';
import { GroupCommit } from './group-commit.ts';
import { openMessage, sealContent, type MessageRow } from './message-codec.ts';
import { queryShape } from '../storage/query-shape.ts';

/** A chat opened for an action, with the actor's standing in it. */
export interface Target {
  access: ChatAccess;
  chat: ChatRow;
  state: MemberState;
}

/** What one stored message is made of, before it has an id. */
interface NewMessage {
  target: Target;
  senderId: number;
  randomId: string;
  text: string;
  entities: MessageEntity[];
  replyToId: number | null;
  forward: ForwardOrigin | null;
  media: Media | null;
  /** Bots only: buttons or a keyboard sent with the message. */
  replyMarkup: ReplyMarkup | null;
  date: number;
}

interface SendOutcome {
  message: Message;
  /** Every update the send made; empty when it was a retry of a stored message. */
  deliveries: Delivery[];
  /** The updates the sender's device applies at once. */
  senderUpdates: SequencedUpdate[];
}

const EDIT_WINDOW_SECONDS = 48 * 3600;

// Built once: these run for every message (see `storage/query-shape.ts`).
const chatById = queryShape(1, (db, chatId: number) => db.selectFrom('chats').selectAll().where('id', '=', chatId));
const storedSend = queryShape(2, (db, senderId: number, randomId: string) =>
  db.selectFrom('messages').selectAll().where('sender_id', '=', senderId).where('random_id', '=', randomId),
);
const nextMessageId = queryShape(2, (db, chatId: number, date: number) =>
  db.updateTable('chats').set((eb) => ({ last_message_id: eb('last_message_id', '+', 1), last_message_date: date })).where('id', '=', chatId).returning('last_message_id'),
);
const insertMessage = queryShape(
  12,
  (db, chatId: number, id: number, senderId: number, randomId: string, senderPts: number, date: number, sealed: Uint8Array, replyToId: number | null, threadId: number | null, forward: string | null, views: number | null, signature: string | null) =>
    db.insertInto('messages').values({
      chat_id: chatId,
      id,
      sender_id: senderId,
      random_id: randomId,
      sender_pts: senderPts,
      date,
      text_sealed: sealed,
      reply_to_id: replyToId,
      thread_id: threadId,
      forward,
      views,
      signature,
    }),
);

/**
 * Checks a send must pass besides the chat's own rules (trust and safety: spam limits, known
 * illegal files in public chats); it throws to refuse.
 */
export interface SendPolicy {
  beforeSend(senderId: number, target: { chat: ChatRow; memberIds: readonly number[] }, media: Media | null): Promise<void>;
}

/**
 * Who else must hear of a message in the same transaction that stores it: the bots of its chat
 * (`bots/bot-inbox.ts`), whose queues must not miss an acknowledged message.
 */
export interface MessageObserver {
  onNewMessage(trx: Transaction<Database>, chat: ChatRow, message: Message): Promise<void>;
  onEditMessage(trx: Transaction<Database>, chat: ChatRow, message: Message): Promise<void>;
  forgetMessages(trx: Transaction<Database>, chatId: number, messageIds: readonly number[]): Promise<void>;
}

/** What only the Bot API adds to a send or an edit. */
export interface BotExtras {
  replyMarkup?: ReplyMarkup | null;
  /** Telegram lets a bot write only to users who started it: no private chat is made for a bot's first message. */
  noNewPrivateChat?: boolean;
}

/** Sending, forwarding, editing, deleting and reading messages in every kind of chat. */
export class MessageService {
  readonly #sends: GroupCommit<NewMessage, SendOutcome>;
  /** Per sender, the moment their latest send was handed to the group commit. */
  readonly #senderTurns = new Map<number, Promise<void>>();

  constructor(
    private readonly deps: { db: Kysely<Database>; directory: ChatDirectory; users: Users; keyring: ChatKeyring; bus: Bus; clock: Clock; files: FileService; policy: SendPolicy; observer?: MessageObserver },
  ) {
    this.#sends = new GroupCommit(deps.db, (trx, item) => this.#commitSend(trx, item));
  }

  /** Opens the chat `peer` names for `purpose`, checking the viewer may do that there. */
  async open(viewerId: number, peer: Peer, purpose: 'read' | 'member' | 'send', options: { createPrivate?: boolean } = {}): Promise<Target | null> {
    const access = await this.deps.directory.resolve(viewerId, peer, { createPrivate: options.createPrivate ?? false });
    if (access === null) return null;
    const [chat] = await chatById.run(this.deps.db, this.deps.db, access.chatId);
    if (chat === undefined) throw new Error(`Cannot open chat ${access.chatId}: no such chat`);
    const state: MemberState =
      access.type === 'private'
        ? { userId: viewerId, role: 'member', rights: null, mutedUntil: null, isBanned: false, lastSentAt: null }
        : await memberState(this.deps.db, access.chatId, viewerId, this.#now());
    if (purpose === 'read') assertCanRead(chat, state);
    else if (purpose === 'member') assertMember(chat, state, 'do this');
    else assertCanSend(chat, state, this.#now());
    return { access, chat, state };
  }

  /** One message `viewerId` may read, with the chat it is in. */
  async getMessage(viewerId: number, peer: Peer, messageId: number): Promise<{ target: Target; message: Message }> {
    const target = await this.#openOrThrow(viewerId, peer, 'read');
    return { target, message: await this.#visibleMessage(viewerId, target, messageId) };
  }

  async #openOrThrow(viewerId: number, peer: Peer, purpose: 'read' | 'member' | 'send'): Promise<Target> {
    const target = await this.open(viewerId, peer, purpose);
    if (target === null) throw new RpcError('MESSAGE_ID_INVALID', 'Cannot do this: you have no chat with that user yet');
    return target;
  }

  /** Stores a message and returns it once committed; a retried `randomId` returns the stored one. */
  async send(senderId: number, params: MethodParams<'messages.send'>, extras: BotExtras = {}): Promise<MethodResult<'messages.send'>> {
    checkRandomId(params.randomId);
    const text = params.media === undefined ? checkText(params.text) : checkCaption(params.text);
    const entities = messageEntities(text, params.entities);
    const outcome = await this.#submitInOrder(senderId, async () => {
      const target = await this.open(senderId, params.peer, 'send', { createPrivate: extras.noNewPrivateChat !== true });
      if (target === null) throw new RpcError('PEER_ID_INVALID', "Cannot send: bots can't initiate conversation with a user");
      const replyToId = params.replyToId === undefined ? null : (await this.#visibleMessage(senderId, target, params.replyToId)).id;
      const media = params.media === undefined ? null : await this.deps.files.media(senderId, params.media);
      await this.deps.policy.beforeSend(senderId, { chat: target.chat, memberIds: target.access.memberIds }, media);
      return { target, senderId, randomId: params.randomId, text, entities, replyToId, forward: null, media, replyMarkup: extras.replyMarkup ?? null, date: this.#now() };
    });
    publish(this.deps.bus, outcome.deliveries);
    return { message: outcome.message, updates: outcome.senderUpdates };
  }

  /** Forwards up to 100 messages, keeping where they first came from, unless the source forbids it. */
  async forward(userId: number, params: MethodParams<'messages.forward'>): Promise<MethodResult<'messages.forward'>> {
    if (params.randomIds.length !== params.messageIds.length) {
      throw new RpcError('PARAMS_INVALID', `Cannot forward: ${params.messageIds.length} messages but ${params.randomIds.length} randomIds`);
    }
    params.randomIds.forEach(checkRandomId);
    const source = await this.#openOrThrow(userId, params.fromPeer, 'read');
    if (source.chat.has_no_forwards) throw new RpcError('CHAT_FORWARDS_RESTRICTED', `Cannot forward from chat ${source.chat.id}: it forbids forwarding`);
    const originals: Message[] = [];
    for (const id of params.messageIds) originals.push(await this.#visibleMessage(userId, source, id));
    const origins = await this.#origins(source.chat, originals);
    const messages: Message[] = [];
    const updates: SequencedUpdate[] = [];
    for (const [index, original] of originals.entries()) {
      const outcome = await this.#submitInOrder(userId, async () => {
        const target = (await this.open(userId, params.toPeer, 'send', { createPrivate: true }))!;
        await this.deps.policy.beforeSend(userId, { chat: target.chat, memberIds: target.access.memberIds }, original.media);
        return {
          target,
          senderId: userId,
          randomId: params.randomIds[index]!,
          text: original.text,
          entities: original.entities,
          replyToId: null,
          forward: origins[index]!,
          // The same file, never a copy of its bytes.
          media: original.media,
          replyMarkup: null,
          date: this.#now(),
        };
      });
      publish(this.deps.bus, outcome.deliveries);
      messages.push(outcome.message);
      updates.push(...outcome.senderUpdates);
    }
    return { messages, updates };
  }

  async #origins(chat: ChatRow, originals: Message[]): Promise<ForwardOrigin[]> {
    const senders = new Map((await this.deps.users.byIds(originals.map((m) => m.senderId))).map((row) => [row.id, row.display_name]));
    return originals.map((original) =>
      original.forward ?? (chat.type === 'channel'
        ? { fromChatId: chat.id, fromMessageId: original.id, fromUserId: null, fromName: chat.title ?? '', date: original.date }
        : { fromChatId: null, fromMessageId: null, fromUserId: original.senderId, fromName: senders.get(original.senderId) ?? '', date: original.date }),
    );
  }

  /**
   * Hands a send to the group commit after every earlier send of the same sender has been handed
   * over, so that a sender's messages keep the order in which they arrived even when preparing
   * one takes longer (the first message to a new chat).
   */
  async #submitInOrder(senderId: number, prepare: () => Promise<NewMessage>): Promise<SendOutcome> {
    let committed!: Promise<SendOutcome>;
    const previous = this.#senderTurns.get(senderId) ?? Promise.resolve();
    const handedOver = previous.then(async () => {
      committed = this.#sends.submit(await prepare());
    });
    const turn = handedOver.catch(() => undefined);
    this.#senderTurns.set(senderId, turn);
    void turn.then(() => {
      if (this.#senderTurns.get(senderId) === turn) this.#senderTurns.delete(senderId);
    });
    await handedOver;
    return committed;
  }

  async #commitSend(trx: Transaction<Database>, item: NewMessage): Promise<SendOutcome> {
    const [stored] = await storedSend.run(trx, trx, item.senderId, item.randomId);
    if (stored !== undefined) return this.#retried(trx, stored);
    if (item.target.chat.type === 'group' && item.target.chat.slow_mode_seconds > 0) await this.#checkSlowMode(trx, item);
    const { message, deliveries } = await this.#insertMessage(trx, item);
    const outcome: SendOutcome = { message, deliveries, senderUpdates: forActor(deliveries, item.senderId) };
    if (item.target.chat.type === 'channel' && item.target.chat.linked_chat_id !== null) {
      outcome.deliveries.push(...(await this.#startDiscussion(trx, item, message)));
    }
    return outcome;
  }

  /** Inside the commit, so two quick sends cannot both slip through the same slow-mode interval. */
  async #checkSlowMode(trx: Transaction<Database>, item: NewMessage): Promise<void> {
    const state = await memberState(trx, item.target.chat.id, item.senderId, item.date);
    assertCanSend(item.target.chat, state, item.date);
    await trx.updateTable('chat_members').set({ last_sent_at: item.date }).where('chat_id', '=', item.target.chat.id).where('user_id', '=', item.senderId).execute();
  }

  async #insertMessage(trx: Transaction<Database>, item: NewMessage): Promise<{ message: Message; deliveries: Delivery[] }> {
    const { chat, access } = item.target;
    const [numbered] = await nextMessageId.run(trx, trx, chat.id, item.date);
    if (numbered === undefined) throw new Error(`Cannot number a message in chat ${chat.id}: no such chat`);
    const id = numbered.last_message_id;
    const signature = chat.type === 'channel' && chat.has_signatures ? await this.#displayName(trx, item.senderId) : null;
    const threadId = item.replyToId === null ? null : await this.#threadOf(trx, chat.id, item.replyToId);
    const message: Message = {
      chatId: chat.id,
      id,
      senderId: item.senderId,
      date: item.date,
      text: item.text,
      randomId: item.randomId,
      entities: item.entities,
      replyToId: item.replyToId,
      forward: item.forward,
      editDate: null,
      reactions: [],
      views: chat.type === 'channel' ? 0 : null,
      signature,
      media: item.media,
      ...(item.replyMarkup === null ? {} : { replyMarkup: item.replyMarkup }),
    };
    const deliveries = await appendForChat(trx, { type: chat.type, memberIds: access.memberIds }, { type: 'newMessage', chatId: chat.id, refId: id, date: item.date }, (pts) => ({ type: 'newMessage', pts, message }));
    const senderDelivery = deliveries.find((d) => d.chatId !== null || d.userId === item.senderId) ?? deliveries[0]!;
    const sealed = sealContent(this.deps.keyring, this.deps.keyring.chatKey(chat.id, access.wrappedKey), { chatId: chat.id, messageId: id }, { text: item.text, entities: item.entities, media: item.media, ...(item.replyMarkup === null ? {} : { replyMarkup: item.replyMarkup }) });
    await insertMessage.run(trx, trx, chat.id, id, item.senderId, item.randomId, senderDelivery.update.pts, item.date, sealed, item.replyToId, threadId, item.forward === null ? null : JSON.stringify(item.forward), message.views, signature);
    if (item.media !== null) await this.deps.files.attach(trx, item.media, { chatId: chat.id, messageId: id });
    await this.deps.observer?.onNewMessage(trx, chat, message);
    return { message, deliveries };
  }

  async #displayName(trx: Transaction<Database>, userId: number): Promise<string | null> {
    const row = await trx.selectFrom('users').select('display_name').where('id', '=', userId).executeTakeFirst();
    return row?.display_name ?? null;
  }

  async #threadOf(trx: Transaction<Database>, chatId: number, replyToId: number): Promise<number> {
    const parent = await trx.selectFrom('messages').select(['id', 'thread_id']).where('chat_id', '=', chatId).where('id', '=', replyToId).executeTakeFirst();
    return parent?.thread_id ?? replyToId;
  }

  /** A channel post with a discussion group gets a copy there; replies to that copy are its comments. */
  async #startDiscussion(trx: Transaction<Database>, item: NewMessage, post: Message): Promise<Delivery[]> {
    const groupId = item.target.chat.linked_chat_id!;
    const group = await trx.selectFrom('chats').selectAll().where('id', '=', groupId).executeTakeFirst();
    // A blocked discussion group gets no new posts, copies included.
    if (group === undefined || group.type !== 'group' || group.blocked_category !== null) return [];
    const access = (await this.deps.directory.byId(groupId, trx))!;
    const copy = await this.#insertMessage(trx, {
      ...item,
      randomId: `discussion-${post.chatId}-${post.id}`,
      target: { access, chat: group, state: item.target.state },
      forward: { fromChatId: post.chatId, fromMessageId: post.id, fromUserId: null, fromName: item.target.chat.title ?? '', date: post.date },
      replyToId: null,
      replyMarkup: null,
    });
    await trx.insertInto('discussion_threads').values({ channel_id: post.chatId, post_id: post.id, group_id: groupId, group_message_id: copy.message.id }).execute();
    return copy.deliveries;
  }

  async #retried(trx: Transaction<Database>, stored: MessageRow): Promise<SendOutcome> {
    const chat = await trx.selectFrom('chats').select(['wrapped_key', 'type']).where('id', '=', stored.chat_id).executeTakeFirstOrThrow();
    const message = openMessage(this.deps.keyring, stored, chat.wrapped_key);
    const update = { type: 'newMessage' as const, pts: stored.sender_pts, message };
    return { message, deliveries: [], senderUpdates: [{ chatId: chat.type === 'private' ? null : stored.chat_id, update }] };
  }

  /** Edits one's own message within 48 hours (channel admins who post may edit posts). */
  async edit(userId: number, params: MethodParams<'messages.edit'>, extras: BotExtras = {}): Promise<MethodResult<'messages.edit'>> {
    const target = await this.#openOrThrow(userId, params.peer, 'member');
    assertNotBlocked(target.chat, 'edit a message');
    const original = await this.#visibleMessage(userId, target, params.messageId);
    const mayEdit = original.senderId === userId || (target.chat.type === 'channel' && hasRight(target.state, 'postMessages'));
    if (!mayEdit) throw new RpcError('MESSAGE_AUTHOR_REQUIRED', `Cannot edit message ${original.id}: it is not yours`);
    const now = this.#now();
    if (now - original.date > EDIT_WINDOW_SECONDS) throw new RpcError('MESSAGE_EDIT_TIME_EXPIRED', `Cannot edit message ${original.id}: it is older than 48 hours`);
    const text = original.media === null ? checkText(params.text) : checkCaption(params.text);
    const entities = messageEntities(text, params.entities);
    const replyMarkup = extras.replyMarkup === undefined ? (original.replyMarkup ?? null) : extras.replyMarkup;
    if (text === original.text && JSON.stringify(entities) === JSON.stringify(original.entities) && JSON.stringify(replyMarkup) === JSON.stringify(original.replyMarkup ?? null)) {
      throw new RpcError('MESSAGE_NOT_MODIFIED', `Cannot edit message ${original.id}: the text is unchanged`);
    }
    const { replyMarkup: _previous, ...unmarked } = original;
    const message: Message = { ...unmarked, text, entities, editDate: now, ...(replyMarkup === null ? {} : { replyMarkup }) };
    const { chat, access } = target;
    const deliveries = await this.deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('messages')
        .set({ text_sealed: sealContent(this.deps.keyring, this.deps.keyring.chatKey(chat.id, access.wrappedKey), { chatId: chat.id, messageId: original.id }, { text, entities, media: original.media, ...(replyMarkup === null ? {} : { replyMarkup }) }), edit_date: now })
        .where('chat_id', '=', chat.id)
        .where('id', '=', original.id)
        .execute();
      await this.deps.observer?.onEditMessage(trx, chat, message);
      return appendForChat(trx, { type: chat.type, memberIds: access.memberIds }, { type: 'editMessage', chatId: chat.id, refId: original.id, date: now }, (pts) => ({ type: 'editMessage', pts, message }));
    });
    publish(this.deps.bus, deliveries);
    return { message, updates: forActor(deliveries, userId) };
  }

  /**
   * Deletes for everyone (the author, either side of a private chat, or admins with the right) or
   * for the user alone. Deleted-for-everyone text is wiped from the store, not just hidden.
   */
  async delete(userId: number, params: MethodParams<'messages.delete'>): Promise<MethodResult<'messages.delete'>> {
    const target = await this.#openOrThrow(userId, params.peer, 'member');
    const messages: Message[] = [];
    for (const id of new Set(params.messageIds)) messages.push(await this.#visibleMessage(userId, target, id));
    const ids = messages.map((m) => m.id);
    const { chat, access } = target;
    const now = this.#now();
    if (params.forEveryone) {
      const mayDeleteOthers = chat.type === 'private' || hasRight(target.state, 'deleteMessages');
      const foreign = messages.find((m) => m.senderId !== userId && !mayDeleteOthers);
      if (foreign !== undefined) throw new RpcError('MESSAGE_AUTHOR_REQUIRED', `Cannot delete message ${foreign.id} for everyone: it needs the deleteMessages right`);
    }
    const deliveries = await this.deps.db.transaction().execute(async (trx) => {
      if (!params.forEveryone) {
        await trx.insertInto('hidden_messages').values(ids.map((id) => ({ user_id: userId, chat_id: chat.id, message_id: id }))).onConflict((oc) => oc.doNothing()).execute();
        return appendForChat(trx, { type: 'private', memberIds: [userId] }, { type: 'deleteMessages', chatId: chat.id, refId: 0, payload: ids, date: now }, (pts) => ({ type: 'deleteMessages', pts, chatId: chat.id, messageIds: ids }));
      }
      return this.#wipe(trx, { type: chat.type, chatId: chat.id, memberIds: access.memberIds }, ids, now);
    });
    publish(this.deps.bus, deliveries);
    return { updates: forActor(deliveries, userId) };
  }

  /**
   * A moderator's removal: deletes messages for everyone exactly as their author could, so members
   * get the same `deleteMessages` update. Returns the ids that were there to delete.
   */
  async removeForEveryone(chatId: number, messageIds: number[]): Promise<number[]> {
    const access = await this.deps.directory.byId(chatId);
    if (access === null) return [];
    const now = this.#now();
    const { ids, deliveries } = await this.deps.db.transaction().execute(async (trx) => {
      const rows = await trx.selectFrom('messages').select('id').where('chat_id', '=', chatId).where('id', 'in', messageIds).where('is_deleted', '=', 0).execute();
      const ids = rows.map((row) => row.id);
      if (ids.length === 0) return { ids, deliveries: [] };
      return { ids, deliveries: await this.#wipe(trx, { type: access.type, chatId, memberIds: access.memberIds }, ids, now) };
    });
    publish(this.deps.bus, deliveries);
    return ids;
  }

  /** Deleted for everyone: the sealed text is wiped from the store, not just hidden, and every member is told. */
  async #wipe(trx: Transaction<Database>, chat: { type: ChatRow['type']; chatId: number; memberIds: number[] }, ids: number[], now: number): Promise<Delivery[]> {
    const chatId = chat.chatId;
    await trx.updateTable('messages').set({ is_deleted: 1, text_sealed: new Uint8Array(0), reactions: '[]' }).where('chat_id', '=', chatId).where('id', 'in', ids).execute();
    await trx.deleteFrom('message_reactions').where('chat_id', '=', chatId).where('message_id', 'in', ids).execute();
    await this.deps.observer?.forgetMessages(trx, chatId, ids);
    return appendForChat(trx, { type: chat.type, memberIds: chat.memberIds }, { type: 'deleteMessages', chatId, refId: 0, payload: ids, date: now }, (pts) => ({ type: 'deleteMessages', pts, chatId, messageIds: ids }));
  }

  /** One reaction per user per message (null takes it back); at most 11 distinct emoji a message. */
  async react(userId: number, params: MethodParams<'messages.react'>): Promise<MethodResult<'messages.react'>> {
    const target = await this.#openOrThrow(userId, params.peer, 'member');
    const message = await this.#visibleMessage(userId, target, params.messageId);
    if (params.emoji !== null && !isEmoji(params.emoji)) throw new RpcError('REACTION_INVALID', `Cannot react with "${params.emoji}": it is not an emoji`);
    const { chat, access } = target;
    const now = this.#now();
    const deliveries = await this.deps.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('message_reactions').where('chat_id', '=', chat.id).where('message_id', '=', message.id).where('user_id', '=', userId).execute();
      if (params.emoji !== null) {
        const distinct = await trx.selectFrom('message_reactions').select('emoji').distinct().where('chat_id', '=', chat.id).where('message_id', '=', message.id).execute();
        if (distinct.length >= 11 && !distinct.some((row) => row.emoji === params.emoji)) {
          throw new RpcError('REACTIONS_TOO_MANY', `Cannot add ${params.emoji}: message ${message.id} has 11 distinct reactions already`);
        }
        await trx.insertInto('message_reactions').values({ chat_id: chat.id, message_id: message.id, user_id: userId, emoji: params.emoji, date: now }).execute();
      }
      const counts = await trx
        .selectFrom('message_reactions')
        .select(['emoji', (eb) => eb.fn.countAll<number>().as('count'), (eb) => eb.fn.min('date').as('first')])
        .where('chat_id', '=', chat.id)
        .where('message_id', '=', message.id)
        .groupBy('emoji')
        .orderBy('count', 'desc')
        .orderBy('first', 'asc')
        .execute();
      const reactions = counts.map((row) => ({ emoji: row.emoji, count: Number(row.count) }));
      await trx.updateTable('messages').set({ reactions: JSON.stringify(reactions) }).where('chat_id', '=', chat.id).where('id', '=', message.id).execute();
      return appendForChat(trx, { type: chat.type, memberIds: access.memberIds }, { type: 'messageReactions', chatId: chat.id, refId: message.id, payload: reactions, date: now }, (pts) => ({ type: 'messageReactions', pts, chatId: chat.id, messageId: message.id, reactions }));
    });
    publish(this.deps.bus, deliveries);
    return { updates: forActor(deliveries, userId) };
  }

  /** Pins a message (or, with null, unpins): either side of a private chat, admins with the right elsewhere. */
  async pin(userId: number, params: MethodParams<'messages.pin'>): Promise<MethodResult<'messages.pin'>> {
    const target = await this.#openOrThrow(userId, params.peer, 'member');
    const { chat, access } = target;
    if (chat.type !== 'private' && !hasRight(target.state, 'pinMessages')) {
      throw new RpcError('CHAT_ADMIN_REQUIRED', `Cannot pin in chat ${chat.id}: it needs the pinMessages right`);
    }
    const messageId = params.messageId === null ? null : (await this.#visibleMessage(userId, target, params.messageId)).id;
    if (messageId === chat.pinned_message_id) throw new RpcError('CHAT_NOT_MODIFIED', 'Cannot pin: that is already the pinned message');
    const now = this.#now();
    const deliveries = await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('chats').set({ pinned_message_id: messageId }).where('id', '=', chat.id).execute();
      return appendForChat(trx, { type: chat.type, memberIds: access.memberIds }, { type: 'pinnedMessage', chatId: chat.id, refId: messageId ?? 0, date: now }, (pts) => ({ type: 'pinnedMessage', pts, chatId: chat.id, messageId }));
    });
    publish(this.deps.bus, deliveries);
    return { updates: forActor(deliveries, userId) };
  }

  /** Messages of a chat, newest first, with ids below `offsetId`; only a thread's replies with `threadId`. */
  async history(viewerId: number, params: MethodParams<'messages.getHistory'>): Promise<MethodResult<'messages.getHistory'>> {
    const target = await this.open(viewerId, params.peer, 'read');
    if (target === null) return { messages: [], users: await this.#usersFor(viewerId, [(params.peer as { userId: number }).userId]) };
    let query = this.#visibleRows(viewerId, target.chat.id).orderBy('id', 'desc').limit(params.limit ?? 50);
    if (params.offsetId !== undefined) query = query.where('id', '<', params.offsetId);
    if (params.threadId !== undefined) query = query.where('thread_id', '=', params.threadId);
    const rows = await query.execute();
    const messages = await withChosenReactions(this.deps.db, viewerId, rows.map((row) => openMessage(this.deps.keyring, row, target.access.wrappedKey)));
    return { messages, users: await this.#usersFor(viewerId, [...target.access.memberIds, ...messages.map((m) => m.senderId)]) };
  }

  /**
   * The viewer's chats of every kind: first the chats the viewer pinned, newest pin first, then the
   * others by most recent activity. A page continues after the chat its cursor names (`offsetDate`
   * and `offsetChatId` of the last chat of the page before): after a pinned chat come the pinned
   * ones after it and then the others from the newest; after an unpinned chat, older unpinned ones.
   */
  async chatList(viewerId: number, params: MethodParams<'messages.getChats'>): Promise<MethodResult<'messages.getChats'>> {
    const limit = params.limit ?? 100;
    const listed = () =>
      this.deps.db
        .selectFrom('chat_members as m')
        .innerJoin('chats as c', 'c.id', 'm.chat_id')
        .selectAll('c')
        .where('m.user_id', '=', viewerId)
        .where((eb) => eb.or([eb('c.type', '!=', 'private'), eb('c.last_message_id', '>', 0)]));
    const { offsetDate, offsetChatId } = params;
    const after =
      offsetDate === undefined || offsetChatId === undefined
        ? undefined
        : await this.deps.db.selectFrom('chat_members').select('pinned_at').where('chat_id', '=', offsetChatId).where('user_id', '=', viewerId).executeTakeFirst();
    const afterPin = after?.pinned_at ?? null;
    let pinned: ChatRow[] = [];
    if (offsetDate === undefined || afterPin !== null) {
      let pins = listed().where('m.pinned_at', 'is not', null).orderBy('m.pinned_at', 'desc').orderBy('c.id', 'desc').limit(limit);
      if (afterPin !== null) pins = pins.where((eb) => eb.or([eb('m.pinned_at', '<', afterPin), eb.and([eb('m.pinned_at', '=', afterPin), eb('c.id', '<', offsetChatId!)])]));
      pinned = await pins.execute();
    }
    let query = listed().where('m.pinned_at', 'is', null).orderBy('c.last_message_date', 'desc').orderBy('c.id', 'desc').limit(limit - pinned.length);
    if (offsetDate !== undefined && afterPin === null) {
      query = query.where((eb) =>
        eb.or([eb('c.last_message_date', '<', offsetDate), eb.and([eb('c.last_message_date', '=', offsetDate), eb('c.id', '<', offsetChatId ?? Number.MAX_SAFE_INTEGER)])]),
      );
    }
    const rows = [...pinned, ...(pinned.length < limit ? await query.execute() : [])];
    const memberships = rows.length === 0
      ? []
      : await this.deps.db.selectFrom('chat_members').selectAll().where('user_id', '=', viewerId).where('chat_id', 'in', rows.map((chat) => chat.id)).execute();
    const membershipOf = new Map(memberships.map((member) => [member.chat_id, member]));
    const chats: Chat[] = [];
    for (const chat of rows) {
      // A chat the viewer left (on another device, or another worker) since the listing above is no longer theirs to list.
      const member = membershipOf.get(chat.id);
      if (member !== undefined) chats.push(await renderChat(this.deps, viewerId, chat, member));
    }
    const mentioned = chats.flatMap((chat) => [...(chat.peerUserId === null ? [] : [chat.peerUserId]), ...(chat.topMessage === null ? [] : [chat.topMessage.senderId])]);
    return { chats, users: await this.#usersFor(viewerId, [viewerId, ...mentioned]) };
  }

  /**
   * Marks the chat read up to `maxId` for the viewer (on all their devices). In a private chat the
   * other side learns it at once; in a group the chat's "read up to" moves when someone first reads.
   */
  async readHistory(viewerId: number, peer: Peer, maxId: number): Promise<MethodResult<'messages.readHistory'>> {
    const target = await this.open(viewerId, peer, 'member');
    if (target === null) return { updates: [] };
    const { chat, access } = target;
    const date = this.#now();
    const deliveries = await this.deps.db.transaction().execute(async (trx) => {
      const fresh = await trx.selectFrom('chats').select(['last_message_id', 'read_outbox_max_id']).where('id', '=', chat.id).executeTakeFirstOrThrow();
      const upTo = Math.min(maxId, fresh.last_message_id);
      const member = await trx.selectFrom('chat_members').select('read_inbox_max_id').where('chat_id', '=', chat.id).where('user_id', '=', viewerId).executeTakeFirst();
      // The viewer may have left the chat since it was opened (on another device): nothing is theirs to mark read.
      if (member === undefined || upTo <= member.read_inbox_max_id) return [];
      await trx.updateTable('chat_members').set({ read_inbox_max_id: upTo }).where('chat_id', '=', chat.id).where('user_id', '=', viewerId).execute();
      const result = await appendForChat(trx, { type: 'private', memberIds: [viewerId] }, { type: 'readHistoryInbox', chatId: chat.id, refId: upTo, date }, (pts) => ({ type: 'readHistoryInbox', pts, chatId: chat.id, maxId: upTo }));
      if (chat.type === 'private') {
        for (const otherId of access.memberIds.filter((id) => id !== viewerId)) {
          await trx.updateTable('chat_members').set({ read_outbox_max_id: upTo }).where('chat_id', '=', chat.id).where('user_id', '=', otherId).execute();
          result.push(...(await appendForChat(trx, { type: 'private', memberIds: [otherId] }, { type: 'readHistoryOutbox', chatId: chat.id, refId: upTo, date }, (pts) => ({ type: 'readHistoryOutbox', pts, chatId: chat.id, maxId: upTo }))));
        }
      } else if (upTo > fresh.read_outbox_max_id) {
        await trx.updateTable('chats').set({ read_outbox_max_id: upTo }).where('id', '=', chat.id).execute();
        result.push(...(await appendForChat(trx, { type: chat.type, memberIds: [] }, { type: 'readHistoryOutbox', chatId: chat.id, refId: upTo, date }, (pts) => ({ type: 'readHistoryOutbox', pts, chatId: chat.id, maxId: upTo }))));
      }
      return result;
    });
    publish(this.deps.bus, deliveries);
    return { updates: forActor(deliveries, viewerId) };
  }

  /** Who read a message: names in chats of up to 100 members, a count in any. */
  async readParticipants(viewerId: number, params: MethodParams<'messages.getReadParticipants'>): Promise<MethodResult<'messages.getReadParticipants'>> {
    const target = await this.#openOrThrow(viewerId, params.peer, 'member');
    const message = await this.#visibleMessage(viewerId, target, params.messageId);
    const readers = this.deps.db
      .selectFrom('chat_members')
      .where('chat_id', '=', target.chat.id)
      .where('read_inbox_max_id', '>=', message.id)
      .where('user_id', '!=', message.senderId);
    const { count } = await readers.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    const userIds = target.chat.member_count <= 100 ? (await readers.select('user_id').execute()).map((row) => row.user_id) : null;
    return { userIds, count: Number(count) };
  }

  /**
   * Finds messages containing `query`. Text is sealed at rest, so the server opens the chat's
   * messages newest first and compares; one call looks at 50,000 at the most.
   */
  async search(viewerId: number, params: MethodParams<'messages.search'>): Promise<MethodResult<'messages.search'>> {
    const target = await this.#openOrThrow(viewerId, params.peer, 'read');
    const needle = params.query.trim().toLocaleLowerCase();
    if (needle.length === 0) throw new RpcError('SEARCH_QUERY_EMPTY', 'Cannot search: the query is empty');
    const limit = params.limit ?? 20;
    const found: Message[] = [];
    let before = params.offsetId ?? Number.MAX_SAFE_INTEGER;
    for (let scanned = 0; found.length < limit && scanned < 50_000; ) {
      const rows = await this.#visibleRows(viewerId, target.chat.id).where('id', '<', before).orderBy('id', 'desc').limit(500).execute();
      if (rows.length === 0) break;
      for (const row of rows) {
        const message = openMessage(this.deps.keyring, row, target.access.wrappedKey);
        if (message.text.toLocaleLowerCase().includes(needle) && found.length < limit) found.push(message);
      }
      scanned += rows.length;
      before = rows.at(-1)!.id;
    }
    return { messages: await withChosenReactions(this.deps.db, viewerId, found), users: await this.#usersFor(viewerId, found.map((m) => m.senderId)) };
  }

  /** Channel post views: each reader counted once, whichever device and however often they look. */
  async views(viewerId: number, params: MethodParams<'messages.getViews'>): Promise<MethodResult<'messages.getViews'>> {
    const target = await this.#openOrThrow(viewerId, params.peer, 'read');
    const chatId = target.chat.id;
    if (params.increment && target.chat.type === 'channel') {
      await this.deps.db.transaction().execute(async (trx) => {
        for (const messageId of new Set(params.messageIds)) {
          const added = await trx.insertInto('message_views').values({ chat_id: chatId, message_id: messageId, user_id: viewerId }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
          if (added.numInsertedOrUpdatedRows === 1n) {
            await trx.updateTable('messages').set((eb) => ({ views: eb(eb.fn.coalesce('views', eb.lit(0)), '+', 1) })).where('chat_id', '=', chatId).where('id', '=', messageId).execute();
          }
        }
      });
    }
    const rows = await this.deps.db.selectFrom('messages').select(['id', 'views']).where('chat_id', '=', chatId).where('id', 'in', params.messageIds).where('is_deleted', '=', 0).execute();
    return { views: rows.map((row) => ({ messageId: row.id, views: row.views ?? 0 })) };
  }

  /** Where a channel post's comments live: its copy in the discussion group. */
  async discussion(viewerId: number, params: MethodParams<'messages.getDiscussion'>): Promise<MethodResult<'messages.getDiscussion'>> {
    const target = await this.#openOrThrow(viewerId, params.peer, 'read');
    const thread = await this.deps.db.selectFrom('discussion_threads').selectAll().where('channel_id', '=', target.chat.id).where('post_id', '=', params.messageId).executeTakeFirst();
    if (thread === undefined) throw new RpcError('MESSAGE_ID_INVALID', `Cannot open comments: post ${params.messageId} has no discussion`);
    return { chatId: thread.group_id, messageId: thread.group_message_id };
  }

  /** Keeps the draft on the server so every device of the user shows it; an empty text clears it. */
  async saveDraft(userId: number, params: MethodParams<'messages.saveDraft'>): Promise<MethodResult<'messages.saveDraft'>> {
    const target = (await this.open(userId, params.peer, 'member', { createPrivate: true }))!;
    const draft = params.text.trim() === '' ? null : { text: params.text, replyToId: params.replyToId ?? null, date: this.#now() };
    return this.#memberSetting(userId, target.chat.id, { draft: draft === null ? null : JSON.stringify(draft) }, { type: 'draft', payload: draft }, (pts) => ({ type: 'draft', pts, chatId: target.chat.id, draft }));
  }

  /** Mutes a chat's notifications until a date (null unmutes), on every device of the user. */
  async setMute(userId: number, params: MethodParams<'account.setMute'>): Promise<MethodResult<'account.setMute'>> {
    const target = (await this.open(userId, params.peer, 'member', { createPrivate: true }))!;
    const mutedUntil = params.mutedUntil;
    return this.#memberSetting(userId, target.chat.id, { notify_muted_until: mutedUntil }, { type: 'chatMuted', payload: mutedUntil }, (pts) => ({ type: 'chatMuted', pts, chatId: target.chat.id, mutedUntil }));
  }

  /**
   * Pins a chat to the top of the user's own list (or unpins it), on every device: at most
   * MAX_PINNED_CHATS; pinning a pinned chat again moves it to the top.
   */
  async setChatPinned(userId: number, params: MethodParams<'messages.setChatPinned'>): Promise<MethodResult<'messages.setChatPinned'>> {
    const target = (await this.open(userId, { type: 'chat', chatId: params.chatId }, 'member'))!;
    const chatId = target.chat.id;
    const member = await this.deps.db.selectFrom('chat_members').select('pinned_at').where('chat_id', '=', chatId).where('user_id', '=', userId).executeTakeFirst();
    if (member === undefined) throw new RpcError('CHANNEL_PRIVATE', `Cannot pin chat ${chatId}: you are not in it`);
    if (!params.pinned && member.pinned_at === null) throw new RpcError('CHAT_NOT_MODIFIED', `Cannot unpin chat ${chatId}: it is not pinned`);
    if (params.pinned && member.pinned_at === null) {
      const { count } = await this.deps.db
        .selectFrom('chat_members')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('user_id', '=', userId)
        .where('pinned_at', 'is not', null)
        .executeTakeFirstOrThrow();
      if (Number(count) >= MAX_PINNED_CHATS) {
        throw new RpcError('PINNED_CHATS_TOO_MUCH', `Cannot pin chat ${chatId}: ${MAX_PINNED_CHATS} chats are pinned already; unpin one first`);
      }
    }
    const pinnedAt = params.pinned ? this.#now() : null;
    return this.#memberSetting(userId, chatId, { pinned_at: pinnedAt }, { type: 'chatPinned', payload: pinnedAt }, (pts) => ({ type: 'chatPinned', pts, chatId, pinnedAt }));
  }

  async #memberSetting(
    userId: number,
    chatId: number,
    values: { draft?: string | null; notify_muted_until?: number | null; pinned_at?: number | null },
    row: { type: 'draft' | 'chatMuted' | 'chatPinned'; payload: unknown },
    make: Parameters<typeof appendForChat>[3],
  ): Promise<{ updates: SequencedUpdate[] }> {
    const date = this.#now();
    const deliveries = await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('chat_members').set(values).where('chat_id', '=', chatId).where('user_id', '=', userId).execute();
      return appendForChat(trx, { type: 'private', memberIds: [userId] }, { type: row.type, chatId, refId: 0, payload: row.payload, date }, make);
    });
    publish(this.deps.bus, deliveries);
    return { updates: forActor(deliveries, userId) };
  }

  /** Stored messages of a chat that `viewerId` may see: not deleted, not hidden by them. */
  #visibleRows(viewerId: number, chatId: number) {
    return this.deps.db
      .selectFrom('messages')
      .selectAll()
      .where('chat_id', '=', chatId)
      .where('is_deleted', '=', 0)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('hidden_messages as h').select('h.message_id').whereRef('h.chat_id', '=', 'messages.chat_id').whereRef('h.message_id', '=', 'messages.id').where('h.user_id', '=', viewerId))),
      );
  }

  async #visibleMessage(viewerId: number, target: Target, messageId: number): Promise<Message> {
    const row = await this.#visibleRows(viewerId, target.chat.id).where('id', '=', messageId).executeTakeFirst();
    if (row === undefined) throw new RpcError('MESSAGE_ID_INVALID', `Cannot use message ${messageId}: no such message in chat ${target.chat.id}`);
    return openMessage(this.deps.keyring, row, target.access.wrappedKey);
  }

  async #usersFor(viewerId: number, ids: number[]) {
    return this.deps.users.render(viewerId, ids);
  }

  #now(): number {
    return unixSeconds(this.deps.clock);
  }
}

function checkRandomId(randomId: string): void {
  if (!isValidRandomId(randomId)) {
    throw new RpcError('RANDOM_ID_INVALID', 'Cannot send message: randomId must be 8 to 64 characters of A-Z, a-z, 0-9, _ and -');
  }
}

function checkCaption(text: string): string {
  if (text.length > MAX_CAPTION_LENGTH) {
    throw new RpcError('MEDIA_CAPTION_TOO_LONG', `Cannot send media: the caption is ${text.length} characters, limit is ${MAX_CAPTION_LENGTH}`);
  }
  return text;
}

function checkText(text: string): string {
  if (text.trim().length === 0) throw new RpcError('MESSAGE_EMPTY', 'Cannot send message: the text is empty');
  if (text.length > MAX_MESSAGE_LENGTH) {
    throw new RpcError('MESSAGE_TOO_LONG', `Cannot send message: text is ${text.length} characters, limit is ${MAX_MESSAGE_LENGTH}`);
  }
  return text;
}

const EMOJI = /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}{2})(?:\uFE0F|\u20E3|[\u{1F3FB}-\u{1F3FF}]|\u200D\p{Extended_Pictographic}\uFE0F?)*$/u;

/** One emoji (with its modifiers and joiners), as a reaction must be. */
export function isEmoji(value: string): boolean {
  return EMOJI.test(value);
}
