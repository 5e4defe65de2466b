import type { User } from '@samizdat/protocol';
import { memo } from 'react';
import { formatTime, userName } from '../../model/format.ts';
import type { TimelineItem } from '../../model/timeline.ts';
import { MessageMenuButton } from './actions/message-menu-button.tsx';
import { ReactionChips } from './actions/reaction-chips.tsx';
import { ReplyQuote } from './actions/reply-quote.tsx';
import { useMessageMenuTrigger } from './actions/use-message-menu-trigger.ts';
import { MessageMedia } from './media/message-media.tsx';
import { ReadTicks } from './read-ticks.tsx';
import { PostComments } from '../groups/post-comments.tsx';
import { PostViews } from '../groups/post-views.tsx';
import { useBotChat } from '../bots/bot-chat-context.ts';
import { InlineKeyboard } from '../bots/inline-keyboard.tsx';
import { MessageText } from '../bots/message-text.tsx';

type MessageItem = Extract<TimelineItem, { kind: 'message' }>;

/** One stored message: own on the right, others on the left, with time, "edited" and read ticks. */
export const MessageBubble = memo(function MessageBubble({ item, sender, showSender }: { item: MessageItem; sender: User | undefined; showSender: boolean }) {
  const { message, isOwn } = item;
  // A media message's text is its caption, shown under the media ([WEB21]).
  const text = message.text;
  const menuTrigger = useMessageMenuTrigger(message);
  const bots = useBotChat();
  // Commands in a message send themselves in a bot's chat, or under a bot's own message ([WEB72]).
  const canSendCommands = bots !== null && (bots.bot !== null || sender?.isBot === true);
  const hasKeyboard = message.replyMarkup?.type === 'inlineKeyboard';
  const bubble = (
    <div className="bubble" data-message-id={message.id} data-own={isOwn} {...menuTrigger}>
      <MessageMenuButton message={message} />
      {showSender && <p className="bubble-sender">{userName(sender)}</p>}
      {message.forward !== null && <p className="bubble-forward">Forwarded from {message.forward.fromName}</p>}
      <ReplyQuote message={message} />
      {message.media !== null && <MessageMedia media={message.media} />}
      {(message.media === null || text !== '') && (
        <div className="bubble-text" dir="auto">
          <MessageText text={text} entities={message.entities} canSendCommands={canSendCommands} />
        </div>
      )}
      <span className="bubble-meta">
        <PostViews message={message} />
        {message.editDate !== null && <span className="bubble-edited">edited</span>}
        <time dateTime={new Date(message.date * 1000).toISOString()}>{formatTime(message.date)}</time>
        {isOwn && <ReadTicks state={item.isRead ? 'read' : 'sent'} />}
      </span>
      <ReactionChips message={message} />
      <PostComments message={message} />
    </div>
  );
  return (
    <div className={`message-row ${isOwn ? 'own' : 'other'} ${item.isFirstOfGroup ? 'first' : ''}`}>
      {hasKeyboard ? (
        <div className="bubble-stack">
          {bubble}
          <InlineKeyboard message={message} />
        </div>
      ) : (
        bubble
      )}
    </div>
  );
});
