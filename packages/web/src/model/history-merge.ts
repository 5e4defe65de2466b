import type { Message } from '@samizdat/protocol';
import { mergeMessages } from './message-list.ts';

/**
 * Merges the server's newest page of a chat into a history that came from the offline cache. The
 * page is the truth for the ids it spans: a cached message in that span that the page lacks was
 * deleted meanwhile and goes. A full page that shares no id with the cache may leave a gap between
 * them that the cache cannot fill, so the cached messages go and the history restarts from the page (older
 * pages then load from the server as the user scrolls up).
 *
 * @param isFull the page holds as many messages as were asked for (older ones may exist)
 */
export function mergeNewestPage(cached: readonly Message[], page: readonly Message[], isFull: boolean): readonly Message[] {
  if (page.length === 0) return isFull ? cached : [];
  const sorted = [...page].sort((a, b) => a.id - b.id);
  const oldest = sorted[0]!.id;
  const newest = sorted.at(-1)!.id;
  // Messages newer than the page arrived live while it was on its way: they stay.
  const later = cached.filter((message) => message.id > newest);
  const earlier = cached.filter((message) => message.id < oldest);
  const overlaps = cached.some((message) => message.id >= oldest && message.id <= newest);
  if (isFull && !overlaps) {
    // No cached message inside the page's span: whether the cache reaches the page is unknown.
    return mergeMessages(later, sorted);
  }
  // Not full: the page is the whole history, so nothing older than it survives either.
  return mergeMessages(isFull ? [...earlier, ...later] : later, sorted);
}

/** The newest `limit` messages of an ascending list. */
export function newestMessages(messages: readonly Message[], limit: number): readonly Message[] {
  return messages.length > limit ? messages.slice(messages.length - limit) : messages;
}
