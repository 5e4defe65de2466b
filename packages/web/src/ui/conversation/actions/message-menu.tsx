import type { Message } from '@samizdat/protocol';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { QUICK_REACTIONS, type MessagePermissions } from '../../../model/message-actions.ts';
import './message-actions.css';

/** What the menu's items do; each closes the menu first. */
export interface MessageMenuHandlers {
  onReply: () => void;
  onEdit: () => void;
  onCopy: () => void;
  onForward: () => void;
  onPin: () => void;
  onDelete: () => void;
  onReact: (emoji: string) => void;
  onClose: () => void;
}

const MARGIN_PX = 8;

/**
 * A message's context menu at a point of the window: a row of reactions, then Reply, Edit, Copy,
 * Forward, Pin and Delete as the viewer's rights allow. Arrow keys move between items; Esc, a
 * click outside and scrolling close it.
 */
export function MessageMenu(props: { message: Message; point: { x: number; y: number }; permissions: MessagePermissions; isPinned: boolean; ownReaction: string | undefined } & MessageMenuHandlers) {
  const { permissions, onClose } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState({ left: props.point.x, top: props.point.y });

  // Keep the whole menu inside the window.
  useLayoutEffect(() => {
    const menu = ref.current;
    if (menu === null) return;
    const { width, height } = menu.getBoundingClientRect();
    setPosition({
      left: Math.max(MARGIN_PX, Math.min(props.point.x, window.innerWidth - width - MARGIN_PX)),
      top: Math.max(MARGIN_PX, Math.min(props.point.y, window.innerHeight - height - MARGIN_PX)),
    });
  }, [props.point.x, props.point.y]);

  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
    const onPointerDown = (event: PointerEvent) => {
      if (ref.current !== null && !ref.current.contains(event.target as Node)) onClose();
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        onClose();
      }
    };
    const onScroll = (event: Event) => {
      if (ref.current !== null && !ref.current.contains(event.target as Node)) onClose();
    };
    document.addEventListener('pointerdown', onPointerDown, true);
    window.addEventListener('keydown', onKeyDown, true);
    document.addEventListener('scroll', onScroll, true);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown, true);
      window.removeEventListener('keydown', onKeyDown, true);
      document.removeEventListener('scroll', onScroll, true);
    };
  }, [onClose]);

  function act(action: () => void): () => void {
    return () => {
      onClose();
      action();
    };
  }

  function moveFocus(event: React.KeyboardEvent): void {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const items = [...(ref.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLButtonElement);
    const next = items[(index + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length];
    next?.focus();
  }

  return (
    <div ref={ref} className="message-menu" role="menu" aria-label="Message actions" style={position} onKeyDown={moveFocus}>
      {permissions.canReact && (
        <div className="message-menu-reactions">
          {QUICK_REACTIONS.map((emoji) => (
            <button key={emoji} type="button" role="menuitem" aria-label={`React ${emoji}`} aria-pressed={props.ownReaction === emoji} className={props.ownReaction === emoji ? 'own' : ''} onClick={act(() => props.onReact(emoji))}>
              {emoji}
            </button>
          ))}
        </div>
      )}
      <button type="button" role="menuitem" onClick={act(props.onReply)}>
        Reply
      </button>
      {permissions.canEdit && (
        <button type="button" role="menuitem" onClick={act(props.onEdit)}>
          Edit
        </button>
      )}
      {props.message.text !== '' && (
        <button type="button" role="menuitem" onClick={act(props.onCopy)}>
          Copy text
        </button>
      )}
      {/* Not disabled: a click says why forwarding is refused ([WEB14]). */}
      <button type="button" role="menuitem" className={permissions.canForward ? '' : 'muted'} title={permissions.canForward ? undefined : 'Forwarding is turned off in this chat'} onClick={act(props.onForward)}>
        Forward
      </button>
      {permissions.canPin && (
        <button type="button" role="menuitem" onClick={act(props.onPin)}>
          {props.isPinned ? 'Unpin' : 'Pin'}
        </button>
      )}
      <button type="button" role="menuitem" className="danger" onClick={act(props.onDelete)}>
        Delete
      </button>
    </div>
  );
}
