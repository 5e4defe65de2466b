import type { Chat, Peer } from '@samizdat/protocol';

/** What the conversation pane shows: a chat from the list, or a user with no chat yet. */
export type Target = { kind: 'chat'; chatId: number } | { kind: 'user'; userId: number };

/** A target with the chat it means, when there is one. */
export interface ResolvedTarget {
  /** Keys drafts and the composer: `chat:<id>` or `user:<id>`. */
  key: string;
  chat: Chat | null;
  /** The user of a private chat, or of a chat not started yet. */
  peerUserId: number | null;
  /** How to send to it. */
  peer: Peer;
}

/** Finds the chat a target means: a user's private chat once it exists, so that drafts and history follow it. */
export function resolveTarget(target: Target, chats: readonly Chat[]): ResolvedTarget | null {
  if (target.kind === 'chat') {
    const chat = chats.find((candidate) => candidate.id === target.chatId);
    if (chat === undefined) return null;
    return { key: `chat:${chat.id}`, chat, peerUserId: chat.peerUserId, peer: { type: 'chat', chatId: chat.id } };
  }
  const chat = chats.find((candidate) => candidate.type === 'private' && candidate.peerUserId === target.userId) ?? null;
  if (chat !== null) return { key: `chat:${chat.id}`, chat, peerUserId: target.userId, peer: { type: 'chat', chatId: chat.id } };
  return { key: `user:${target.userId}`, chat: null, peerUserId: target.userId, peer: { type: 'user', userId: target.userId } };
}
