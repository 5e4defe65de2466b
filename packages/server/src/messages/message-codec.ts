import type { Message } from '@samizdat/protocol';
import type { Selectable } from 'kysely';
import type { ChatKeyring } from '../keys/chat-keyring.ts';
import type { MessagesTable } from '../storage/database.ts';

export type MessageRow = Selectable<MessagesTable>;

/** Opens a stored message for a member of its chat; `wrappedKey` is the chat's. */
export function openMessage(keyring: ChatKeyring, row: MessageRow, wrappedKey: Uint8Array): Message {
  const key = keyring.chatKey(row.chat_id, wrappedKey);
  return {
    chatId: row.chat_id,
    id: row.id,
    senderId: row.sender_id,
    date: row.date,
    text: keyring.openText(key, { chatId: row.chat_id, messageId: row.id }, row.text_sealed),
    randomId: row.random_id,
  };
}
