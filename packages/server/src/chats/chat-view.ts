import { blockNotice, type AdminRights, type BlockCategory, type Chat, type Draft } from '@samizdat/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { ChatKeyring } from '../keys/chat-keyring.ts';
import { withChosenReactions } from '../messages/chosen-reactions.ts';
import { openMessage } from '../messages/message-codec.ts';
import type { ChatMembersTable, Database } from '../storage/database.ts';
import { ALL_RIGHTS, type ChatRow } from './permissions.ts';

export type MemberRow = Selectable<ChatMembersTable>;

/**
 * A chat as `viewerId` sees it in their list: the last message they can see, their unread count,
 * role, draft and mute. `member` is null for a public chat seen from outside.
 */
export async function renderChat(
  deps: { db: Kysely<Database>; keyring: ChatKeyring },
  viewerId: number,
  chat: ChatRow,
  member: MemberRow | null,
): Promise<Chat> {
  const top = await deps.db
    .selectFrom('messages')
    .selectAll()
    .where('chat_id', '=', chat.id)
    .where('is_deleted', '=', 0)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('hidden_messages as h').select('h.message_id').whereRef('h.chat_id', '=', 'messages.chat_id').whereRef('h.message_id', '=', 'messages.id').where('h.user_id', '=', viewerId))),
    )
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const readInboxMaxId = member?.read_inbox_max_id ?? 0;
  const unread = member === null
    ? { count: 0 }
    : await deps.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('chat_id', '=', chat.id)
        .where('id', '>', readInboxMaxId)
        .where('sender_id', '!=', viewerId)
        .where('is_deleted', '=', 0)
        .executeTakeFirstOrThrow();
  const peerUserId = chat.type === 'private' ? (chat.user_low === viewerId ? chat.user_high : chat.user_low) : null;
  return {
    id: chat.id,
    type: chat.type,
    peerUserId,
    title: chat.title,
    about: chat.about,
    username: chat.username,
    memberCount: chat.member_count,
    pts: chat.type === 'private' ? 0 : chat.pts,
    topMessage: top === undefined ? null : (await withChosenReactions(deps.db, viewerId, [openMessage(deps.keyring, top, chat.wrapped_key)]))[0]!,
    unreadCount: Number(unread.count),
    readInboxMaxId,
    readOutboxMaxId: chat.type === 'private' ? (member?.read_outbox_max_id ?? 0) : chat.read_outbox_max_id,
    myRole: member?.role ?? null,
    myRights: member?.role === 'owner' ? ALL_RIGHTS : member?.role === 'admin' && member.rights ? (JSON.parse(member.rights) as AdminRights) : null,
    myMutedUntil: member?.muted_until ?? null,
    pinnedMessageId: chat.pinned_message_id,
    slowModeSeconds: chat.slow_mode_seconds,
    hasSignatures: chat.has_signatures === 1,
    hasNoForwards: chat.has_no_forwards === 1,
    linkedChatId: chat.linked_chat_id,
    lastActivityDate: chat.last_message_date,
    mutedUntil: member?.notify_muted_until ?? null,
    draft: member?.draft ? (JSON.parse(member.draft) as Draft) : null,
    pinnedAt: member?.pinned_at ?? null,
    blocked: chat.blocked_category === null ? null : { category: chat.blocked_category as BlockCategory, notice: blockNotice(chat.blocked_category as BlockCategory, chat.type) },
  };
}
