import { useSyncExternalStore } from 'react';
import type { SecretChatStore, SecretSnapshot } from './secret-chat-store.ts';

/** The secret chats' current snapshot; re-renders on every change. */
export function useSecretSnapshot(store: SecretChatStore): SecretSnapshot {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
