import type { Chat, User } from '@samizdat/protocol';
import { memo } from 'react';
import { chatTitle, formatListDate, messagePreview, userName } from '../../model/format.ts';
import { Avatar } from '../common/avatar.tsx';
import { PinIcon } from '../common/icons.tsx';
import { ChatTypingPreview } from '../conversation/actions/chat-typing-preview.tsx';
import { ReadTicks } from '../conversation/read-ticks.tsx';
import { DraftPreview } from './draft-preview.tsx';
import { UnreadBadge } from './unread-badge.tsx';

/** One row of the chat list: avatar, name, last message with its time and ticks, unread badge. */
export const ChatListItem = memo(function ChatListItem({ chat, users, selfId, isSelected, onSelect, onTogglePin }: { chat: Chat; users: ReadonlyMap<number, User>; selfId: number; isSelected: boolean; onSelect: (chatId: number) => void; onTogglePin?: (chatId: number, pinned: boolean) => void }) {
  const title = chatTitle(chat, users, selfId);
  const top = chat.topMessage;
  const isOwn = top !== null && top.senderId === selfId;
  // Channel posts speak for the channel: no author's name in the preview ([WEB32]).
  const sender = top === null || chat.type !== 'group' || isOwn ? null : userName(users.get(top.senderId)).split(' ')[0];
  const unread = chat.unreadCount > 0 ? `, ${chat.unreadCount} unread` : '';
  const isPinned = chat.pinnedAt != null;
  return (
    <li className="chat-list-entry" data-pinned={isPinned ? 'true' : undefined}>
      <button
        type="button"
        className="chat-list-item"
        aria-current={isSelected ? 'true' : undefined}
        aria-label={`${title}${unread}${isPinned ? ', pinned' : ''}`}
        data-chat-id={chat.id}
        onClick={() => onSelect(chat.id)}
      >
        <Avatar id={chat.peerUserId ?? chat.id} name={title} />
        <span className="chat-list-item-body">
          <span className="chat-list-item-row">
            <span className="chat-list-item-title">{title}</span>
            {isPinned && (
              <span className="chat-list-item-pinned" title="Pinned">
                <PinIcon size={14} />
              </span>
            )}
            {top !== null && (
              <span className="chat-list-item-meta">
                {isOwn && <ReadTicks state={top.id <= chat.readOutboxMaxId ? 'read' : 'sent'} />}
                <time dateTime={new Date(top.date * 1000).toISOString()}>{formatListDate(top.date)}</time>
              </span>
            )}
          </span>
          <span className="chat-list-item-row">
            <span className="chat-list-item-preview">
              <ChatTypingPreview chatId={chat.id} isPrivate={chat.type === 'private'} users={users}>
                {/* A draft (from any device of the user) shows instead of the last message, except in the chat open here ([WEB64]). */}
                {chat.draft !== null && !isSelected ? (
                  <DraftPreview draft={chat.draft} />
                ) : (
                  <>
                    {isOwn && <span className="preview-sender">You: </span>}
                    {sender !== null && <span className="preview-sender">{sender}: </span>}
                    {top === null ? '' : messagePreview(top)}
                  </>
                )}
              </ChatTypingPreview>
            </span>
            <UnreadBadge count={chat.unreadCount} />
          </span>
        </span>
      </button>
      {/* Pin or unpin the chat on every device of the user ([WEB60]); shown on hover and focus. */}
      {onTogglePin !== undefined && (
        <button
          type="button"
          className="chat-pin-button"
          aria-label={`${isPinned ? 'Unpin' : 'Pin'} ${title}`}
          aria-pressed={isPinned}
          onClick={() => onTogglePin(chat.id, !isPinned)}
        >
          <PinIcon size={16} />
        </button>
      )}
    </li>
  );
});
