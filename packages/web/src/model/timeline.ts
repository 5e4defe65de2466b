import type { Message } from '@samizdat/protocol';
import type { OutboxEntry } from '@samizdat/client';

/** A pending message as the conversation shows it: the outbox entry, and whether the server refused it. */
export interface PendingMessage {
  entry: OutboxEntry;
  isFailed: boolean;
}

/** One row of a conversation's scrolling list. */
export type TimelineItem =
  | { kind: 'day'; key: string; dayStart: number }
  | { kind: 'message'; key: string; message: Message; isOwn: boolean; isRead: boolean; isFirstOfGroup: boolean }
  | { kind: 'pending'; key: string; pending: PendingMessage };

/** Options of {@link buildTimeline}. */
export interface TimelineOptions {
  selfId: number;
  /** The highest id of the user's own messages that the other side has read. */
  readOutboxMaxId: number;
  /** Offset of the viewer's time zone, as `Date.prototype.getTimezoneOffset` gives it. @default the local one */
  timezoneOffsetMinutes?: number;
}

/**
 * The rows of a conversation: messages in id order with a day separator before the first message
 * of each calendar day (local time), then the messages still in the outbox. Consecutive messages
 * of one sender on one day form a group (one tail, one name).
 */
export function buildTimeline(messages: readonly Message[], pending: readonly PendingMessage[], options: TimelineOptions): TimelineItem[] {
  const items: TimelineItem[] = [];
  let lastDay: number | null = null;
  let lastSender: number | null = null;
  for (const message of messages) {
    const day = localDayStart(message.date * 1000, options.timezoneOffsetMinutes);
    if (day !== lastDay) {
      items.push({ kind: 'day', key: `day-${day}`, dayStart: day });
      lastDay = day;
      lastSender = null;
    }
    const isOwn = message.senderId === options.selfId;
    items.push({
      kind: 'message',
      key: `m-${message.id}`,
      message,
      isOwn,
      isRead: isOwn && message.id <= options.readOutboxMaxId,
      isFirstOfGroup: lastSender !== message.senderId,
    });
    lastSender = message.senderId;
  }
  for (const item of pending) {
    const day = localDayStart(item.entry.createdAt, options.timezoneOffsetMinutes);
    if (day !== lastDay) {
      items.push({ kind: 'day', key: `day-${day}`, dayStart: day });
      lastDay = day;
    }
    items.push({ kind: 'pending', key: `p-${item.entry.randomId}`, pending: item });
  }
  return items;
}

/** Midnight (local time) of the day `timeMs` falls on, in milliseconds since the epoch. */
export function localDayStart(timeMs: number, timezoneOffsetMinutes?: number): number {
  const offsetMs = (timezoneOffsetMinutes ?? new Date(timeMs).getTimezoneOffset()) * 60_000;
  const local = timeMs - offsetMs;
  return local - (((local % 86_400_000) + 86_400_000) % 86_400_000) + offsetMs;
}
