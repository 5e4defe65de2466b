import type { SecretMessage } from '@samizdat/client';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { QUICK_REACTIONS } from '../../model/message-actions.ts';
import '../conversation/actions/message-actions.css';

/** What the secret menu's items do; each closes the menu first. */
export interface SecretMenuHandlers {
  onReply: () => void;
  onEdit: () => void;
  onCopy: () => void;
  onDelete: () => void;
  onReact: (emoji: string) => void;
  onClose: () => void;
}

const MARGIN_PX = 8;

/**
 * The menu of a secret chat's message ([WEB48]), at a point of the window and kept inside it: the
 * reactions, Reply, Edit (own messages), Copy text and Delete (for both users, everywhere). It
 * never offers Forward: nothing leaves a secret chat for a cloud chat. Arrow keys move between
 * items; Esc, a click outside and scrolling close it. It looks like the cloud chats' menu ([WEB10]).
 */
export function SecretMessageMenu(props: { message: SecretMessage; point: { x: number; y: number }; isOwn: boolean; ownReaction: string | undefined } & SecretMenuHandlers) {
  const { onClose } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState({ left: props.point.x, top: props.point.y });

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
    <div ref={ref} className="message-menu secret-message-menu" role="menu" aria-label="Message actions" style={position} onKeyDown={moveFocus}>
      <div className="message-menu-reactions">
        {QUICK_REACTIONS.map((emoji) => (
          <button key={emoji} type="button" role="menuitem" aria-label={`React ${emoji}`} aria-pressed={props.ownReaction === emoji} className={props.ownReaction === emoji ? 'own' : ''} onClick={act(() => props.onReact(emoji))}>
            {emoji}
          </button>
        ))}
      </div>
      <button type="button" role="menuitem" onClick={act(props.onReply)}>
        Reply
      </button>
      {props.isOwn && (
        <button type="button" role="menuitem" onClick={act(props.onEdit)}>
          {props.message.file === undefined ? 'Edit' : 'Edit caption'}
        </button>
      )}
      {props.message.text !== '' && (
        <button type="button" role="menuitem" onClick={act(props.onCopy)}>
          Copy text
        </button>
      )}
      <button type="button" role="menuitem" className="danger" onClick={act(props.onDelete)}>
        Delete
      </button>
    </div>
  );
}
