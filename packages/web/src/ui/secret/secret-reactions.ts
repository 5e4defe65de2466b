/**
 * Reactions of a secret message grouped for its chips ([WEB48]): each emoji with the users who
 * chose it, in first-seen order. The message keeps one emoji per user (user id → emoji), so,
 * unlike a cloud chat's counts, it says who reacted and which reaction is the viewer's.
 */
export function groupReactions(reactions: Readonly<Record<string, string>>): { emoji: string; userIds: number[] }[] {
  const groups = new Map<string, number[]>();
  for (const [userId, emoji] of Object.entries(reactions)) {
    const ids = groups.get(emoji) ?? [];
    ids.push(Number(userId));
    groups.set(emoji, ids);
  }
  return [...groups].map(([emoji, userIds]) => ({ emoji, userIds }));
}
