import type { Chat, Message, User } from '@samizdat/protocol';
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ActivitySnapshot, MessageActions } from '../../../model/message-actions.ts';

/** The account's {@link MessageActions}, provided by the main screen; null outside it (and in tests of single components). */
export const MessageActionsContext = createContext<MessageActions | null>(null);

const EMPTY_ACTIVITY: ActivitySnapshot = { typing: new Map(), statuses: new Map(), ownReactions: new Map() };
const noSubscribe = () => () => {};

/** Who is typing, statuses and own reactions, re-rendering on change; empty without a provider. */
export function useActivity(): ActivitySnapshot {
  const actions = useContext(MessageActionsContext);
  return useSyncExternalStore(actions?.subscribe ?? noSubscribe, actions?.getSnapshot ?? (() => EMPTY_ACTIVITY));
}

/** A composer mode: replying to a message, or editing one. */
export type ComposerMode = { kind: 'reply'; message: Message } | { kind: 'edit'; message: Message };

/** What the bubbles of one open conversation may do; null outside a conversation with a chat. */
export interface ConversationActionsValue {
  chat: Chat;
  selfId: number;
  users: ReadonlyMap<number, User>;
  /** A loaded message of this chat by id. */
  findMessage: (messageId: number) => Message | undefined;
  /** Opens the context menu of a message at a point of the window. */
  openMenu: (message: Message, point: { x: number; y: number }) => void;
  toggleReaction: (message: Message, emoji: string) => void;
  /** Scrolls the history to a loaded message and highlights it. */
  scrollToMessage: (messageId: number) => void;
  mode: ComposerMode | null;
  setMode: (mode: ComposerMode | null) => void;
  /** Shows an error (or a note) above the history. */
  report: (text: string) => void;
}

export const ConversationActionsContext = createContext<ConversationActionsValue | null>(null);

export function useConversationActions(): ConversationActionsValue | null {
  return useContext(ConversationActionsContext);
}
