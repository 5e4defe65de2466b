import type { Chat, User } from '@samizdat/protocol';
import { memo } from 'react';
import { chatTitle, formatListDate, messagePreview, userName } from '../../model/format.ts';
import { Avatar } from '../common/avatar.tsx';
import { ChatTypingPreview } from '../conversation/actions/chat-typing-preview.tsx';
import { ReadTicks } from '../conversation/read-ticks.tsx';

/** One row of the chat list: avatar, name, last message with its time and ticks, unread badge. */
export const ChatListItem = memo(function ChatListItem({ chat, users, selfId, isSelected, onSelect }: { chat: Chat; users: ReadonlyMap<number, User>; selfId: number; isSelected: boolean; onSelect: (chatId: number) => void }) {
  const title = chatTitle(chat, users, selfId);
  const top = chat.topMessage;
  const isOwn = top !== null && top.senderId === selfId;
  // Channel posts speak for the channel: no author's name in the preview ([WEB32]).
  const sender = top === null || chat.type !== 'group' || isOwn ? null : userName(users.get(top.senderId)).split(' ')[0];
  const unread = chat.unreadCount > 0 ? `, ${chat.unreadCount} unread` : '';
  return (
    <li>
      <button
        type="button"
        className="chat-list-item"
        aria-current={isSelected ? 'true' : undefined}
        aria-label={`${title}${unread}`}
        data-chat-id={chat.id}
        onClick={() => onSelect(chat.id)}
      >
        <Avatar id={chat.peerUserId ?? chat.id} name={title} />
        <span className="chat-list-item-body">
          <span className="chat-list-item-row">
            <span className="chat-list-item-title">{title}</span>
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
                {isOwn && <span className="preview-sender">You: </span>}
                {sender !== null && <span className="preview-sender">{sender}: </span>}
                {top === null ? '' : messagePreview(top)}
              </ChatTypingPreview>
            </span>
            {chat.unreadCount > 0 && (
              <span className="unread-badge" aria-hidden="true">
                {chat.unreadCount > 999 ? '999+' : chat.unreadCount}
              </span>
            )}
          </span>
        </span>
      </button>
    </li>
  );
});
