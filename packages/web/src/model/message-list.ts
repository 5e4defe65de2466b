import type { Message } from '@samizdat/protocol';

/**
 * Merges `incoming` into `current` (both ascending by id): a message already there is replaced by
 * the incoming copy (an edit, or the same message from a difference and a history page), so every
 * id shows once. Returns `current` itself when nothing changed, so React skips the render.
 */
export function mergeMessages(current: readonly Message[], incoming: readonly Message[]): readonly Message[] {
  if (incoming.length === 0) return current;
  const byId = new Map<number, Message>();
  for (const message of current) byId.set(message.id, message);
  let isChanged = false;
  for (const message of incoming) {
    const existing = byId.get(message.id);
    if (existing !== undefined && isSameVersion(existing, message)) continue;
    byId.set(message.id, message);
    isChanged = true;
  }
  if (!isChanged) return current;
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** Drops the messages with the given ids; returns `current` itself when none was there. */
export function removeMessages(current: readonly Message[], ids: readonly number[]): readonly Message[] {
  const gone = new Set(ids);
  const kept = current.filter((message) => !gone.has(message.id));
  return kept.length === current.length ? current : kept;
}

function isSameVersion(a: Message, b: Message): boolean {
  return a.editDate === b.editDate && a.text === b.text && a.reactions.length === b.reactions.length && a.views === b.views;
}
