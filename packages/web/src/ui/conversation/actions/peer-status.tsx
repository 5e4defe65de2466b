import type { Chat, User } from '@samizdat/protocol';
import { useContext, useEffect, useState } from 'react';
import { userName } from '../../../model/format.ts';
import { describeStatus, describeTyping } from '../../../model/message-actions.ts';
import { MessageActionsContext, useActivity } from './actions-context.ts';
import './message-actions.css';

/**
 * The conversation header's second line: who is typing, else the other user's online status or
 * last seen (private chats), else `fallback` (members, @username).
 */
export function PeerStatus({ chat, peerUserId, users, selfId, fallback, isBot = false }: { chat: Chat | null; peerUserId: number | null; users: ReadonlyMap<number, User>; selfId: number; fallback: string; isBot?: boolean }) {
  const actions = useContext(MessageActionsContext);
  const activity = useActivity();
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    // A bot has no last seen: its header says "bot" ([WEB71]).
    if (actions === null || peerUserId === null || peerUserId === selfId || isBot) return;
    actions.loadStatus(peerUserId).catch((error: unknown) => console.warn('status', error));
  }, [actions, peerUserId, selfId, isBot]);
  // "online" ends at its expiry even when no presence frame says so.
  useEffect(() => {
    const timer = setInterval(() => setNowMs(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const typingIds = chat === null ? [] : (activity.typing.get(chat.id) ?? []);
  if (typingIds.length > 0) {
    const names = typingIds.map((id) => (chat?.type === 'private' ? '' : userName(users.get(id)).split(' ')[0] ?? ''));
    const text = chat?.type === 'private' ? 'typing…' : describeTyping(names);
    return (
      <p className="peer-status typing" aria-live="polite">
        {text}
      </p>
    );
  }
  if (isBot) return <p className="peer-status bot-status">bot</p>;
  const status = peerUserId === null || peerUserId === selfId ? '' : describeStatus(activity.statuses.get(peerUserId), nowMs);
  const text = status !== '' ? status : fallback;
  if (text === '') return null;
  return <p className={`peer-status ${status === 'online' ? 'online' : ''}`}>{text}</p>;
}
