import type { AppSnapshot } from '../../model/chat-store.ts';
import { chatTitle, userName } from '../../model/format.ts';
import type { ResolvedTarget } from '../../model/target.ts';
import { Avatar } from '../common/avatar.tsx';
import { BackIcon } from '../common/icons.tsx';
import { IconButton } from '../common/icon-button.tsx';
import { ChatInfoButton, ChatTitleArea } from '../chat-info/chat-info-opener.tsx';
import { PeerStatus } from './actions/peer-status.tsx';
import { SecretChatHeaderButton } from '../secret/secret-chat-header-button.tsx';

/** The conversation's title bar: back (narrow screens), avatar, name and a line about the chat. */
export function ConversationHeader({ target, snapshot, showBack, onBack }: { target: ResolvedTarget; snapshot: AppSnapshot; showBack: boolean; onBack: () => void }) {
  const peer = target.peerUserId === null ? undefined : snapshot.users.get(target.peerUserId);
  const title = target.chat !== null ? chatTitle(target.chat, snapshot.users, snapshot.self.id) : userName(peer);
  let subtitle = '';
  if (target.chat !== null && target.chat.type !== 'private') subtitle = `${target.chat.memberCount} ${target.chat.type === 'channel' ? 'subscriber' : 'member'}${target.chat.memberCount === 1 ? '' : 's'}`;
  else if (peer?.username != null) subtitle = `@${peer.username}`;
  return (
    <header className="pane-header conversation-header">
      {showBack && (
        <IconButton label="Back to chats" onClick={onBack}>
          <BackIcon />
        </IconButton>
      )}
      <Avatar id={target.peerUserId ?? target.chat?.id ?? 0} name={title} size={40} />
      <ChatTitleArea chatId={target.chat?.id ?? null}>
        <h2>{title}</h2>
        <PeerStatus chat={target.chat} peerUserId={target.peerUserId} users={snapshot.users} selfId={snapshot.self.id} fallback={subtitle} isBot={peer?.isBot === true && (target.chat === null || target.chat.type === 'private')} />
      </ChatTitleArea>
      <ChatInfoButton chatId={target.chat?.id ?? null} />
      <SecretChatHeaderButton peerUserId={target.peerUserId} selfId={snapshot.self.id} isPrivate={(target.chat === null || target.chat.type === 'private') && peer?.isBot !== true} />
    </header>
  );
}
