import type { Chat } from '@samizdat/protocol';
import { useDeferredValue, useState, type ReactNode, type RefObject } from 'react';
import type { AppSnapshot } from '../../model/chat-store.ts';
import { chatTitle, messagePreview } from '../../model/format.ts';
import { ComposeIcon, MenuIcon } from '../common/icons.tsx';
import { IconButton } from '../common/icon-button.tsx';
import { ChatListItem } from './chat-list-item.tsx';
import { ConnectionStatus } from './connection-status.tsx';
import { SearchBox } from './search-box.tsx';

/** The left pane: menu, search, new chat, and the chats, pinned ones first, then most recent first. */
export function ChatListPane(props: {
  snapshot: AppSnapshot;
  selectedChatId: number | null;
  searchRef: RefObject<HTMLInputElement | null>;
  onSelect: (chatId: number) => void;
  onNewChat: () => void;
  onSettings: () => void;
  /** Pins a chat to the top of the list, or unpins it ([WEB60]). */
  onTogglePin?: (chatId: number, pinned: boolean) => void;
  /** More rows above the chats, filtered by the same search (the secret chats, [WEB41]). */
  renderSection?: (query: string) => ReactNode;
}) {
  const { snapshot } = props;
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const chats = filterChats(snapshot, deferredQuery);
  return (
    <nav className="chat-list-pane" aria-label="Chats">
      <header className="pane-header">
        <IconButton label="Settings" onClick={props.onSettings}>
          <MenuIcon />
        </IconButton>
        <SearchBox inputRef={props.searchRef} value={query} onChange={setQuery} />
        <IconButton label="New chat" onClick={props.onNewChat}>
          <ComposeIcon />
        </IconButton>
      </header>
      <ConnectionStatus state={snapshot.connection} isCached={snapshot.isChatListCached === true} />
      {props.renderSection?.(deferredQuery)}
      {!snapshot.isChatListLoaded ? (
        <p className="list-placeholder" role="status">
          Loading chats…
        </p>
      ) : chats.length === 0 ? (
        <p className="list-placeholder">{query === '' ? 'No chats yet. Start one with the pencil button.' : 'No chats match your search.'}</p>
      ) : (
        <ul className="chat-list" aria-label="Chat list">
          {chats.map((chat) => (
            <ChatListItem key={chat.id} chat={chat} users={snapshot.users} selfId={snapshot.self.id} isSelected={chat.id === props.selectedChatId} onSelect={props.onSelect} onTogglePin={props.onTogglePin} />
          ))}
        </ul>
      )}
    </nav>
  );
}

/** The chats whose name, username or last message contains the query (case-insensitive). */
export function filterChats(snapshot: AppSnapshot, query: string): readonly Chat[] {
  const needle = query.trim().toLowerCase().replace(/^@/, '');
  if (needle === '') return snapshot.chats;
  return snapshot.chats.filter((chat) => {
    const peer = chat.peerUserId === null ? undefined : snapshot.users.get(chat.peerUserId);
    const haystack = [chatTitle(chat, snapshot.users, snapshot.self.id), chat.username ?? '', peer?.username ?? '', chat.topMessage === null ? '' : messagePreview(chat.topMessage)];
    return haystack.some((text) => text.toLowerCase().includes(needle));
  });
}
