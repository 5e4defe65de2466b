import type { Kysely } from 'kysely';
import type { Database } from '../storage/database.ts';

/**
 * The users `userId` has a private chat with, most recent chat first (at most `limit` when given):
 * those who hear of their presence and of their secret-chat devices.
 */
export async function privateChatPeers(db: Kysely<Database>, userId: number, options: { limit?: number } = {}): Promise<number[]> {
  let query = db
    .selectFrom('chat_members as mine')
    .innerJoin('chats as c', 'c.id', 'mine.chat_id')
    .innerJoin('chat_members as theirs', 'theirs.chat_id', 'c.id')
    .select('theirs.user_id')
    .where('mine.user_id', '=', userId)
    .where('c.type', '=', 'private')
    .where('theirs.user_id', '!=', userId)
    .orderBy('c.last_message_date', 'desc');
  if (options.limit !== undefined) query = query.limit(options.limit);
  return (await query.execute()).map((row) => row.user_id);
}
