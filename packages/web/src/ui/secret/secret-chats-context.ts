import { createContext } from 'react';
import type { SecretChatStore } from './secret-chat-store.ts';

/** What screens outside the secret folder need of secret chats: the store, and opening a chat with a user. */
export interface SecretChatsHandle {
  store: SecretChatStore;
  /** Starts (if needed) and opens the secret chat with a user; rejects when they cannot take part. */
  startWith: (peerUserId: number) => Promise<void>;
}

/** Provided by the main screen once signed in; null before (and in tests that render parts alone). */
export const SecretChatsContext = createContext<SecretChatsHandle | null>(null);
