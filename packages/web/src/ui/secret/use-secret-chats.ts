import type { SamizdatClient } from '@samizdat/client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ChatStore } from '../../model/chat-store.ts';
import { SecretChatStore, type SecretSnapshot } from './secret-chat-store.ts';
import type { SecretChatsHandle } from './secret-chats-context.ts';
import { useSecretSnapshot } from './use-secret-snapshot.ts';

/** Options of {@link useSecretChats}. */
export interface UseSecretChatsOptions {
  /** An ordinary conversation is open: opening one closes the secret chat. */
  isOtherOpen: boolean;
  isNarrow: boolean;
  /** Called when a secret chat opens, to close the ordinary conversation. */
  onOpen: () => void;
}

/**
 * Secret chats of the signed-in main screen ([WEB40]): starts them once (the client is connected
 * and signed in by then), follows their snapshot, and keeps which one is open. Users met only in
 * a secret chat are added to the chat store so that names show everywhere. Esc closes the open
 * secret chat on a narrow screen, as it does an ordinary one.
 */
export function useSecretChats(client: SamizdatClient, chatStore: ChatStore, options: UseSecretChatsOptions) {
  const [store] = useState(
    () =>
      new SecretChatStore(client, {
        onUsers: (users) => chatStore.addUsers(users),
        isKnownUser: (userId) => chatStore.getSnapshot().users.has(userId),
        onError: (error) => console.warn('secret chats', error),
      }),
  );
  useEffect(() => store.start(), [store]);
  const snapshot: SecretSnapshot = useSecretSnapshot(store);
  const [openPeerUserId, setOpenPeerUserId] = useState<number | null>(null);
  const onOpen = useRef(options.onOpen);
  onOpen.current = options.onOpen;

  const open = useCallback((peerUserId: number) => {
    setOpenPeerUserId(peerUserId);
    onOpen.current();
  }, []);
  const close = useCallback(() => setOpenPeerUserId(null), []);
  const startWith = useCallback(
    async (peerUserId: number) => {
      await store.startChat(peerUserId);
      open(peerUserId);
    },
    [store, open],
  );
  const handle: SecretChatsHandle = useMemo(() => ({ store, startWith }), [store, startWith]);

  useEffect(() => {
    if (options.isOtherOpen) setOpenPeerUserId(null);
  }, [options.isOtherOpen]);

  const { isNarrow } = options;
  useEffect(() => {
    if (!isNarrow || openPeerUserId === null) return;
    function onKeyDown(event: KeyboardEvent): void {
      if (event.key !== 'Escape' || event.defaultPrevented || document.querySelector('dialog[open]') !== null) return;
      event.preventDefault();
      setOpenPeerUserId(null);
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [isNarrow, openPeerUserId]);

  return { store, snapshot, openPeerUserId, open, close, handle };
}
