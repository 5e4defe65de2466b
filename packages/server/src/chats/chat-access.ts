import { RpcError, type Peer } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import type { ChatKeyring } from '../keys/chat-keyring.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { ChatKind, Database } from '../storage/database.ts';

/** The parts of a chat that never change once it exists, so they can be cached. */
export interface ChatAccess {
  chatId: number;
  type: ChatKind;
  wrappedKey: Uint8Array;
  /** Private chats: both members (one for saved messages). Groups and channels: empty; ask the members table. */
  memberIds: number[];
}

/** How many chats' fixed parts stay in memory. */
const CACHE_LIMIT = 100_000;

type ChatFixedRow = { id: number; type: ChatKind; user_low: number | null; user_high: number | null; wrapped_key: Uint8Array };
const FIXED_COLUMNS = ['id', 'type', 'user_low', 'user_high', 'wrapped_key'] as const;

function toAccess(row: ChatFixedRow): ChatAccess {
  const memberIds =
    row.type !== 'private' || row.user_low === null || row.user_high === null
      ? []
      : row.user_low === row.user_high
        ? [row.user_low]
        : [row.user_low, row.user_high];
  return { chatId: row.id, type: row.type, wrappedKey: row.wrapped_key, memberIds };
}

/**
 * Finds the chat a peer means and creates private chats on first contact. For a private chat the
 * viewer must be one of its two members; groups and channels are checked by their own rules
 * (`chats/permissions.ts`) by the caller.
 */
export class ChatDirectory {
  readonly #byId = new Map<number, ChatAccess>();
  readonly #privateByPair = new Map<string, ChatAccess>();

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
      const access = await this.byId(peer.chatId);
      if (access === null || (access.type === 'private' && !access.memberIds.includes(viewerId))) {
        throw new RpcError('PEER_ID_INVALID', `Cannot use chat ${peer.chatId}: it does not exist or you are not in it`);
      }
      return access;
    }
    const pair = `${Math.min(viewerId, peer.userId)}:${Math.max(viewerId, peer.userId)}`;
    const cached = this.#privateByPair.get(pair);
    if (cached !== undefined) return cached;
    const other = await this.db.selectFrom('users').select('id').where('id', '=', peer.userId).executeTakeFirst();
    if (other === undefined) throw new RpcError('PEER_ID_INVALID', `Cannot use user ${peer.userId}: no such user`);
    const row = (await this.#findPrivate(viewerId, peer.userId)) ?? (options.createPrivate ? await this.#createPrivate(viewerId, peer.userId) : null);
    return row === null ? null : this.#remember(row);
  }

  /** The fixed parts of any chat by id, or null; inside a transaction, pass it (one connection serves both). */
  async byId(chatId: number, executor: Kysely<Database> = this.db): Promise<ChatAccess | null> {
    const cached = this.#byId.get(chatId);
    if (cached !== undefined) return cached;
    const row = await executor.selectFrom('chats').select(FIXED_COLUMNS).where('id', '=', chatId).executeTakeFirst();
    return row === undefined ? null : this.#remember(row);
  }

  #remember(row: ChatFixedRow): ChatAccess {
    if (this.#byId.size >= CACHE_LIMIT) {
      this.#byId.clear();
      this.#privateByPair.clear();
    }
    const access = toAccess(row);
    this.#byId.set(row.id, access);
    if (row.type === 'private') this.#privateByPair.set(`${row.user_low}:${row.user_high}`, access);
    return access;
  }

  async #findPrivate(a: number, b: number): Promise<ChatFixedRow | null> {
    const row = await this.db
      .selectFrom('chats')
      .select(FIXED_COLUMNS)
      .where('user_low', '=', Math.min(a, b))
      .where('user_high', '=', Math.max(a, b))
      .executeTakeFirst();
    return row ?? null;
  }

  async #createPrivate(a: number, b: number): Promise<ChatFixedRow> {
    const low = Math.min(a, b);
    const high = Math.max(a, b);
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('chats').select(FIXED_COLUMNS).where('user_low', '=', low).where('user_high', '=', high).executeTakeFirst();
      if (existing !== undefined) return existing;
      const now = unixSeconds(this.clock);
      const chat = await trx
        .insertInto('chats')
        .values({ type: 'private', user_low: low, user_high: high, wrapped_key: this.keyring.newWrappedKey(), last_message_id: 0, last_message_date: now, created_at: now, member_count: low === high ? 1 : 2 })
        .returning(FIXED_COLUMNS)
        .executeTakeFirstOrThrow();
      const members = low === high ? [low] : [low, high];
      await trx
        .insertInto('chat_members')
        .values(members.map((userId) => ({ chat_id: chat.id, user_id: userId, role: 'member' as const, joined_at: now })))
        .execute();
      return chat;
    });
  }
}
