import {
  assertNever,
  DIFFERENCE_TOO_LONG_THRESHOLD,
  MAX_DIFFERENCE_SLICE,
  RpcError,
  type ChatMember,
  type Draft,
  type MethodResult,
  type ReactionCount,
  type Update,
  type UpdatesState,
} from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import type { Users } from '../accounts/users.ts';
import { assertCanRead, memberState } from '../chats/permissions.ts';
import type { ChatKeyring } from '../keys/chat-keyring.ts';
import { openMessage, type MessageRow } from '../messages/message-codec.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { Database, UpdateRowType } from '../storage/database.ts';

type DifferenceResult = MethodResult<'updates.getDifference'>;

/** An update row of either sequence, with the message it names when it names one. */
interface StoredUpdate {
  pts: number;
  type: UpdateRowType;
  chat_id: number;
  ref_id: number;
  payload: string | null;
}

/** The update sequences: where they stand, and what a device missed. */
export class UpdateService {
  constructor(private readonly deps: { db: Kysely<Database>; users: Users; keyring: ChatKeyring; clock: Clock }) {}

  async state(userId: number): Promise<UpdatesState> {
    const row = await this.deps.db.selectFrom('users').select('pts').where('id', '=', userId).executeTakeFirstOrThrow();
    return { pts: row.pts, date: unixSeconds(this.deps.clock) };
  }

  /**
   * The updates of the user's own sequence after `fromPts`, oldest first, at most `limit`;
   * `tooLong` when the device is so far behind that refetching its chats is cheaper than replaying.
   */
  async difference(userId: number, fromPts: number, limit = MAX_DIFFERENCE_SLICE): Promise<DifferenceResult> {
    const state = await this.state(userId);
    const early = this.#earlyAnswer(state, fromPts);
    if (early !== null) return early;
    const rows = await this.deps.db
      .selectFrom('updates')
      .select(['pts', 'type', 'chat_id', 'ref_id', 'payload'])
      .where('user_id', '=', userId)
      .where('pts', '>', fromPts)
      .orderBy('pts', 'asc')
      .limit(Math.min(limit, MAX_DIFFERENCE_SLICE))
      .execute();
    return this.#answer(userId, rows, state);
  }

  /** The same for a group's or channel's own sequence, for a member (or reader of a public one). */
  async chatDifference(userId: number, chatId: number, fromPts: number, limit = MAX_DIFFERENCE_SLICE): Promise<DifferenceResult> {
    const chat = await this.deps.db.selectFrom('chats').selectAll().where('id', '=', chatId).executeTakeFirst();
    if (chat === undefined || chat.type === 'private') throw new RpcError('CHAT_ID_INVALID', `Cannot get the difference of chat ${chatId}: no such group or channel`);
    assertCanRead(chat, await memberState(this.deps.db, chatId, userId, unixSeconds(this.deps.clock)));
    const state = { pts: chat.pts, date: unixSeconds(this.deps.clock) };
    const early = this.#earlyAnswer(state, fromPts);
    if (early !== null) return early;
    const rows = await this.deps.db
      .selectFrom('chat_updates')
      .select(['pts', 'type', 'chat_id', 'ref_id', 'payload'])
      .where('chat_id', '=', chatId)
      .where('pts', '>', fromPts)
      .orderBy('pts', 'asc')
      .limit(Math.min(limit, MAX_DIFFERENCE_SLICE))
      .execute();
    return this.#answer(userId, rows, state);
  }

  #earlyAnswer(state: UpdatesState, fromPts: number): DifferenceResult | null {
    if (fromPts > state.pts) throw new RpcError('PTS_INVALID', `Cannot get difference: pts ${fromPts} is ahead of the server's ${state.pts}`);
    if (state.pts - fromPts > DIFFERENCE_TOO_LONG_THRESHOLD) return { type: 'tooLong', state };
    return null;
  }

  async #answer(viewerId: number, rows: StoredUpdate[], state: UpdatesState): Promise<DifferenceResult> {
    const messages = await this.#messagesFor(viewerId, rows);
    const updates = rows.map((row) => this.#render(row, messages));
    const senderIds = updates.flatMap((u) => (u.type === 'newMessage' || u.type === 'editMessage' ? [u.message.senderId] : []));
    const users = await this.deps.users.render(viewerId, senderIds);
    const lastPts = updates.at(-1)?.pts ?? state.pts;
    return { type: 'difference', updates, users, state: { ...state, pts: lastPts }, isFinal: lastPts === state.pts };
  }

  /** The messages the rows name, as the viewer sees them now (deleted or hidden ones left out). */
  async #messagesFor(viewerId: number, rows: StoredUpdate[]): Promise<Map<string, ReturnType<typeof openMessage>>> {
    const wanted = rows.filter((row) => row.type === 'newMessage' || row.type === 'editMessage');
    const found = new Map<string, ReturnType<typeof openMessage>>();
    const byChat = new Map<number, number[]>();
    for (const row of wanted) byChat.set(row.chat_id, [...(byChat.get(row.chat_id) ?? []), row.ref_id]);
    for (const [chatId, ids] of byChat) {
      const chat = await this.deps.db.selectFrom('chats').select('wrapped_key').where('id', '=', chatId).executeTakeFirstOrThrow();
      const hidden = new Set(
        (await this.deps.db.selectFrom('hidden_messages').select('message_id').where('user_id', '=', viewerId).where('chat_id', '=', chatId).where('message_id', 'in', ids).execute()).map((r) => r.message_id),
      );
      const stored: MessageRow[] = await this.deps.db.selectFrom('messages').selectAll().where('chat_id', '=', chatId).where('id', 'in', ids).where('is_deleted', '=', 0).execute();
      for (const row of stored) if (!hidden.has(row.id)) found.set(`${chatId}:${row.id}`, openMessage(this.deps.keyring, row, chat.wrapped_key));
    }
    return found;
  }

  #render(row: StoredUpdate, messages: Map<string, ReturnType<typeof openMessage>>): Update {
    const { pts, chat_id: chatId, ref_id: refId } = row;
    const payload = row.payload === null ? null : (JSON.parse(row.payload) as unknown);
    switch (row.type) {
      case 'newMessage':
      case 'editMessage': {
        const message = messages.get(`${chatId}:${refId}`);
        // A message deleted since keeps its place in the sequence as its deletion, so no number goes missing.
        if (message === undefined) return { type: 'deleteMessages', pts, chatId, messageIds: [refId] };
        return { type: row.type, pts, message };
      }
      case 'deleteMessages':
        return { type: 'deleteMessages', pts, chatId, messageIds: payload as number[] };
      case 'readHistoryInbox':
      case 'readHistoryOutbox':
        return { type: row.type, pts, chatId, maxId: refId };
      case 'messageReactions':
        return { type: 'messageReactions', pts, chatId, messageId: refId, reactions: payload as ReactionCount[] };
      case 'pinnedMessage':
        return { type: 'pinnedMessage', pts, chatId, messageId: refId === 0 ? null : refId };
      case 'chatUpdated':
      case 'chatLeft':
        return { type: row.type, pts, chatId };
      case 'chatJoined':
        return { type: 'chatJoined', pts, chatId, chatPts: refId };
      case 'chatMember':
        return { type: 'chatMember', pts, chatId, userId: refId, member: payload as ChatMember | null };
      case 'draft':
        return { type: 'draft', pts, chatId, draft: payload as Draft | null };
      case 'chatMuted':
        return { type: 'chatMuted', pts, chatId, mutedUntil: payload as number | null };
      case 'chatPinned':
        return { type: 'chatPinned', pts, chatId, pinnedAt: payload as number | null };
      case 'secretDevicesChanged':
        return { type: 'secretDevicesChanged', pts, userId: refId };
      default:
        return assertNever(row.type);
    }
  }
}
