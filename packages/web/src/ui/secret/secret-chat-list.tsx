import type { User } from '@samizdat/protocol';
import { userName } from '../../model/format.ts';
import type { SecretSnapshot } from './secret-chat-store.ts';
import { SecretChatListItem } from './secret-chat-list-item.tsx';
import './secret.css';

/**
 * The "Secret chats" section of the chat list ([WEB41]), most recent first, filtered by the list's
 * search (the peer's name or username, or the newest message). Shows nothing while there is none.
 */
export function SecretChatList({ snapshot, users, selfId, query, selectedPeerUserId, onSelect }: { snapshot: SecretSnapshot; users: ReadonlyMap<number, User>; selfId: number; query: string; selectedPeerUserId: number | null; onSelect: (peerUserId: number) => void }) {
  const needle = query.trim().toLowerCase().replace(/^@/, '');
  const chats = snapshot.chats.filter((chat) => {
    if (needle === '') return true;
    const user = users.get(chat.peerUserId);
    const last = chat.history.at(-1);
    return [userName(user), user?.username ?? '', last?.kind === 'message' ? last.text : ''].some((text) => text.toLowerCase().includes(needle));
  });
  if (chats.length === 0) return null;
  return (
    <section className="secret-chat-section" aria-label="Secret chats">
      <h3 className="secret-chat-section-title">Secret chats</h3>
      <ul className="chat-list secret-chat-list" aria-label="Secret chat list">
        {chats.map((chat) => (
          <SecretChatListItem key={chat.peerUserId} chat={chat} users={users} selfId={selfId} isSelected={chat.peerUserId === selectedPeerUserId} onSelect={onSelect} />
        ))}
      </ul>
    </section>
  );
}
