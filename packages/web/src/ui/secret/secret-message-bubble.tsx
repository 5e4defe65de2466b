import type { SecretMessage } from '@samizdat/client';
import { memo } from 'react';
import { formatTime } from '../../model/format.ts';
import { IconButton } from '../common/icon-button.tsx';
import { ReadTicks } from '../conversation/read-ticks.tsx';
import { formatRemaining, formatTimer } from './secret-format.ts';
import { ReplyIcon, TimerIcon } from './secret-icons.tsx';

/**
 * One message of a secret chat ([WEB42]): the quoted message it replies to, its text, time, ticks
 * (✓ saved and sent, ✓✓ read by the peer) and, under a timer, the time it has left once read.
 */
export const SecretMessageBubble = memo(function SecretMessageBubble({ message, isOwn, isFirst, quoted, quotedName, nowMs, onReply }: { message: SecretMessage; isOwn: boolean; isFirst: boolean; quoted: SecretMessage | null | undefined; quotedName: string; nowMs: number; onReply: (message: SecretMessage) => void }) {
  const sentAt = Math.floor(message.sentAt / 1000);
  const text = message.file === undefined ? message.text : `📎 ${message.file.name || 'File'}${message.text === '' ? '' : `\n${message.text}`}`;
  return (
    <div className={`message-row ${isOwn ? 'own' : 'other'} ${isFirst ? 'first' : ''} secret-message-row`}>
      <div className="bubble secret-bubble" data-secret-message-id={message.id} data-own={isOwn}>
        {message.replyToId !== undefined && (
          <p className="secret-reply-quote">
            <span className="secret-reply-name">{quoted == null ? 'Deleted message' : quotedName}</span>
            {quoted != null && <span className="secret-reply-text">{quoted.text || quoted.file?.name || ''}</span>}
          </p>
        )}
        <p className="bubble-text" dir="auto">
          {text}
        </p>
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
        <IconButton label="Reply" className="secret-reply-button" onClick={() => onReply(message)}>
          <ReplyIcon />
        </IconButton>
      </div>
    </div>
  );
});
