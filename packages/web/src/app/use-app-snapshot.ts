import { useSyncExternalStore } from 'react';
import type { AppSnapshot, ChatStore } from '../model/chat-store.ts';

/** The store's current snapshot; re-renders on every change. */
export function useAppSnapshot(store: ChatStore): AppSnapshot {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
