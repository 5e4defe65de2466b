import { RpcError, type Media } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import { isPublic, type ChatRow } from '../chats/permissions.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import type { SpamLimits } from './spam-limits.ts';
import { targetKey } from './targets.ts';

/**
 * What trust and safety checks before a message is stored: a spam-limited sender writing to a
 * stranger, and a known-illegal file posted in public. Private chats, non-public groups and secret
 * chats (whose files the server cannot read anyway) are never scanned.
 */
export class SendChecks {
  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock; spamLimits: SpamLimits }) {}

  async beforeSend(senderId: number, target: { chat: ChatRow; memberIds: readonly number[] }, media: Media | null): Promise<void> {
    const { chat } = target;
    if (chat.type === 'private') {
      const recipientId = target.memberIds.find((id) => id !== senderId) ?? senderId;
      await this.deps.spamLimits.assertMayMessage(senderId, recipientId);
      return;
    }
    if (media !== null && isPublic(chat)) await this.#refuseKnownIllegal(senderId, chat, media);
  }

  async #refuseKnownIllegal(senderId: number, chat: ChatRow, media: Media): Promise<void> {
    const match = await this.deps.db
      .selectFrom('files as f')
      .innerJoin('blocked_file_hashes as b', 'b.sha256', 'f.sha256')
      .select('f.sha256')
      .where('f.id', '=', media.file.id)
      .executeTakeFirst();
    if (match === undefined) return;
    // The sender is reported, not the chat: one member's attempt says nothing of the others.
    const target = { type: 'user' as const, userId: senderId };
    await this.deps.db
      .insertInto('reports')
      .values({
        reporter_id: null,
        target_key: targetKey(target),
        target: JSON.stringify(target),
        account_id: senderId,
        reason: 'other',
        comment: `Known illegal file (sha256 ${match.sha256}) refused in public ${chat.type} ${chat.id} (@${chat.username})`,
        evidence: null,
        created_at: unixSeconds(this.deps.clock),
        resolved_by_action_id: null,
      })
      .execute();
    throw new RpcError('MEDIA_BLOCKED', `Cannot post file ${media.file.id} in public chat ${chat.id}: it matches a known illegal file; this was reported to moderators`);
  }
}
