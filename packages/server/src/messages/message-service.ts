import { isValidRandomId, MAX_MESSAGE_LENGTH, RpcError, type Chat, type Message, type MethodParams, type MethodResult, type Peer, type Update } from '@samizdat/protocol';
import type { Kysely, Transaction } from 'kysely';
import { renderUser, type Users } from '../accounts/users.ts';
import { userTopic, type Bus } from '../bus/bus.ts';
import type { ChatKeyring } from '../keys/chat-keyring.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { Database, UpdateRowType } from '../storage/database.ts';
import type { ChatAccess, Chats } from './chats.ts';
import { GroupCommit } from './group-commit.ts';
import { openMessage } from './message-codec.ts';

interface SendItem {
  access: ChatAccess;
  senderId: number;
  randomId: string;
  text: string;
  date: number;
}

interface SendOutcome {
  message: Message;
  /** Each member's new update; empty when the send was a retry of a stored message. */
  deliveries: { userId: number; update: Update }[];
  senderPts: number;
}

/** Appends the next update of `userId`'s sequence inside `trx` and returns its number. */
export async function appendUpdate(
  trx: Transaction<Database>,
  userId: number,
  row: { type: UpdateRowType; chatId: number; refId: number; date: number },
): Promise<number> {
  const { pts } = await trx
    .updateTable('users')
    .set((eb) => ({ pts: eb('pts', '+', 1) }))
    .where('id', '=', userId)
    .returning('pts')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('updates')
    .values({ user_id: userId, pts, type: row.type, chat_id: row.chatId, ref_id: row.refId, date: row.date })
    .execute();
  return pts;
}

/** Sending, reading and listing messages of cloud chats. */
export class MessageService {
  readonly #sends: GroupCommit<SendItem, SendOutcome>;
  /** Per sender, the moment their latest send was handed to the group commit. */
  readonly #senderTurns = new Map<number, Promise<void>>();

  constructor(
    private readonly deps: { db: Kysely<Database>; chats: Chats; users: Users; keyring: ChatKeyring; bus: Bus; clock: Clock },
  ) {
    this.#sends = new GroupCommit(deps.db, (trx, item) => this.#commitSend(trx, item));
  }

  /** Stores a message and returns it once committed; a retried `randomId` returns the stored one. */
  async send(senderId: number, params: MethodParams<'messages.send'>): Promise<MethodResult<'messages.send'>> {
    if (!isValidRandomId(params.randomId)) {
      throw new RpcError('RANDOM_ID_INVALID', 'Cannot send message: randomId must be 8 to 64 characters of A-Z, a-z, 0-9, _ and -');
    }
    if (params.text.trim().length === 0) throw new RpcError('MESSAGE_EMPTY', 'Cannot send message: the text is empty');
    if (params.text.length > MAX_MESSAGE_LENGTH) {
      throw new RpcError('MESSAGE_TOO_LONG', `Cannot send message: text is ${params.text.length} characters, limit is ${MAX_MESSAGE_LENGTH}`);
    }
    const outcome = await this.#submitInOrder(senderId, params);
    for (const delivery of outcome.deliveries) {
      this.deps.bus.publish(userTopic(delivery.userId), { kind: 'update', update: delivery.update });
    }
    return { message: outcome.message, pts: outcome.senderPts };
  }

  /**
   * Hands the send to the group commit after every earlier send of the same sender has been
   * handed over, so that a sender's messages keep the order in which they arrived even when
   * finding the chat takes longer for one of them (the first message to a new chat).
   */
  async #submitInOrder(senderId: number, params: MethodParams<'messages.send'>): Promise<SendOutcome> {
    let committed!: Promise<SendOutcome>;
    const previous = this.#senderTurns.get(senderId) ?? Promise.resolve();
    const handedOver = previous.then(async () => {
      const access = await this.deps.chats.resolve(senderId, params.peer, { createPrivate: true });
      if (access === null) throw new Error('A private chat was not created for a send');
      committed = this.#sends.submit({ access, senderId, randomId: params.randomId, text: params.text, date: unixSeconds(this.deps.clock) });
    });
    const turn = handedOver.catch(() => undefined);
    this.#senderTurns.set(senderId, turn);
    void turn.then(() => {
      if (this.#senderTurns.get(senderId) === turn) this.#senderTurns.delete(senderId);
    });
    await handedOver;
    return committed;
  }

  async #commitSend(trx: Transaction<Database>, item: SendItem): Promise<SendOutcome> {
    const stored = await trx
      .selectFrom('messages')
      .selectAll()
      .where('sender_id', '=', item.senderId)
      .where('random_id', '=', item.randomId)
      .executeTakeFirst();
    if (stored !== undefined) {
      const chat = await trx.selectFrom('chats').select('wrapped_key').where('id', '=', stored.chat_id).executeTakeFirstOrThrow();
      return { message: openMessage(this.deps.keyring, stored, chat.wrapped_key), deliveries: [], senderPts: stored.sender_pts };
    }
    const chatId = item.access.chatId;
    const { last_message_id: id } = await trx
      .updateTable('chats')
      .set((eb) => ({ last_message_id: eb('last_message_id', '+', 1), last_message_date: item.date }))
      .where('id', '=', chatId)
      .returning('last_message_id')
      .executeTakeFirstOrThrow();
    const message: Message = { chatId, id, senderId: item.senderId, date: item.date, text: item.text, randomId: item.randomId };
    const deliveries: SendOutcome['deliveries'] = [];
    for (const userId of item.access.memberIds) {
      const pts = await appendUpdate(trx, userId, { type: 'newMessage', chatId, refId: id, date: item.date });
      deliveries.push({ userId, update: { type: 'newMessage', pts, message } });
    }
    const senderPts = deliveries.find((delivery) => delivery.userId === item.senderId)!.update.pts;
    const key = this.deps.keyring.chatKey(chatId, item.access.wrappedKey);
    await trx
      .insertInto('messages')
      .values({
        chat_id: chatId,
        id,
        sender_id: item.senderId,
        random_id: item.randomId,
        sender_pts: senderPts,
        date: item.date,
        text_sealed: this.deps.keyring.sealText(key, { chatId, messageId: id }, item.text),
      })
      .execute();
    return { message, deliveries, senderPts };
  }

  /** Messages of a chat, newest first, with ids below `offsetId`. */
  async history(viewerId: number, params: MethodParams<'messages.getHistory'>): Promise<MethodResult<'messages.getHistory'>> {
    const access = await this.deps.chats.resolve(viewerId, params.peer, { createPrivate: false });
    if (access === null) return { messages: [], users: await this.#usersFor(viewerId, [(params.peer as { userId: number }).userId]) };
    let query = this.deps.db
      .selectFrom('messages')
      .selectAll()
      .where('chat_id', '=', access.chatId)
      .orderBy('id', 'desc')
      .limit(params.limit ?? 50);
    if (params.offsetId !== undefined) query = query.where('id', '<', params.offsetId);
    const rows = await query.execute();
    const messages = rows.map((row) => openMessage(this.deps.keyring, row, access.wrappedKey));
    return { messages, users: await this.#usersFor(viewerId, [...access.memberIds, ...messages.map((m) => m.senderId)]) };
  }

  /** The viewer's chats with their last message, most recent first. */
  async chatList(viewerId: number, params: MethodParams<'messages.getChats'>): Promise<MethodResult<'messages.getChats'>> {
    let query = this.deps.db
      .selectFrom('chat_members as m')
      .innerJoin('chats as c', 'c.id', 'm.chat_id')
      .select(['c.id', 'c.user_low', 'c.user_high', 'c.wrapped_key', 'c.last_message_id', 'c.last_message_date', 'm.read_inbox_max_id', 'm.read_outbox_max_id'])
      .where('m.user_id', '=', viewerId)
      .where('c.last_message_id', '>', 0)
      .orderBy('c.last_message_date', 'desc')
      .orderBy('c.id', 'desc')
      .limit(params.limit ?? 100);
    const { offsetDate, offsetChatId } = params;
    if (offsetDate !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb('c.last_message_date', '<', offsetDate),
          eb.and([eb('c.last_message_date', '=', offsetDate), eb('c.id', '<', offsetChatId ?? Number.MAX_SAFE_INTEGER)]),
        ]),
      );
    }
    const rows = await query.execute();
    const chats: Chat[] = [];
    for (const row of rows) {
      const top = await this.deps.db
        .selectFrom('messages')
        .selectAll()
        .where('chat_id', '=', row.id)
        .where('id', '=', row.last_message_id)
        .executeTakeFirst();
      const unread = await this.deps.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('chat_id', '=', row.id)
        .where('id', '>', row.read_inbox_max_id)
        .where('sender_id', '!=', viewerId)
        .executeTakeFirstOrThrow();
      chats.push({
        id: row.id,
        type: 'private',
        peerUserId: row.user_low === viewerId ? row.user_high : row.user_low,
        topMessage: top === undefined ? null : openMessage(this.deps.keyring, top, row.wrapped_key),
        unreadCount: Number(unread.count),
        readInboxMaxId: row.read_inbox_max_id,
        readOutboxMaxId: row.read_outbox_max_id,
      });
    }
    return { chats, users: await this.#usersFor(viewerId, chats.flatMap((chat) => [chat.peerUserId, viewerId])) };
  }

  /**
   * Marks the chat read up to `maxId` for the viewer (on all their devices) and tells the other
   * side, whose messages those were, that they were read.
   */
  async readHistory(viewerId: number, peer: Peer, maxId: number): Promise<MethodResult<'messages.readHistory'>> {
    const access = await this.deps.chats.resolve(viewerId, peer, { createPrivate: false });
    if (access === null) return { update: null };
    const chatId = access.chatId;
    const date = unixSeconds(this.deps.clock);
    const deliveries = await this.deps.db.transaction().execute(async (trx) => {
      const chat = await trx.selectFrom('chats').select('last_message_id').where('id', '=', chatId).executeTakeFirstOrThrow();
      const upTo = Math.min(maxId, chat.last_message_id);
      const member = await trx
        .selectFrom('chat_members')
        .select('read_inbox_max_id')
        .where('chat_id', '=', chatId)
        .where('user_id', '=', viewerId)
        .executeTakeFirstOrThrow();
      if (upTo <= member.read_inbox_max_id) return [];
      await trx.updateTable('chat_members').set({ read_inbox_max_id: upTo }).where('chat_id', '=', chatId).where('user_id', '=', viewerId).execute();
      const ownPts = await appendUpdate(trx, viewerId, { type: 'readHistoryInbox', chatId, refId: upTo, date });
      const result: { userId: number; update: Update }[] = [
        { userId: viewerId, update: { type: 'readHistoryInbox', pts: ownPts, chatId, maxId: upTo } },
      ];
      for (const otherId of access.memberIds.filter((id) => id !== viewerId)) {
        await trx.updateTable('chat_members').set({ read_outbox_max_id: upTo }).where('chat_id', '=', chatId).where('user_id', '=', otherId).execute();
        const pts = await appendUpdate(trx, otherId, { type: 'readHistoryOutbox', chatId, refId: upTo, date });
        result.push({ userId: otherId, update: { type: 'readHistoryOutbox', pts, chatId, maxId: upTo } });
      }
      return result;
    });
    for (const delivery of deliveries) this.deps.bus.publish(userTopic(delivery.userId), { kind: 'update', update: delivery.update });
    return { update: deliveries[0]?.update ?? null };
  }

  async #usersFor(viewerId: number, ids: number[]) {
    const rows = await this.deps.users.byIds(ids);
    return rows.map((row) => renderUser(row, viewerId));
  }
}
