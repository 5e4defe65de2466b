import type { ReactNode } from 'react';
import type { User } from '@samizdat/protocol';
import { userName } from '../../../model/format.ts';
import { describeTyping } from '../../../model/message-actions.ts';
import { useActivity } from './actions-context.ts';
import './message-actions.css';

/** In a chat list row: "typing…" (or who is, in groups) instead of the last message while someone types. */
export function ChatTypingPreview({ chatId, isPrivate, users, children }: { chatId: number; isPrivate: boolean; users: ReadonlyMap<number, User>; children: ReactNode }) {
  const typingIds = useActivity().typing.get(chatId) ?? [];
  if (typingIds.length === 0) return <>{children}</>;
  const text = isPrivate ? 'typing…' : describeTyping(typingIds.map((id) => userName(users.get(id)).split(' ')[0] ?? ''));
  return <span className="chat-typing">{text}</span>;
}
