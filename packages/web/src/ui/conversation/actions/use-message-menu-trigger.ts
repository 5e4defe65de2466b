import type { Message } from '@samizdat/protocol';
import { useRef, type MouseEvent, type PointerEvent } from 'react';
import { useConversationActions } from './actions-context.ts';

/** How long a touch must rest on a bubble to open its menu. */
export const LONG_PRESS_MS = 500;
/** A touch that moves further than this is a scroll, not a long press. */
const LONG_PRESS_SLOP_PX = 10;

/** Handlers for a bubble: right-click, or a long press on a touch screen, opens the message's menu. */
export function useMessageMenuTrigger(message: Message): {
  onContextMenu?: (event: MouseEvent) => void;
  onPointerDown?: (event: PointerEvent) => void;
  onPointerMove?: (event: PointerEvent) => void;
  onPointerUp?: () => void;
  onPointerCancel?: () => void;
} {
  const context = useConversationActions();
  const press = useRef<{ timer: ReturnType<typeof setTimeout>; x: number; y: number } | null>(null);
  if (context === null) return {};
  const cancel = () => {
    if (press.current !== null) clearTimeout(press.current.timer);
    press.current = null;
  };
  return {
    onContextMenu: (event) => {
      event.preventDefault();
      cancel();
      context.openMenu(message, { x: event.clientX, y: event.clientY });
    },
    onPointerDown: (event) => {
      if (event.pointerType !== 'touch') return;
      const { clientX: x, clientY: y } = event;
      cancel();
      press.current = { x, y, timer: setTimeout(() => context.openMenu(message, { x, y }), LONG_PRESS_MS) };
    },
    onPointerMove: (event) => {
      const current = press.current;
      if (current !== null && Math.hypot(event.clientX - current.x, event.clientY - current.y) > LONG_PRESS_SLOP_PX) cancel();
    },
    onPointerUp: cancel,
    onPointerCancel: cancel,
  };
}
