import type { ReportTarget } from '@samizdat/protocol';

/**
 * The canonical string of a report's target, by which reports are grouped, deduplicated and closed:
 * `chat:<id>`, `message:<chatId>:<messageId>`, `user:<id>`.
 */
export function targetKey(target: ReportTarget): string {
  switch (target.type) {
    case 'chat':
      return `chat:${target.chatId}`;
    case 'message':
      return `message:${target.chatId}:${target.messageId}`;
    case 'user':
      return `user:${target.userId}`;
  }
}

/** The target as stored, with only the fields of its kind (a stored JSON is never trusted for more). */
export function canonicalTarget(target: ReportTarget): ReportTarget {
  switch (target.type) {
    case 'chat':
      return { type: 'chat', chatId: target.chatId };
    case 'message':
      return { type: 'message', chatId: target.chatId, messageId: target.messageId };
    case 'user':
      return { type: 'user', userId: target.userId };
  }
}

/** Prefix of the keys of every message of a chat: blocking a chat closes their reports too. */
export function chatMessagesKeyPrefix(chatId: number): string {
  return `message:${chatId}:`;
}
