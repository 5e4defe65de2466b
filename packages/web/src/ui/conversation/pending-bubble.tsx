import { formatTime } from '../../model/format.ts';
import type { PendingMessage } from '../../model/timeline.ts';
import { PendingMediaLabel } from './media/pending-media-label.tsx';
import { ReadTicks } from './read-ticks.tsx';

/** A message still in the outbox (clock), or refused by the server (with a button to dismiss it). */
export function PendingBubble({ pending, onDiscard }: { pending: PendingMessage; onDiscard: (randomId: string) => void }) {
  const { entry, isFailed } = pending;
  return (
    <div className="message-row own first">
      <div className={`bubble pending ${isFailed ? 'failed' : ''}`} data-pending-id={entry.randomId}>
        {entry.media !== undefined && <PendingMediaLabel media={entry.media} />}
        <p className="bubble-text" dir="auto">
          {entry.text}
        </p>
        <span className="bubble-meta">
          {isFailed && (
            <button type="button" className="link-button" onClick={() => onDiscard(entry.randomId)}>
              Dismiss
            </button>
          )}
          <time dateTime={new Date(entry.createdAt).toISOString()}>{formatTime(Math.floor(entry.createdAt / 1000))}</time>
          <ReadTicks state={isFailed ? 'failed' : 'pending'} />
        </span>
      </div>
    </div>
  );
}
