import type { Chat, Message } from '@samizdat/protocol';
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useGroups } from './groups-context.ts';

/** What a channel's posts show beyond their text: their view counts and the way to their comments. */
export interface ChannelPosts {
  /** View counts learnt from `messages.getViews`, newer than the messages' own `views`. */
  views: ReadonlyMap<number, number>;
  /** The channel has a discussion group: each post links to its comments. */
  hasComments: boolean;
  openComments: (messageId: number) => void;
}

const ChannelPostsContext = createContext<ChannelPosts | null>(null);

/** The posts context of the conversation, or null outside a channel. */
export function useChannelPosts(): ChannelPosts | null {
  return useContext(ChannelPostsContext);
}

/** At most this many ids per `messages.getViews`, the protocol's limit. */
const VIEWS_BATCH = 100;
/** How often the open channel asks for fresh view counts of its newest posts. */
const VIEWS_REFRESH_MS = 30_000;

/** Counts only grow: a late answer never lowers one. */
function mergeViews(current: ReadonlyMap<number, number>, answered: readonly { messageId: number; views: number }[]): ReadonlyMap<number, number> {
  const next = new Map(current);
  for (const item of answered) next.set(item.messageId, Math.max(item.views, next.get(item.messageId) ?? 0));
  return next;
}

/**
 * Wraps a conversation's timeline. In a channel it counts the user's view of each loaded post
 * once (`messages.getViews` with `increment`, which the server counts once per reader: [CHN3])
 * and keeps the counts it answers, so that posts show how many saw them ([WEB32]); it also says
 * whether posts have comments ([WEB33]). Every 30 s it asks again (without counting) for the
 * newest 100 posts' counts, as others' views are not pushed. Elsewhere it renders its children alone.
 */
export function ChannelPostsProvider({ chat, messages, children }: { chat: Chat | null; messages: readonly Message[] | undefined; children: ReactNode }) {
  const groups = useGroups();
  const client = groups?.client;
  const isChannel = chat?.type === 'channel' && chat.myRole !== null;
  const chatId = chat?.id ?? null;
  const [views, setViews] = useState<ReadonlyMap<number, number>>(new Map());
  const counted = useRef(new Set<number>());

  useEffect(() => {
    if (!isChannel || client === undefined || chatId === null || messages === undefined) return;
    if (document.visibilityState !== 'visible') return;
    const fresh = messages.filter((message) => message.views !== null && !counted.current.has(message.id)).map((message) => message.id);
    if (fresh.length === 0) return;
    for (const id of fresh) counted.current.add(id);
    for (let start = 0; start < fresh.length; start += VIEWS_BATCH) {
      const messageIds = fresh.slice(start, start + VIEWS_BATCH);
      client.call('messages.getViews', { peer: { type: 'chat', chatId }, messageIds, increment: true }).then(
        (result) => setViews((current) => mergeViews(current, result.views)),
        (error: unknown) => {
          // Counted again on the next change, rather than never.
          for (const id of messageIds) counted.current.delete(id);
          console.warn('post views', error);
        },
      );
    }
  }, [isChannel, client, chatId, messages]);

  // Others' views are not pushed: ask again now and then for the newest posts loaded.
  const newestIds = useMemo(() => (messages ?? []).filter((message) => message.views !== null).slice(-VIEWS_BATCH).map((message) => message.id), [messages]);
  const newestRef = useRef(newestIds);
  newestRef.current = newestIds;
  useEffect(() => {
    if (!isChannel || client === undefined || chatId === null) return undefined;
    const timer = setInterval(() => {
      const messageIds = newestRef.current;
      if (messageIds.length === 0 || document.visibilityState !== 'visible') return;
      client.call('messages.getViews', { peer: { type: 'chat', chatId }, messageIds, increment: false }).then(
        (result) => setViews((current) => mergeViews(current, result.views)),
        (error: unknown) => console.warn('post views', error),
      );
    }, VIEWS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [isChannel, client, chatId]);

  const hasComments = isChannel && chat?.linkedChatId !== null;
  const openComments = groups?.openComments;
  const value = useMemo<ChannelPosts | null>(
    () => (isChannel && chatId !== null ? { views, hasComments: hasComments && openComments !== undefined, openComments: (messageId) => openComments?.(chatId, messageId) } : null),
    [isChannel, chatId, views, hasComments, openComments],
  );
  return <ChannelPostsContext.Provider value={value}>{children}</ChannelPostsContext.Provider>;
}
