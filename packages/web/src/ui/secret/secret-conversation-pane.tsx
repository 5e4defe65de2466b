import type { SecretMessage } from '@samizdat/client';
import type { User } from '@samizdat/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { userName } from '../../model/format.ts';
import { errorText } from '../common/error-text.ts';
import type { SecretChatStore, SecretSnapshot } from './secret-chat-store.ts';
import { SecretComposer } from './secret-composer.tsx';
import { SecretConversationHeader } from './secret-conversation-header.tsx';
import { SecretHistoryView } from './secret-history-view.tsx';
import { SecretVerificationDialog } from './secret-verification-dialog.tsx';
import './secret.css';

/**
 * An open secret chat ([WEB42]): header with the timer and "Verify", the local history, and a
 * composer that encrypts on this device. While it is on screen and the window has focus, the
 * peer's messages are marked read, which starts their self-destruct countdowns ([WEB43]).
 */
export function SecretConversationPane({ store, snapshot, users, selfId, peerUserId, isNarrow, onClose }: { store: SecretChatStore; snapshot: SecretSnapshot; users: ReadonlyMap<number, User>; selfId: number; peerUserId: number; isNarrow: boolean; onClose: () => void }) {
  const chat = snapshot.chats.find((candidate) => candidate.peerUserId === peerUserId);
  const [error, setError] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<SecretMessage | null>(null);
  const [isVerifying, setVerifying] = useState(false);
  const nameOf = useCallback((userId: number) => userName(users.get(userId)), [users]);
  const title = nameOf(peerUserId);
  const isActive = useIsWindowActive();
  const isMarking = useRef(false);
  const [markedCount, setMarkedCount] = useState(0);

  const unreadCount = chat?.unreadCount ?? 0;
  useEffect(() => {
    if (!isActive || unreadCount === 0 || isMarking.current || snapshot.status !== 'ready') return;
    isMarking.current = true;
    store
      .markRead(peerUserId)
      .catch((caught: unknown) => setError(errorText(caught)))
      .finally(() => {
        isMarking.current = false;
        // Messages that arrived meanwhile get their turn.
        setMarkedCount((count) => count + 1);
      });
  }, [store, peerUserId, isActive, unreadCount, snapshot.status, markedCount]);

  const loadSafetyNumber = useCallback(() => store.safetyNumber(peerUserId), [store, peerUserId]);

  return (
    <section className="conversation-pane secret-conversation-pane" aria-label="Secret conversation">
      <SecretConversationHeader
        peerUserId={peerUserId}
        title={title}
        ttlSeconds={chat?.ttlSeconds ?? 0}
        showBack={isNarrow}
        onBack={onClose}
        onTimer={(ttlSeconds) => store.setTimer(peerUserId, ttlSeconds).catch((caught: unknown) => setError(errorText(caught)))}
        onVerify={() => setVerifying(true)}
      />
      {error !== null && (
        <p className="form-error banner" role="alert">
          {error}
        </p>
      )}
      {snapshot.status !== 'ready' || chat === undefined ? (
        <div className="timeline-empty">
          <p>{snapshot.status === 'failed' ? `Secret chats are not available: ${snapshot.error ?? ''}` : 'Opening the secret chat…'}</p>
        </div>
      ) : (
        <SecretHistoryView history={chat.history} selfId={selfId} nameOf={nameOf} onReply={setReplyTo} />
      )}
      <SecretComposer
        key={peerUserId}
        replyTo={replyTo}
        replyName={replyTo === null ? '' : replyTo.senderUserId === selfId ? 'yourself' : nameOf(replyTo.senderUserId)}
        onCancelReply={() => setReplyTo(null)}
        onSend={(text) => {
          const replyToId = replyTo?.id;
          setReplyTo(null);
          setError(null);
          store.sendText(peerUserId, text, replyToId).catch((caught: unknown) => setError(errorText(caught)));
        }}
      />
      {isVerifying && <SecretVerificationDialog peerName={title} load={loadSafetyNumber} onClose={() => setVerifying(false)} />}
    </section>
  );
}

/** Whether the page is visible and its window has the focus: only then has the user seen new messages. */
function useIsWindowActive(): boolean {
  const read = () => document.visibilityState === 'visible' && document.hasFocus();
  const [isActive, setActive] = useState(read);
  useEffect(() => {
    const update = () => setActive(read());
    document.addEventListener('visibilitychange', update);
    window.addEventListener('focus', update);
    window.addEventListener('blur', update);
    update();
    return () => {
      document.removeEventListener('visibilitychange', update);
      window.removeEventListener('focus', update);
      window.removeEventListener('blur', update);
    };
  }, []);
  return isActive;
}
