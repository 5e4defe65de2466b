import type { Message } from '@samizdat/protocol';
import { useConversationActions } from './actions-context.ts';
import './message-actions.css';

/** The "⋯" button on a bubble (shown on hover and focus) that opens its menu, for keyboards and mice alike. */
export function MessageMenuButton({ message }: { message: Message }) {
  const context = useConversationActions();
  if (context === null) return null;
  return (
    <button
      type="button"
      className="message-menu-button"
      aria-label="Message actions"
      aria-haspopup="menu"
      title="Message actions"
      onClick={(event) => {
        event.stopPropagation();
        const box = event.currentTarget.getBoundingClientRect();
        context.openMenu(message, { x: box.left, y: box.bottom });
      }}
    >
      ⋯
    </button>
  );
}
