import type { User } from '@samizdat/protocol';
import { memo } from 'react';
import { formatTime, messagePreview, userName } from '../../model/format.ts';
import type { TimelineItem } from '../../model/timeline.ts';
import { ReadTicks } from './read-ticks.tsx';

type MessageItem = Extract<TimelineItem, { kind: 'message' }>;

/** One stored message: own on the right, others on the left, with time, "edited" and read ticks. */
export const MessageBubble = memo(function MessageBubble({ item, sender, showSender }: { item: MessageItem; sender: User | undefined; showSender: boolean }) {
  const { message, isOwn } = item;
  const text = message.media === null ? message.text : messagePreview(message);
  return (
    <div className={`message-row ${isOwn ? 'own' : 'other'} ${item.isFirstOfGroup ? 'first' : ''}`}>
      <div className="bubble" data-message-id={message.id} data-own={isOwn}>
        {showSender && <p className="bubble-sender">{userName(sender)}</p>}
        {message.forward !== null && <p className="bubble-forward">Forwarded from {message.forward.fromName}</p>}
        <p className="bubble-text" dir="auto">
          {text}
        </p>
        <span className="bubble-meta">
          {message.editDate !== null && <span className="bubble-edited">edited</span>}
          <time dateTime={new Date(message.date * 1000).toISOString()}>{formatTime(message.date)}</time>
          {isOwn && <ReadTicks state={item.isRead ? 'read' : 'sent'} />}
        </span>
      </div>
    </div>
  );
});
