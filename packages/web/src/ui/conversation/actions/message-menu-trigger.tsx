import './message-actions.css';

/**
 * The "⋯" button on a bubble (shown on hover and focus) that opens its menu, for keyboards and
 * mice alike. Shared by cloud and secret bubbles, which open different menus: it only reports
 * where the menu should appear (under the button's left edge).
 */
export function MessageMenuTrigger({ onOpen }: { onOpen: (point: { x: number; y: number }) => void }) {
  return (
    <button
      type="button"
      className="message-menu-button"
      aria-label="Message actions"
      aria-haspopup="menu"
      title="Message actions"
      onClick={(event) => {
        // The bubble's own click must not see it.
        event.stopPropagation();
        const box = event.currentTarget.getBoundingClientRect();
        onOpen({ x: box.left, y: box.bottom });
      }}
    >
      ⋯
    </button>
  );
}
