import type { Chat, Message, Session, User } from '@samizdat/protocol';

/**
 * Human-readable renderings. Everything that came from another user (names, message text) goes
 * through {@link sanitize} first: a message must not be able to drive the reader's terminal.
 */

// C0 and C1 control characters, except tab and newline which text legitimately contains.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Replaces terminal control characters (ESC and friends) with visible `\xNN` escapes. */
export function sanitize(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Sanitizes text and indents its continuation lines, so one message stays one visual block. */
export function formatText(text: string): string {
  return sanitize(text).replace(/\n/g, '\n    ');
}

/** `Alice (@alice)`, or `Alice` when the user has no username. */
export function formatUser(user: User): string {
  const name = sanitize(user.displayName) || `user ${user.id}`;
  return user.username === null ? name : `${name} (@${user.username})`;
}

/** A Unix time in the local zone as `YYYY-MM-DD HH:MM`. */
export function formatDate(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The name shown for a message's sender: `You` for the user themself, else the display name. */
export function senderName(senderId: number, users: ReadonlyMap<number, User>, selfId: number): string {
  if (senderId === selfId) return 'You';
  const user = users.get(senderId);
  return user === undefined ? `user ${senderId}` : sanitize(user.displayName) || `user ${senderId}`;
}

/** One line of `history`: `#12 2024-05-01 10:00 Alice: hi`. */
export function formatHistoryLine(message: Message, users: ReadonlyMap<number, User>, selfId: number): string {
  return `#${message.id} ${formatDate(message.date)} ${senderName(message.senderId, users, selfId)}: ${formatText(message.text)}`;
}

/** One line of `listen` for a new message: `[chat 3] Alice: hi`. */
export function formatIncomingLine(message: Message, users: ReadonlyMap<number, User>, selfId: number): string {
  return `[chat ${message.chatId}] ${senderName(message.senderId, users, selfId)}: ${formatText(message.text)}`;
}

/** One line of `chats`: `[chat 3] Alice (@alice) · 2 unread · You: hi`. */
export function formatChatLine(chat: Chat, users: ReadonlyMap<number, User>, selfId: number): string {
  const peer = users.get(chat.peerUserId);
  const title = chat.peerUserId === selfId ? 'Saved messages' : peer === undefined ? `user ${chat.peerUserId}` : formatUser(peer);
  const parts = [`[chat ${chat.id}] ${title}`];
  if (chat.unreadCount > 0) parts.push(`${chat.unreadCount} unread`);
  if (chat.topMessage !== null) {
    const text = sanitize(chat.topMessage.text).replace(/\s+/g, ' ');
    const preview = text.length > 60 ? `${text.slice(0, 59)}…` : text;
    parts.push(`${senderName(chat.topMessage.senderId, users, selfId)}: ${preview}`);
  }
  return parts.join(' · ');
}

/** One line of `sessions`: `* 4  laptop  signed in 2024-05-01 10:00, active 2024-05-02 09:00`. */
export function formatSessionLine(session: Session): string {
  const marker = session.isCurrent ? '*' : ' ';
  const device = sanitize(session.deviceName) || '(unnamed device)';
  return `${marker} ${session.id}  ${device}  signed in ${formatDate(session.createdAt)}, active ${formatDate(session.lastActiveAt)}`;
}
