import type { AppSnapshot } from '../../model/chat-store.ts';
import { chatTitle, userName } from '../../model/format.ts';
import type { ResolvedTarget } from '../../model/target.ts';
import { Avatar } from '../common/avatar.tsx';
import { BackIcon } from '../common/icons.tsx';
import { IconButton } from '../common/icon-button.tsx';

/** The conversation's title bar: back (narrow screens), avatar, name and a line about the chat. */
export function ConversationHeader({ target, snapshot, showBack, onBack }: { target: ResolvedTarget; snapshot: AppSnapshot; showBack: boolean; onBack: () => void }) {
  const peer = target.peerUserId === null ? undefined : snapshot.users.get(target.peerUserId);
  const title = target.chat !== null ? chatTitle(target.chat, snapshot.users, snapshot.self.id) : userName(peer);
  let subtitle = '';
  if (target.chat !== null && target.chat.type !== 'private') subtitle = `${target.chat.memberCount} ${target.chat.type === 'channel' ? 'subscribers' : 'members'}`;
  else if (peer?.username != null) subtitle = `@${peer.username}`;
  return (
    <header className="pane-header conversation-header">
      {showBack && (
        <IconButton label="Back to chats" onClick={onBack}>
          <BackIcon />
        </IconButton>
      )}
      <Avatar id={target.peerUserId ?? target.chat?.id ?? 0} name={title} size={40} />
      <div className="conversation-title">
        <h2>{title}</h2>
        {subtitle !== '' && <p>{subtitle}</p>}
      </div>
    </header>
  );
}
