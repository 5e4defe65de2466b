/**
 * The unread count at the end of a chat list row, cloud or secret. Hidden from screen readers:
 * the row's label already says how many are unread. Nothing shows when all is read.
 */
export function UnreadBadge({ count }: { count: number }) {
  if (count <= 0) return null;
  return (
    <span className="unread-badge" aria-hidden="true">
      {count > 999 ? '999+' : count}
    </span>
  );
}
