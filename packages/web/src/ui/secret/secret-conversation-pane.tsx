import type { SecretMessage } from '@samizdat/client';
import type { User } from '@samizdat/protocol';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { userName } from '../../model/format.ts';
import { mediaKindOf } from '../../model/upload-queue.ts';
import { errorText } from '../common/error-text.ts';
import type { SecretChatStore, SecretSnapshot } from './secret-chat-store.ts';
import { SecretComposer, type SecretComposerMode } from './secret-composer.tsx';
import { SecretConversationHeader } from './secret-conversation-header.tsx';
import { SecretDeleteDialog } from './secret-delete-dialog.tsx';
import { SecretHistoryView } from './secret-history-view.tsx';
import type { SecretBubbleHandlers } from './secret-message-bubble.tsx';
import { SecretMessageMenu } from './secret-message-menu.tsx';
import { SecretUploadList, type SecretUpload } from './secret-uploads.tsx';
import { readVerified, saveVerified, verifiedState } from './secret-verified.ts';
import { SecretVerificationDialog } from './secret-verification-dialog.tsx';
import './secret.css';

/**
 * An open secret chat ([WEB42]): header with the timer and "Verify", the local history, and a
 * composer that encrypts on this device. While it is on screen and the window has focus, the
 * peer's messages are marked read, which starts their self-destruct countdowns ([WEB43]). Each
 * message has a menu (react, reply, edit, copy, delete — never forward, [WEB48]); files are
 * attached with the paperclip or dropped on the pane and go encrypted ([WEB49]); the header says
 * whether the safety number is the one the user verified ([WEB67]).
 */
export function SecretConversationPane({ store, snapshot, users, selfId, peerUserId, isNarrow, onClose }: { store: SecretChatStore; snapshot: SecretSnapshot; users: ReadonlyMap<number, User>; selfId: number; peerUserId: number; isNarrow: boolean; onClose: () => void }) {
  const chat = snapshot.chats.find((candidate) => candidate.peerUserId === peerUserId);
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<SecretComposerMode | null>(null);
  const [menu, setMenu] = useState<{ message: SecretMessage; point: { x: number; y: number } } | null>(null);
  const [deleting, setDeleting] = useState<SecretMessage | null>(null);
  const [uploads, setUploads] = useState<SecretUpload[]>([]);
  const uploadKey = useRef(0);
  const [isDragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
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

  // The current safety number, fetched on opening and again whenever a device change shows up.
  const [currentDigits, setCurrentDigits] = useState<string | null>(null);
  const [verifiedDigits, setVerifiedDigits] = useState<string | null>(() => readVerified(selfId, peerUserId));
  useEffect(() => setVerifiedDigits(readVerified(selfId, peerUserId)), [selfId, peerUserId]);
  const deviceChanges = chat?.history.filter((entry) => entry.kind === 'service' && entry.action.type === 'devicesChanged').length ?? 0;
  const isReady = snapshot.status === 'ready' && chat !== undefined;
  useEffect(() => {
    if (!isReady) return;
    let isCurrent = true;
    store.safetyNumber(peerUserId).then(
      (number) => isCurrent && setCurrentDigits(number.digits),
      () => {},
    );
    return () => {
      isCurrent = false;
    };
  }, [store, peerUserId, isReady, deviceChanges]);
  const loadSafetyNumber = useCallback(
    () =>
      store.safetyNumber(peerUserId).then((number) => {
        setCurrentDigits(number.digits);
        return number;
      }),
    [store, peerUserId],
  );
  const markVerified = useCallback(
    (digits: string) => {
      saveVerified(selfId, peerUserId, digits);
      setVerifiedDigits(digits);
    },
    [selfId, peerUserId],
  );

  const fail = useCallback((caught: unknown) => setError(errorText(caught)), []);
  const react = useCallback((message: SecretMessage, emoji: string | null) => void store.react(peerUserId, message.id, emoji).catch(fail), [store, peerUserId, fail]);
  const handlers: SecretBubbleHandlers = useMemo(
    () => ({
      onReply: (message) => setMode({ kind: 'reply', message, name: message.senderUserId === selfId ? 'yourself' : nameOf(message.senderUserId) }),
      onOpenMenu: (message, point) => setMenu({ message, point }),
      onReact: react,
      loadFile: (file) => store.downloadFile(file),
    }),
    [store, selfId, nameOf, react],
  );
  const closeMenu = useCallback(() => setMenu(null), []);

  const attach = useCallback(
    (files: readonly File[]) => {
      setError(null);
      for (const file of files) {
        if (file.size === 0) continue;
        const key = ++uploadKey.current;
        const update = (change: Partial<SecretUpload>) => setUploads((list) => list.map((upload) => (upload.key === key ? { ...upload, ...change } : upload)));
        setUploads((list) => [...list, { key, name: file.name || 'file', size: file.size, progress: null, error: null }]);
        // Photos the browser can show go as photos; the rest (videos included) as documents.
        const kind = mediaKindOf(file.type) === 'photo' ? 'photo' : 'document';
        store.sendFile(peerUserId, file, { kind, onProgress: (progress) => update({ progress }) }).then(
          () => setUploads((list) => list.filter((upload) => upload.key !== key)),
          (caught: unknown) => update({ error: errorText(caught) }),
        );
      }
    },
    [store, peerUserId],
  );

  // Files dropped anywhere on the pane are sent ([WEB49]); a zone covers it while they are dragged over.
  const hasFiles = (event: React.DragEvent) => event.dataTransfer.types.includes('Files');
  const dropHandlers = {
    onDragEnter: (event: React.DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      dragDepth.current++;
      setDragging(true);
    },
    onDragOver: (event: React.DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: (event: React.DragEvent) => {
      if (!hasFiles(event)) return;
      dragDepth.current = Math.max(0, dragDepth.current - 1);
      if (dragDepth.current === 0) setDragging(false);
    },
    onDrop: (event: React.DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      dragDepth.current = 0;
      setDragging(false);
      attach(Array.from(event.dataTransfer.files));
    },
  };

  return (
    <section className="conversation-pane secret-conversation-pane" aria-label="Secret conversation" {...dropHandlers}>
      <SecretConversationHeader
        peerUserId={peerUserId}
        title={title}
        ttlSeconds={chat?.ttlSeconds ?? 0}
        verified={verifiedState(verifiedDigits, currentDigits)}
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
        <SecretHistoryView
          history={chat.history}
          selfId={selfId}
          nameOf={nameOf}
          handlers={handlers}
          footer={uploads.length === 0 ? undefined : <SecretUploadList uploads={uploads} onDismiss={(key) => setUploads((list) => list.filter((upload) => upload.key !== key))} />}
        />
      )}
      <SecretComposer
        key={peerUserId}
        mode={mode}
        onCancelMode={() => setMode(null)}
        onSend={(text) => {
          const replyToId = mode?.kind === 'reply' ? mode.message.id : undefined;
          setMode(null);
          setError(null);
          store.sendText(peerUserId, text, replyToId).catch(fail);
        }}
        onSaveEdit={(message, text) => {
          setMode(null);
          setError(null);
          store.edit(peerUserId, message.id, text).catch(fail);
        }}
        onAttach={attach}
      />
      <div className="drop-zone" data-active={isDragging} aria-hidden={!isDragging}>
        <div className="drop-zone-inner">
          <p>Drop files here to send them encrypted</p>
        </div>
      </div>
      {menu !== null && (
        <SecretMessageMenu
          message={menu.message}
          point={menu.point}
          isOwn={menu.message.senderUserId === selfId}
          ownReaction={menu.message.reactions[String(selfId)]}
          onClose={closeMenu}
          onReply={() => handlers.onReply(menu.message)}
          onEdit={() => setMode({ kind: 'edit', message: menu.message })}
          onCopy={() => void navigator.clipboard?.writeText(menu.message.text).catch(fail)}
          onDelete={() => setDeleting(menu.message)}
          onReact={(emoji) => react(menu.message, menu.message.reactions[String(selfId)] === emoji ? null : emoji)}
        />
      )}
      {deleting !== null && (
        <SecretDeleteDialog
          peerName={title}
          onClose={() => setDeleting(null)}
          onDelete={() => {
            const id = deleting.id;
            setDeleting(null);
            if (mode?.message.id === id) setMode(null);
            store.delete(peerUserId, id).catch(fail);
          }}
        />
      )}
      {isVerifying && <SecretVerificationDialog peerName={title} load={loadSafetyNumber} verifiedDigits={verifiedDigits} onMarkVerified={markVerified} onClose={() => setVerifying(false)} />}
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
