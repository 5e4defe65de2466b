import type { ChatType, User } from '@samizdat/protocol';
import { useCallback, useState } from 'react';
import type { TimelineItem } from '../../model/timeline.ts';
import { ArrowDownIcon } from '../common/icons.tsx';
import { IconButton } from '../common/icon-button.tsx';
import { VirtualList } from '../common/virtual-list.tsx';
import { DaySeparator } from './day-separator.tsx';
import { MessageBubble } from './message-bubble.tsx';
import { PendingBubble } from './pending-bubble.tsx';
import { estimateMediaHeight } from './media/media-height.ts';

/** The conversation's history as a virtualised list, with a button back to the newest message. */
export function MessageTimeline(props: {
  items: readonly TimelineItem[];
  users: ReadonlyMap<number, User>;
  chatType: ChatType;
  isLoaded: boolean;
  isLoadingOlder: boolean;
  onNearTop: () => void;
  onDiscard: (randomId: string) => void;
  scrollToBottomSignal: number;
}) {
  const { users, chatType, onDiscard } = props;
  const [isAtBottom, setAtBottom] = useState(true);
  const [jumpSignal, setJumpSignal] = useState(0);
  const renderItem = useCallback(
    (item: TimelineItem) => {
      switch (item.kind) {
        case 'day':
          return <DaySeparator dayStart={item.dayStart} />;
        case 'message':
          return <MessageBubble item={item} sender={users.get(item.message.senderId)} showSender={chatType === 'group' && !item.isOwn && item.isFirstOfGroup} />;
        case 'pending':
          return <PendingBubble pending={item.pending} onDiscard={onDiscard} />;
      }
    },
    [users, chatType, onDiscard],
  );
  if (!props.isLoaded) {
    return (
      <div className="timeline-empty" role="status">
        <p>Loading messages…</p>
      </div>
    );
  }
  return (
    <div className="timeline">
      {props.isLoadingOlder && (
        <p className="timeline-loading" role="status">
          Loading older messages…
        </p>
      )}
      <VirtualList
        items={props.items}
        renderItem={renderItem}
        estimateHeight={estimateHeight}
        onNearTop={props.onNearTop}
        onAtBottomChange={setAtBottom}
        role="log"
        aria-label="Messages"
        className="timeline-list"
        scrollToBottomSignal={props.scrollToBottomSignal + jumpSignal}
      />
      {!isAtBottom && (
        <IconButton label="Scroll to the newest message" className="jump-button" onClick={() => setJumpSignal((count) => count + 1)}>
          <ArrowDownIcon />
        </IconButton>
      )}
    </div>
  );
}

function estimateHeight(item: TimelineItem): number {
  if (item.kind === 'day') return 40;
  const text = item.kind === 'message' ? item.message.text : item.pending.entry.text;
  // About 40 characters a line in a bubble; a guess until measured.
  const markup = item.kind === 'message' ? item.message.replyMarkup : undefined;
  // A bot's buttons under the bubble ([WEB68]): about 40 px a row.
  const keyboardHeight = markup?.type === 'inlineKeyboard' ? 4 + 40 * markup.rows.length : 0;
  return 38 + 20 * Math.ceil(Math.max(1, text.length) / 40) + (item.kind === 'message' ? estimateMediaHeight(item.message.media) : 0) + keyboardHeight;
}
