import type { User } from '@samizdat/protocol';
import { memo } from 'react';
import { formatListDate, userName } from '../../model/format.ts';
import { Avatar } from '../common/avatar.tsx';
import type { SecretChatSummary } from './secret-chat-store.ts';
import { secretPreview } from './secret-format.ts';
import { LockIcon } from './secret-icons.tsx';
import { UnreadBadge } from '../chat-list/unread-badge.tsx';

/** One secret chat in the list ([WEB41]): a lock before the name, the newest entry, unread badge. */
export const SecretChatListItem = memo(function SecretChatListItem({ chat, users, selfId, isSelected, onSelect }: { chat: SecretChatSummary; users: ReadonlyMap<number, User>; selfId: number; isSelected: boolean; onSelect: (peerUserId: number) => void }) {
  const title = userName(users.get(chat.peerUserId));
  const nameOf = (id: number) => userName(users.get(id));
  const last = chat.history.at(-1);
  const isOwn = last?.kind === 'message' && last.senderUserId === selfId;
  const unread = chat.unreadCount > 0 ? `, ${chat.unreadCount} unread` : '';
  return (
    <li>
      <button type="button" className="chat-list-item secret-chat-list-item" aria-current={isSelected ? 'true' : undefined} aria-label={`Secret chat with ${title}${unread}`} data-secret-peer={chat.peerUserId} onClick={() => onSelect(chat.peerUserId)}>
        <Avatar id={chat.peerUserId} name={title} />
        <span className="chat-list-item-body">
          <span className="chat-list-item-row">
            <span className="chat-list-item-title secret-title">
              <span role="img" aria-label="Secret chat" className="secret-lock">
                <LockIcon size={14} />
              </span>
              {title}
            </span>
            {chat.lastActivityMs > 0 && (
              <span className="chat-list-item-meta">
                <time dateTime={new Date(chat.lastActivityMs).toISOString()}>{formatListDate(Math.floor(chat.lastActivityMs / 1000))}</time>
              </span>
            )}
          </span>
          <span className="chat-list-item-row">
            <span className="chat-list-item-preview">
              {isOwn && <span className="preview-sender">You: </span>}
              {secretPreview(chat.history, selfId, nameOf)}
            </span>
            <UnreadBadge count={chat.unreadCount} />
          </span>
        </span>
      </button>
    </li>
  );
});
