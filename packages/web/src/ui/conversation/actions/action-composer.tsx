import { useContext, useEffect, useRef, useSyncExternalStore, type ReactElement } from 'react';
import { DraftSyncContext } from '../../../app/use-draft-sync.ts';
import type { ChatStore } from '../../../model/chat-store.ts';
import type { ResolvedTarget } from '../../../model/target.ts';
import { MessageActionsContext, useConversationActions } from './actions-context.ts';
import { ComposerModeBar } from './composer-mode-bar.tsx';
import { describeActionError } from './conversation-actions.tsx';
import './message-actions.css';

/** What {@link ActionComposer} hands the composer it renders. */
export interface ComposerSlotProps {
  /** Remounts the composer with new initial text (entering or leaving edit mode). */
  composerKey: string;
  initialText: string;
  onDraftChange: (text: string) => void;
  onSend: (text: string) => void;
  /** Esc in the composer: leaves reply or edit mode; undefined when there is none. */
  onEscape: (() => void) | undefined;
}

const noSubscribe = () => () => {};

/**
 * The composer with reply and edit modes ([WEB11]) and typing notices ([WEB12]): in reply mode a
 * quote of the message shows above it and the message sent answers it; in edit mode it holds the
 * message's text and Enter saves it. Esc leaves either mode. Its text and reply are the chat's draft,
 * synced across the user's devices ([WEB62], [WEB63]). The composer itself is rendered by
 * `children`, so that other features keep their say in it.
 */
export function ActionComposer({ store, target, onSent, onError, children }: { store: ChatStore; target: ResolvedTarget; onSent: () => void; onError: (text: string) => void; children: (props: ComposerSlotProps) => ReactElement }) {
  const actions = useContext(MessageActionsContext);
  const drafts = useContext(DraftSyncContext);
  const context = useConversationActions();
  const mode = context?.mode ?? null;
  const snapshot = store.getSnapshot();
  const isEditing = mode?.kind === 'edit';
  const key = target.key;
  // Drafts of chats sync through the server ([WEB62]); a user with no chat yet keeps one on this page.
  const draftPeer = target.chat === null ? null : target.peer;
  const serverDraft = target.chat?.draft ?? null;
  if (drafts !== null) drafts.open(key, draftPeer, serverDraft);
  const revision = useSyncExternalStore(drafts?.subscribe ?? noSubscribe, () => drafts?.revision(key) ?? 0);
  const replyToId = mode?.kind === 'reply' ? mode.message.id : null;
  // A draft's reply, put back once its message is loaded ([WEB63]).
  const pendingReply = useRef<number | null>(null);
  const lastReplyToId = useRef(replyToId);

  const firstRevision = useRef(revision);
  useEffect(() => {
    const id = drafts?.local(key).replyToId ?? null;
    pendingReply.current = id;
    // Another device dropped the reply (or sent the draft): so does this composer.
    if (revision !== firstRevision.current && id === null && mode?.kind === 'reply') context?.setMode(null);
  }, [drafts, key, revision]);

  const findMessage = context?.findMessage;
  const setMode = context?.setMode;
  useEffect(() => {
    const id = pendingReply.current;
    if (id === null || findMessage === undefined || setMode === undefined) return;
    if (mode !== null) {
      pendingReply.current = null;
      return;
    }
    const message = findMessage(id);
    if (message === undefined) return;
    pendingReply.current = null;
    setMode({ kind: 'reply', message });
  }, [findMessage, setMode, mode, revision]);

  // Entering or leaving reply mode changes the draft's reply.
  useEffect(() => {
    if (lastReplyToId.current === replyToId) return;
    lastReplyToId.current = replyToId;
    if (drafts === null || isEditing) return;
    drafts.change(key, draftPeer, { text: drafts.local(key).text, replyToId });
  }, [replyToId, isEditing]);

  // Leaving the chat saves its draft at once ([WEB62]).
  useEffect(() => () => drafts?.flush(key), [drafts, key]);

  const props: ComposerSlotProps = {
    composerKey: isEditing ? `${key}:edit:${mode.message.id}` : `${key}:${revision}`,
    initialText: isEditing ? mode.message.text : drafts !== null ? drafts.local(key).text : store.draft(key),
    onDraftChange: (text) => {
      if (!isEditing) {
        if (drafts !== null) drafts.change(key, draftPeer, { text, replyToId: replyToId ?? pendingReply.current });
        else store.setDraft(key, text);
      }
      if (actions === null || target.chat?.type === 'channel') return;
      const notice = text === '' ? actions.cancelTyping(target.peer) : actions.notifyTyping(target.peer);
      notice.catch((error: unknown) => console.warn('typing', error));
    },
    onSend: (text) => {
      if (mode !== null && mode.kind === 'edit') {
        context?.setMode(null);
        if (text === mode.message.text || actions === null) return;
        actions.edit(mode.message.chatId, mode.message.id, text).catch((error: unknown) => onError(describeActionError(error)));
        return;
      }
      actions?.sent(target.peer);
      const replyToId = mode?.kind === 'reply' ? mode.message.id : undefined;
      context?.setMode(null);
      onSent();
      store.send(target.peer, text, replyToId === undefined ? {} : { replyToId }).catch((error: unknown) => onError(describeActionError(error)));
    },
    onEscape: mode === null ? undefined : () => context?.setMode(null),
  };
  return (
    <div className="action-composer">
      {mode !== null && <ComposerModeBar mode={mode} users={snapshot.users} selfId={snapshot.self.id} onCancel={() => context?.setMode(null)} />}
      {children(props)}
    </div>
  );
}
