import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { QUICK_REACTIONS } from '../../../model/message-actions.ts';
import './message-actions.css';

/** One entry of a message menu below the reactions row. */
export interface MessageMenuItem {
  /** Stable React key, also what tells the entries apart. */
  key: string;
  label: ReactNode;
  onSelect: () => void;
  className?: string;
  title?: string;
}

const MARGIN_PX = 8;

/**
 * The frame shared by the cloud chats' menu ([WEB10]) and the secret chats' menu ([WEB48]), so
 * both look and behave alike: placed at a point and kept inside the window, an optional row of
 * quick reactions, then the items the caller passes. Arrow keys move between items; Esc, a click
 * outside and scrolling close it; choosing an item closes the menu before running it.
 */
export function MessageMenuShell(props: {
  point: { x: number; y: number };
  className?: string;
  /** Undefined hides the reactions row (the viewer may not react here). */
  onReact: ((emoji: string) => void) | undefined;
  ownReaction: string | undefined;
  items: readonly MessageMenuItem[];
  onClose: () => void;
}) {
  const { onClose, onReact } = props;
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
    <div ref={ref} className={props.className === undefined ? 'message-menu' : `message-menu ${props.className}`} role="menu" aria-label="Message actions" style={position} onKeyDown={moveFocus}>
      {onReact !== undefined && (
        <div className="message-menu-reactions">
          {QUICK_REACTIONS.map((emoji) => (
            <button key={emoji} type="button" role="menuitem" aria-label={`React ${emoji}`} aria-pressed={props.ownReaction === emoji} className={props.ownReaction === emoji ? 'own' : ''} onClick={act(() => onReact(emoji))}>
              {emoji}
            </button>
          ))}
        </div>
      )}
      {props.items.map((item) => (
        <button key={item.key} type="button" role="menuitem" className={item.className} title={item.title} onClick={act(item.onSelect)}>
          {item.label}
        </button>
      ))}
    </div>
  );
}
