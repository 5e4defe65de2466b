import type { SamizdatClient } from '@samizdat/client';
import { createContext, useContext } from 'react';
import type { ChatStore } from '../../model/chat-store.ts';

/** What the group and channel screens need from the main screen, without threading it through every pane. */
export interface GroupsActions {
  client: SamizdatClient;
  store: ChatStore;
  /** Opens a chat's conversation (one already in the store's list). */
  openChat: (chatId: number) => void;
  /** Opens the chat info panel of a chat. */
  openInfo: (chatId: number) => void;
  /** Opens the comments of a channel post. */
  openComments: (channelId: number, postId: number) => void;
}

/** Provided by the main screen. */
export const GroupsContext = createContext<GroupsActions | null>(null);

/** The main screen's group actions; null outside it (in a test rendering one pane alone). */
export function useGroups(): GroupsActions | null {
  return useContext(GroupsContext);
}
