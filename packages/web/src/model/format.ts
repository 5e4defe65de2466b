import type { Chat, Message, User } from '@samizdat/protocol';

/** The name a chat shows under: its title, the other user's name, or "Saved Messages". */
export function chatTitle(chat: Chat, users: ReadonlyMap<number, User>, selfId: number): string {
  if (chat.type !== 'private') return chat.title ?? 'Untitled';
  if (chat.peerUserId === selfId) return 'Saved Messages';
  return userName(chat.peerUserId === null ? undefined : users.get(chat.peerUserId));
}

/** A user's display name, or a stand-in for one not known (yet). */
export function userName(user: User | undefined): string {
  if (user === undefined) return 'Unknown user';
  return user.displayName.trim() || (user.username === null ? `User ${user.id}` : `@${user.username}`);
}

/** One or two letters for an avatar. */
export function initials(name: string): string {
  const words = name.replace(/^@/, '').trim().split(/\s+/).filter((word) => word.length > 0);
  const letters = words.slice(0, 2).map((word) => [...word][0]?.toUpperCase() ?? '');
  return letters.join('') || '?';
}

/** What a chat list row says of a message: its text, or what it carries. */
export function messagePreview(message: Message): string {
  const text = message.text.replace(/\s+/g, ' ').trim();
  if (message.media === null) return text;
  const kind = { photo: 'Photo', video: 'Video', voice: 'Voice message', document: message.media.file.name || 'File' }[message.media.kind];
  return text === '' ? kind : `${kind}, ${text}`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const shortDateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const longDateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'long' });
const yearDateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'long', year: 'numeric' });

/** A message's time of day (local), e.g. 14:05. */
export function formatTime(unixSeconds: number): string {
  return timeFormat.format(unixSeconds * 1000);
}

/** The chat list's date of a message: the time today, the weekday this week, else the date. */
export function formatListDate(unixSeconds: number, nowMs = Date.now()): string {
  const ageMs = nowMs - unixSeconds * 1000;
  const date = new Date(unixSeconds * 1000);
  if (new Date(nowMs).toDateString() === date.toDateString()) return formatTime(unixSeconds);
  if (ageMs < 6 * 86_400_000) return weekdayFormat.format(date);
  return shortDateFormat.format(date);
}

/** A day separator's label: Today, Yesterday, or the date (with the year when not this one). */
export function formatDay(dayStartMs: number, nowMs = Date.now()): string {
  const now = new Date(nowMs);
  const day = new Date(dayStartMs);
  if (now.toDateString() === day.toDateString()) return 'Today';
  const yesterday = new Date(nowMs);
  yesterday.setDate(yesterday.getDate() - 1);
  if (yesterday.toDateString() === day.toDateString()) return 'Yesterday';
  return (day.getFullYear() === now.getFullYear() ? longDateFormat : yearDateFormat).format(day);
}

/** A stable hue for an avatar, from an id. */
export function avatarHue(id: number): number {
  return (id * 137) % 360;
}
