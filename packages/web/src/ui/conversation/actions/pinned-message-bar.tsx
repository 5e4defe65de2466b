import type { Chat, Message } from '@samizdat/protocol';
import { useContext, useEffect, useState } from 'react';
import { messagePreview } from '../../../model/format.ts';
import { CloseIcon } from '../../common/icons.tsx';
import { IconButton } from '../../common/icon-button.tsx';
import { MessageActionsContext, useConversationActions } from './actions-context.ts';
import './message-actions.css';

/**
 * The chat's pinned message at the top of the conversation ([MM6]): a click scrolls to it, the
 * cross unpins it for those allowed to pin. The message is looked up among those loaded, else
 * fetched once.
 */
export function PinnedMessageBar({ chat, messageId }: { chat: Chat; messageId: number }) {
  const context = useConversationActions();
  const actions = useContext(MessageActionsContext);
  const chatId = chat.id;
  const canUnpin = chat.type === 'private' || chat.myRole === 'owner' || chat.myRights?.pinMessages === true;
  const loaded = context?.findMessage(messageId);
  const [fetched, setFetched] = useState<Message | undefined>(undefined);
  useEffect(() => {
    if (loaded !== undefined || actions === null) return;
    let isCurrent = true;
    actions
      .fetchMessage(chatId, messageId)
      .then((message) => {
        if (isCurrent) setFetched(message);
      })
      .catch((error: unknown) => console.warn('pinned message', error));
    return () => {
      isCurrent = false;
    };
  }, [chatId, messageId, loaded, actions]);
  const message = loaded ?? (fetched?.id === messageId ? fetched : undefined);
  return (
    <div className="pinned-bar" role="region" aria-label="Pinned message">
      <button type="button" className="pinned-bar-body" onClick={() => context?.scrollToMessage(messageId)}>
        <span className="pinned-bar-title">Pinned message</span>
        <span className="pinned-bar-text">{message === undefined ? '…' : messagePreview(message) || 'Message'}</span>
      </button>
      {canUnpin && actions !== null && (
        <IconButton label="Unpin message" onClick={() => actions.pin(chatId, null).catch((error: unknown) => context?.report(describe(error)))}>
          <CloseIcon />
        </IconButton>
      )}
    </div>
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
