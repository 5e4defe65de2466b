import { blockNotice, RpcError, type AdminRights, type BlockCategory } from '@samizdat/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { ChatsTable, Database, MemberRole } from '../storage/database.ts';

export type ChatRow = Selectable<ChatsTable>;
export type AdminRight = keyof AdminRights;

/** What the rules need to know of one user in one chat. */
export interface MemberState {
  userId: number;
  /** Null: not a member. */
  role: MemberRole | null;
  rights: AdminRights | null;
  mutedUntil: number | null;
  isBanned: boolean;
  lastSentAt: number | null;
}

export const ALL_RIGHTS: AdminRights = {
  changeInfo: true,
  deleteMessages: true,
  banUsers: true,
  inviteUsers: true,
  pinMessages: true,
  addAdmins: true,
  postMessages: true,
};

/** Reads the member state of `userId` in `chatId` (bans included). */
export async function memberState(db: Kysely<Database>, chatId: number, userId: number, nowSeconds: number): Promise<MemberState> {
  const member = await db
    .selectFrom('chat_members')
    .select(['role', 'rights', 'muted_until', 'last_sent_at'])
    .where('chat_id', '=', chatId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  const ban = member === undefined
    ? await db.selectFrom('chat_bans').select('until_date').where('chat_id', '=', chatId).where('user_id', '=', userId).executeTakeFirst()
    : undefined;
  return {
    userId,
    role: member?.role ?? null,
    rights: member?.rights ? (JSON.parse(member.rights) as AdminRights) : null,
    mutedUntil: member?.muted_until !== null && member?.muted_until !== undefined && member.muted_until > nowSeconds ? member.muted_until : null,
    isBanned: ban !== undefined && (ban.until_date === null || ban.until_date > nowSeconds),
    lastSentAt: member?.last_sent_at ?? null,
  };
}

/** Owners hold every right; admins the ones they were given; nobody else any. */
export function hasRight(state: MemberState, right: AdminRight): boolean {
  if (state.role === 'owner') return true;
  return state.role === 'admin' && state.rights !== null && state.rights[right];
}

export function isPublic(chat: ChatRow): boolean {
  return chat.username !== null;
}

/**
 * Fails with `CHAT_BLOCKED` when moderators blocked the chat: no new posts, no new members, no
 * links. Its members keep it (with the notice) and what was said in it.
 */
export function assertNotBlocked(chat: ChatRow, action: string): void {
  if (chat.blocked_category === null) return;
  const notice = blockNotice(chat.blocked_category as BlockCategory, chat.type);
  throw new RpcError('CHAT_BLOCKED', `Cannot ${action}: ${notice}`);
}

/** Members read; so does anyone not banned from a public chat (a preview, as on Telegram), unless it was blocked. */
export function assertCanRead(chat: ChatRow, state: MemberState): void {
  if (state.role !== null) return;
  // A blocked chat is gone for everyone outside it: no preview, no history, no files.
  if (chat.type !== 'private') assertNotBlocked(chat, `open chat ${chat.id}`);
  if (state.isBanned) throw new RpcError('USER_BANNED_IN_CHANNEL', `Cannot open chat ${chat.id}: you are banned from it`);
  if (chat.type === 'private' || !isPublic(chat)) throw new RpcError('CHANNEL_PRIVATE', `Cannot open chat ${chat.id}: it is private and you are not in it`);
}

export function assertMember(chat: ChatRow, state: MemberState, action: string): void {
  if (state.role !== null) return;
  if (state.isBanned) throw new RpcError('USER_BANNED_IN_CHANNEL', `Cannot ${action}: you are banned from chat ${chat.id}`);
  throw new RpcError('CHANNEL_PRIVATE', `Cannot ${action}: you are not in chat ${chat.id}`);
}

export function assertRight(chat: ChatRow, state: MemberState, right: AdminRight, action: string): void {
  assertMember(chat, state, action);
  if (!hasRight(state, right)) throw new RpcError('CHAT_ADMIN_REQUIRED', `Cannot ${action}: it needs the ${right} right in chat ${chat.id}`);
}

/**
 * Who may post: in a channel owners and admins with `postMessages`; in a group every member who is
 * not restricted, at most once per slow-mode interval unless an admin.
 */
export function assertCanSend(chat: ChatRow, state: MemberState, nowSeconds: number): void {
  assertMember(chat, state, 'send a message');
  assertNotBlocked(chat, 'send a message');
  if (chat.type === 'channel') {
    if (!hasRight(state, 'postMessages')) throw new RpcError('CHAT_ADMIN_REQUIRED', `Cannot post in channel ${chat.id}: only its admins post`);
    return;
  }
  if (state.mutedUntil !== null) {
    throw new RpcError('USER_RESTRICTED', `Cannot send message: you may not write in chat ${chat.id} until ${new Date(state.mutedUntil * 1000).toISOString()}`);
  }
  const isAdmin = state.role === 'owner' || state.role === 'admin';
  if (chat.type === 'group' && chat.slow_mode_seconds > 0 && !isAdmin && state.lastSentAt !== null) {
    const wait = state.lastSentAt + chat.slow_mode_seconds - nowSeconds;
    if (wait > 0) throw new RpcError('SLOWMODE_WAIT', `Cannot send message: slow mode allows one message every ${chat.slow_mode_seconds} s; retry in ${wait} s`, { retryAfterSeconds: wait });
  }
}
