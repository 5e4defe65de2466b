import type { SecretMessage } from '@samizdat/client';
import { memo, useRef } from 'react';
import { formatTime } from '../../model/format.ts';
import { IconButton } from '../common/icon-button.tsx';
import { MessageMenuTrigger } from '../conversation/actions/message-menu-trigger.tsx';
import { ReadTicks } from '../conversation/read-ticks.tsx';
import { SecretFileView, type LoadSecretFile } from './secret-file-view.tsx';
import { formatRemaining, formatTimer } from './secret-format.ts';
import { ReplyIcon, TimerIcon } from './secret-icons.tsx';
import { SecretReactionChips } from './secret-reaction-chips.tsx';
import '../conversation/actions/message-actions.css';

/** How long a touch must rest on a bubble to open its menu. */
const LONG_PRESS_MS = 500;

/** What a secret bubble may do. */
export interface SecretBubbleHandlers {
  onReply: (message: SecretMessage) => void;
  /** Opens the message's menu at a point of the window ([WEB48]). */
  onOpenMenu: (message: SecretMessage, point: { x: number; y: number }) => void;
  onReact: (message: SecretMessage, emoji: string | null) => void;
  loadFile: LoadSecretFile;
}

/**
 * One message of a secret chat ([WEB42]): the quoted message it replies to, its file ([WEB49]),
 * its text, time, ticks (✓ saved and sent, ✓✓ read by the peer), "edited", under a timer the
 * time it has left once read, and its reactions ([WEB48]). A right click, a long press or the "⋯"
 * button opens its menu.
 */
export const SecretMessageBubble = memo(function SecretMessageBubble({ message, isOwn, isFirst, quoted, quotedName, nowMs, selfId, nameOf, handlers }: { message: SecretMessage; isOwn: boolean; isFirst: boolean; quoted: SecretMessage | null | undefined; quotedName: string; nowMs: number; selfId: number; nameOf: (userId: number) => string; handlers: SecretBubbleHandlers }) {
  const sentAt = Math.floor(message.sentAt / 1000);
  const press = useRef<ReturnType<typeof setTimeout> | null>(null);
  const cancelPress = () => {
    if (press.current !== null) clearTimeout(press.current);
    press.current = null;
  };
  return (
    <div className={`message-row ${isOwn ? 'own' : 'other'} ${isFirst ? 'first' : ''} secret-message-row`}>
      <div
        className="bubble secret-bubble"
        data-secret-message-id={message.id}
        data-own={isOwn}
        onContextMenu={(event) => {
          event.preventDefault();
          cancelPress();
          handlers.onOpenMenu(message, { x: event.clientX, y: event.clientY });
        }}
        onPointerDown={(event) => {
          if (event.pointerType !== 'touch') return;
          const { clientX: x, clientY: y } = event;
          cancelPress();
          press.current = setTimeout(() => handlers.onOpenMenu(message, { x, y }), LONG_PRESS_MS);
        }}
        onPointerUp={cancelPress}
        onPointerCancel={cancelPress}
        onPointerLeave={cancelPress}
      >
        {message.replyToId !== undefined && (
          <p className="secret-reply-quote">
            <span className="secret-reply-name">{quoted == null ? 'Deleted message' : quotedName}</span>
            {quoted != null && <span className="secret-reply-text">{quoted.text || quoted.file?.name || ''}</span>}
          </p>
        )}
        {message.file !== undefined && <SecretFileView file={message.file} load={handlers.loadFile} />}
        {message.text !== '' && (
          <p className="bubble-text" dir="auto">
            {message.text}
          </p>
        )}
        <SecretReactionChips message={message} selfId={selfId} nameOf={nameOf} onReact={handlers.onReact} />
        <span className="bubble-meta">
          {message.ttlSeconds > 0 && (
            <span className="secret-countdown" title={message.expiresAt === null ? `Self-destructs ${formatTimer(message.ttlSeconds)} after it is read` : 'Self-destructs in'}>
              <TimerIcon size={12} />
              {message.expiresAt === null ? formatTimer(message.ttlSeconds) : formatRemaining(message.expiresAt - nowMs)}
            </span>
          )}
          {message.editedAt !== null && <span className="bubble-edited">edited</span>}
          <time dateTime={new Date(message.sentAt).toISOString()}>{formatTime(sentAt)}</time>
          {isOwn && <ReadTicks state={message.readAt === null ? 'sent' : 'read'} />}
        </span>
        <MessageMenuTrigger onOpen={(point) => handlers.onOpenMenu(message, point)} />
        <IconButton label="Reply" className="secret-reply-button" onClick={() => handlers.onReply(message)}>
          <ReplyIcon />
        </IconButton>
      </div>
    </div>
  );
});
