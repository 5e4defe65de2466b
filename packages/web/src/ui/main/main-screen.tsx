import type { SamizdatClient } from '@samizdat/client';
import type { User } from '@samizdat/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useAppSnapshot } from '../../app/use-app-snapshot.ts';
import { NARROW_QUERY, useMediaQuery } from '../../app/use-media-query.ts';
import { ChatStore } from '../../model/chat-store.ts';
import { resolveTarget, type Target } from '../../model/target.ts';
import { ChatListPane } from '../chat-list/chat-list-pane.tsx';
import { NewChatDialog } from '../chat-list/new-chat-dialog.tsx';
import { ConversationPane } from '../conversation/conversation-pane.tsx';
import { EmptyConversation } from '../conversation/empty-conversation.tsx';
import { SettingsDialog } from '../settings/settings-dialog.tsx';

type OpenDialog = 'none' | 'newChat' | 'settings';

/**
 * The signed-in app: the chat list and the open conversation side by side on wide screens, one at
 * a time on narrow ones. Keys: Ctrl+K (or ⌘K) focuses the search, Esc closes the conversation on
 * a narrow screen.
 */
export function MainScreen({ client, self }: { client: SamizdatClient; self: User }) {
  const [store] = useState(() => new ChatStore(client, self, { onError: (error) => console.warn('chat store', error) }));
  useEffect(() => store.start(), [store]);
  const snapshot = useAppSnapshot(store);
  const [target, setTarget] = useState<Target | null>(null);
  const [dialog, setDialog] = useState<OpenDialog>('none');
  const searchRef = useRef<HTMLInputElement>(null);
  const isNarrow = useMediaQuery(NARROW_QUERY);

  useEffect(() => {
    void store.refreshChats().catch((error: unknown) => console.warn('chat list', error));
  }, [store]);

  const resolved = target === null ? null : resolveTarget(target, snapshot.chats);
  const openChatId = resolved?.chat?.id ?? null;
  useEffect(() => store.setOpenChat(openChatId), [store, openChatId]);

  const closeConversation = useCallback(() => setTarget(null), []);
  const selectChat = useCallback((chatId: number) => setTarget({ kind: 'chat', chatId }), []);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        if (isNarrow) setTarget(null);
        // The list may only now be on screen: focus once it has rendered.
        requestAnimationFrame(() => searchRef.current?.focus());
      } else if (event.key === 'Escape' && dialog === 'none' && isNarrow && target !== null) {
        event.preventDefault();
        setTarget(null);
      }
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [isNarrow, target, dialog]);

  const showList = !isNarrow || resolved === null;
  const showConversation = !isNarrow || resolved !== null;
  return (
    <div className="main-screen" data-layout={isNarrow ? 'narrow' : 'wide'}>
      {showList && (
        <ChatListPane
          snapshot={snapshot}
          selectedChatId={openChatId}
          searchRef={searchRef}
          onSelect={selectChat}
          onNewChat={() => setDialog('newChat')}
          onSettings={() => setDialog('settings')}
        />
      )}
      {showConversation &&
        (resolved === null ? (
          <EmptyConversation />
        ) : (
          <ConversationPane key={resolved.key} store={store} snapshot={snapshot} target={resolved} isNarrow={isNarrow} onClose={closeConversation} />
        ))}
      {dialog === 'newChat' && (
        <NewChatDialog
          client={client}
          onClose={() => setDialog('none')}
          onFound={(user) => {
            store.addUsers([user]);
            setTarget({ kind: 'user', userId: user.id });
            setDialog('none');
          }}
        />
      )}
      {dialog === 'settings' && <SettingsDialog client={client} self={snapshot.users.get(self.id) ?? self} onUserChanged={(user) => store.addUsers([user])} onClose={() => setDialog('none')} />}
    </div>
  );
}
