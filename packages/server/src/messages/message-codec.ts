import type { ForwardOrigin, Media, Message, MessageEntity, ReactionCount, ReplyMarkup } from '@samizdat/protocol';
import type { Selectable } from 'kysely';
import type { ChatKeyring } from '../keys/chat-keyring.ts';
import type { MessagesTable } from '../storage/database.ts';

export type MessageRow = Selectable<MessagesTable>;

/** What is sealed per message: the text, its entities (a link's address is content too) and its media's description (a file's name is too). */
interface SealedContent {
  text: string;
  entities: MessageEntity[];
  media?: Media | null;
  /** Bots' messages: their buttons' labels and data are content too. */
  replyMarkup?: ReplyMarkup;
}

/** Seals a message's content under the chat's key, bound to its chat and id. */
export function sealContent(keyring: ChatKeyring, key: Uint8Array, where: { chatId: number; messageId: number }, content: SealedContent): Uint8Array {
  return keyring.sealText(key, where, JSON.stringify(content));
}

function openContent(keyring: ChatKeyring, row: MessageRow, wrappedKey: Uint8Array): SealedContent {
  if (row.is_deleted) return { text: '', entities: [], media: null };
  const key = keyring.chatKey(row.chat_id, wrappedKey);
  return JSON.parse(keyring.openText(key, { chatId: row.chat_id, messageId: row.id }, row.text_sealed)) as SealedContent;
}

/** Opens a stored message for a member of its chat; `wrappedKey` is the chat's. */
export function openMessage(keyring: ChatKeyring, row: MessageRow, wrappedKey: Uint8Array): Message {
  const content = openContent(keyring, row, wrappedKey);
  return {
    chatId: row.chat_id,
    id: row.id,
    senderId: row.sender_id,
    date: row.date,
    text: content.text,
    randomId: row.random_id,
    entities: content.entities,
    replyToId: row.reply_to_id,
    forward: row.forward === null ? null : (JSON.parse(row.forward) as ForwardOrigin),
    editDate: row.edit_date,
    reactions: JSON.parse(row.reactions) as ReactionCount[],
    views: row.views,
    signature: row.signature,
    media: content.media ?? null,
    ...(content.replyMarkup === undefined ? {} : { replyMarkup: content.replyMarkup }),
  };
}
