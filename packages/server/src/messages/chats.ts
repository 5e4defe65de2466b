import { RpcError, type Peer } from '@samizdat/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { ChatKeyring } from '../keys/chat-keyring.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { ChatsTable, Database } from '../storage/database.ts';

export type ChatRow = Selectable<ChatsTable>;

/** A chat the viewer belongs to, with the member ids that each change must reach. */
export interface ChatAccess {
  chat: ChatRow;
  memberIds: number[];
}

function membersOf(chat: ChatRow): number[] {
  return chat.user_low === chat.user_high ? [chat.user_low] : [chat.user_low, chat.user_high];
}

/** Finds chats for peers and creates private chats on first contact. */
export class Chats {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyring: ChatKeyring,
    private readonly clock: Clock,
  ) {}

  /**
   * The chat `viewerId` means by `peer`. With `createPrivate`, a first message to a user makes
   * their private chat; otherwise a user with no chat yet gives null.
   */
  async resolve(viewerId: number, peer: Peer, options: { createPrivate: boolean }): Promise<ChatAccess | null> {
    if (peer.type === 'chat') {
      const chat = await this.db.selectFrom('chats').selectAll().where('id', '=', peer.chatId).executeTakeFirst();
      if (chat === undefined || !membersOf(chat).includes(viewerId)) {
        throw new RpcError('PEER_ID_INVALID', `Cannot use chat ${peer.chatId}: it does not exist or you are not in it`);
      }
      return { chat, memberIds: membersOf(chat) };
    }
    const other = await this.db.selectFrom('users').select('id').where('id', '=', peer.userId).executeTakeFirst();
    if (other === undefined) throw new RpcError('PEER_ID_INVALID', `Cannot use user ${peer.userId}: no such user`);
    const chat = (await this.#findPrivate(viewerId, peer.userId)) ?? (options.createPrivate ? await this.#createPrivate(viewerId, peer.userId) : null);
    return chat === null ? null : { chat, memberIds: membersOf(chat) };
  }

  async #findPrivate(a: number, b: number): Promise<ChatRow | null> {
    const row = await this.db
      .selectFrom('chats')
      .selectAll()
      .where('user_low', '=', Math.min(a, b))
      .where('user_high', '=', Math.max(a, b))
      .executeTakeFirst();
    return row ?? null;
  }

  async #createPrivate(a: number, b: number): Promise<ChatRow> {
    const low = Math.min(a, b);
    const high = Math.max(a, b);
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('chats').selectAll().where('user_low', '=', low).where('user_high', '=', high).executeTakeFirst();
      if (existing !== undefined) return existing;
      const now = unixSeconds(this.clock);
      const chat = await trx
        .insertInto('chats')
        .values({ type: 'private', user_low: low, user_high: high, wrapped_key: this.keyring.newWrappedKey(), last_message_id: 0, last_message_date: now, created_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      const members = low === high ? [low] : [low, high];
      await trx
        .insertInto('chat_members')
        .values(members.map((userId) => ({ chat_id: chat.id, user_id: userId, read_inbox_max_id: 0, read_outbox_max_id: 0 })))
        .execute();
      return chat;
    });
  }
}
