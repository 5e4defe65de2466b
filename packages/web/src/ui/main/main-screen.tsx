import type { SamizdatClient } from '@samizdat/client';
import type { User } from '@samizdat/protocol';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useAppSnapshot } from '../../app/use-app-snapshot.ts';
import { NARROW_QUERY, useMediaQuery } from '../../app/use-media-query.ts';
import { ChatStore } from '../../model/chat-store.ts';
import type { OfflineCache } from '../../model/offline-cache.ts';
import { useOfflineCache } from '../../app/use-offline-cache.ts';
import { useChatNavigationKeys } from '../../app/use-chat-navigation-keys.ts';
import { DraftSyncContext, useDraftSync } from '../../app/use-draft-sync.ts';
import { MessageActions } from '../../model/message-actions.ts';
import { MessageActionsContext } from '../conversation/actions/actions-context.ts';
import { resolveTarget, type Target } from '../../model/target.ts';
import { ChatListPane } from '../chat-list/chat-list-pane.tsx';
import { NewChatDialog } from '../chat-list/new-chat-dialog.tsx';
import { ConversationPane } from '../conversation/conversation-pane.tsx';
import { EmptyConversation } from '../conversation/empty-conversation.tsx';
import { MediaProvider } from '../conversation/media/media-context.tsx';
import { SettingsDialog } from '../settings/settings-dialog.tsx';
import { GroupsContext, type GroupsActions } from '../groups/groups-context.ts';
import { GroupsDialogs, type GroupsDialog } from '../groups/groups-dialogs.tsx';
import { SecretChatList } from '../secret/secret-chat-list.tsx';
import { SecretChatsContext } from '../secret/secret-chats-context.ts';
import { SecretConversationPane } from '../secret/secret-conversation-pane.tsx';
import { useSecretChats } from '../secret/use-secret-chats.ts';
import { errorText } from '../common/error-text.ts';

type OpenDialog = 'none' | 'newChat' | 'settings';

/**
 * The signed-in app: the chat list and the open conversation side by side on wide screens, one at
 * a time on narrow ones. Keys: Ctrl+K (or ⌘K) focuses the search, Esc closes the conversation on
 * a narrow screen.
 */
export function MainScreen({ client, self, cache }: { client: SamizdatClient; self: User; cache?: OfflineCache }) {
  const [store] = useState(() => new ChatStore(client, self, { onError: (error) => console.warn('chat store', error), ...(cache === undefined ? {} : { cache }) }));
  useEffect(() => store.start(), [store]);
  useOfflineCache(store, client, cache, self.id);
  const [actions] = useState(() => new MessageActions(client, self.id));
  useEffect(() => actions.start(), [actions]);
  const drafts = useDraftSync(client);
  const snapshot = useAppSnapshot(store);
  const [target, setTarget] = useState<Target | null>(null);
  const [dialog, setDialog] = useState<OpenDialog>('none');
  const [groupsDialog, setGroupsDialog] = useState<GroupsDialog>(null);
  const groupsActions = useMemo<GroupsActions>(
    () => ({
      client,
      store,
      openChat: (chatId) => setTarget({ kind: 'chat', chatId }),
      openInfo: (chatId) => setGroupsDialog({ kind: 'info', chatId }),
      openComments: (channelId, postId) => setGroupsDialog({ kind: 'comments', channelId, postId }),
    }),
    [client, store],
  );
  const searchRef = useRef<HTMLInputElement>(null);
  const isNarrow = useMediaQuery(NARROW_QUERY);
  const secret = useSecretChats(client, store, { isOtherOpen: target !== null, isNarrow, onOpen: () => setTarget(null) });
  const isSecretOpen = secret.openPeerUserId !== null;

  useEffect(() => {
    void store.refreshChats().catch((error: unknown) => console.warn('chat list', error));
  }, [store]);

  const resolved = target === null ? null : resolveTarget(target, snapshot.chats);
  const openChatId = resolved?.chat?.id ?? null;
  useEffect(() => store.setOpenChat(openChatId), [store, openChatId]);

  const closeConversation = useCallback(() => setTarget(null), []);
  const selectChat = useCallback((chatId: number) => setTarget({ kind: 'chat', chatId }), []);
  const togglePin = useCallback(
    (chatId: number, pinned: boolean) => void store.setChatPinned(chatId, pinned).catch((error: unknown) => window.alert(errorText(error))),
    [store],
  );
  useChatNavigationKeys(snapshot.chats, openChatId, selectChat);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        if (isNarrow) setTarget(null);
        // The list may only now be on screen: focus once it has rendered.
        requestAnimationFrame(() => searchRef.current?.focus());
      } else if (event.key === 'Escape' && dialog === 'none' && groupsDialog === null && isNarrow && target !== null) {
        event.preventDefault();
        setTarget(null);
      }
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [isNarrow, target, dialog, groupsDialog]);

  const showList = !isNarrow || (resolved === null && !isSecretOpen);
  const showConversation = !isNarrow || resolved !== null || isSecretOpen;
  return (
    <MessageActionsContext.Provider value={actions}>
    <DraftSyncContext.Provider value={drafts}>
    <SecretChatsContext.Provider value={secret.handle}>
    <div className="main-screen" data-layout={isNarrow ? 'narrow' : 'wide'}>
    <GroupsContext.Provider value={groupsActions}>
      {showList && (
        <ChatListPane
          snapshot={snapshot}
          selectedChatId={openChatId}
          searchRef={searchRef}
          onSelect={selectChat}
          onTogglePin={togglePin}
          onNewChat={() => setDialog('newChat')}
          onSettings={() => setDialog('settings')}
          renderSection={(query) => (
            <SecretChatList snapshot={secret.snapshot} users={snapshot.users} selfId={self.id} query={query} selectedPeerUserId={secret.openPeerUserId} onSelect={secret.open} />
          )}
        />
      )}
      {showConversation &&
        (secret.openPeerUserId !== null ? (
          <SecretConversationPane key={`secret:${secret.openPeerUserId}`} store={secret.store} snapshot={secret.snapshot} users={snapshot.users} selfId={self.id} peerUserId={secret.openPeerUserId} isNarrow={isNarrow} onClose={secret.close} />
        ) : resolved === null ? (
          <EmptyConversation />
        ) : (
          <MediaProvider key={resolved.key} client={client} sender={store}>
            <ConversationPane key={resolved.key} store={store} snapshot={snapshot} target={resolved} isNarrow={isNarrow} onClose={closeConversation} />
          </MediaProvider>
        ))}
      {dialog === 'newChat' && (
        <NewChatDialog
          client={client}
          onClose={() => setDialog('none')}
          onFoundSecret={async (user) => {
            store.addUsers([user]);
            await secret.handle.startWith(user.id);
            setDialog('none');
          }}
          groups={{
            onNewGroup: () => (setDialog('none'), setGroupsDialog({ kind: 'newGroup' })),
            onNewChannel: () => (setDialog('none'), setGroupsDialog({ kind: 'newChannel' })),
            onFoundChat: (preview) => (setDialog('none'), setGroupsDialog({ kind: 'join', preview })),
          }}
          onFound={(user) => {
            store.addUsers([user]);
            setTarget({ kind: 'user', userId: user.id });
            setDialog('none');
          }}
        />
      )}
      {dialog === 'settings' && <SettingsDialog client={client} self={snapshot.users.get(self.id) ?? self} onUserChanged={(user) => store.addUsers([user])} onClose={() => setDialog('none')} />}
      <GroupsDialogs dialog={groupsDialog} actions={groupsActions} snapshot={snapshot} onClose={() => setGroupsDialog(null)} />
    </GroupsContext.Provider>
    </div>
    </SecretChatsContext.Provider>
    </DraftSyncContext.Provider>
    </MessageActionsContext.Provider>
  );
}
