import type { SecretHistoryEntry, SecretMessage } from '@samizdat/client';
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { SecretMessageBubble, type SecretBubbleHandlers } from './secret-message-bubble.tsx';
import { serviceText } from './secret-format.ts';

/**
 * A secret chat's history as this device keeps it ([WEB42]): messages and service entries (chat
 * started, timer set, safety number changed), oldest first. Histories are local and short-lived,
 * so all of it is rendered; it starts at the bottom and follows new entries while the user is there.
 */
export function SecretHistoryView({ history, selfId, nameOf, handlers, footer }: { history: readonly SecretHistoryEntry[]; selfId: number; nameOf: (userId: number) => string; handlers: SecretBubbleHandlers; footer?: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const isAtBottom = useRef(true);
  const nowMs = useCountdownClock(history);

  useLayoutEffect(() => {
    const list = ref.current;
    if (list !== null && isAtBottom.current) list.scrollTop = list.scrollHeight;
  }, [history, footer]);

  const byId = new Map<string, SecretMessage>();
  for (const entry of history) if (entry.kind === 'message') byId.set(entry.id, entry);

  return (
    <div
      ref={ref}
      className="secret-history"
      role="log"
      aria-label="Messages"
      tabIndex={0}
      onScroll={(event) => {
        const list = event.currentTarget;
        isAtBottom.current = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
      }}
    >
      <div className="secret-history-inner">
        {history.map((entry, index) => {
          if (entry.kind === 'service') {
            return (
              <div key={`service-${index}-${entry.at}`} className="secret-service">
                <span>{serviceText(entry.action, selfId, nameOf)}</span>
              </div>
            );
          }
          const previous = history[index - 1];
          const isFirst = previous === undefined || previous.kind !== 'message' || previous.senderUserId !== entry.senderUserId;
          const quoted = entry.replyToId === undefined ? undefined : (byId.get(entry.replyToId) ?? null);
          return (
            <SecretMessageBubble
              key={entry.id}
              message={entry}
              isOwn={entry.senderUserId === selfId}
              isFirst={isFirst}
              quoted={quoted}
              quotedName={quoted == null ? '' : quoted.senderUserId === selfId ? 'You' : nameOf(quoted.senderUserId)}
              nowMs={nowMs}
              selfId={selfId}
              nameOf={nameOf}
              handlers={handlers}
            />
          );
        })}
        {footer}
      </div>
    </div>
  );
}

/** The time, ticking every second while a message of the history counts down to its end. */
function useCountdownClock(history: readonly SecretHistoryEntry[]): number {
  const [nowMs, setNowMs] = useState(() => Date.now());
  const isCounting = history.some((entry) => entry.kind === 'message' && entry.expiresAt !== null);
  useEffect(() => {
    if (!isCounting) return;
    setNowMs(Date.now());
    const timer = setInterval(() => setNowMs(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [isCounting]);
  return nowMs;
}
