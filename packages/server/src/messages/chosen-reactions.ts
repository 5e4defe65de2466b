import type { Message } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/database.ts';

/**
 * The messages as one viewer sees them: each reaction count says whether it is the viewer's own
 * (`isChosen`). Only what is rendered for one viewer gets it; updates shared by a chat's members do not.
 */
export async function withChosenReactions(db: Kysely<Database>, viewerId: number, messages: Message[]): Promise<Message[]> {
  const reacted = messages.filter((message) => message.reactions.length > 0);
  if (reacted.length === 0) return messages;
  const mine = new Map<string, string>();
  const byChat = new Map<number, number[]>();
  for (const message of reacted) byChat.set(message.chatId, [...(byChat.get(message.chatId) ?? []), message.id]);
  for (const [chatId, ids] of byChat) {
    const rows = await db.selectFrom('message_reactions').select(['message_id', 'emoji']).where('chat_id', '=', chatId).where('user_id', '=', viewerId).where('message_id', 'in', ids).execute();
    for (const row of rows) mine.set(`${chatId}:${row.message_id}`, row.emoji);
  }
  return messages.map((message) => {
    if (message.reactions.length === 0) return message;
    const own = mine.get(`${message.chatId}:${message.id}`);
    return { ...message, reactions: message.reactions.map((reaction) => ({ ...reaction, isChosen: reaction.emoji === own })) };
  });
}
