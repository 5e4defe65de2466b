import { useContext, type ReactElement } from 'react';
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

/**
 * The composer with reply and edit modes ([WEB11]) and typing notices ([WEB12]): in reply mode a
 * quote of the message shows above it and the message sent answers it; in edit mode it holds the
 * message's text and Enter saves it. Esc leaves either mode. The composer itself is rendered by
 * `children`, so that other features keep their say in it.
 */
export function ActionComposer({ store, target, onSent, onError, children }: { store: ChatStore; target: ResolvedTarget; onSent: () => void; onError: (text: string) => void; children: (props: ComposerSlotProps) => ReactElement }) {
  const actions = useContext(MessageActionsContext);
  const context = useConversationActions();
  const mode = context?.mode ?? null;
  const snapshot = store.getSnapshot();
  const isEditing = mode?.kind === 'edit';
  const props: ComposerSlotProps = {
    composerKey: isEditing ? `${target.key}:edit:${mode.message.id}` : target.key,
    initialText: isEditing ? mode.message.text : store.draft(target.key),
    onDraftChange: (text) => {
      if (!isEditing) store.setDraft(target.key, text);
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
