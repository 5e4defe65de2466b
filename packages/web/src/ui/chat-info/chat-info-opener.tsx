import type { ReactNode } from 'react';
import { IconButton } from '../common/icon-button.tsx';
import { useGroups } from '../groups/groups-context.ts';
import './chat-info.css';

/**
 * The conversation header's title block: a click opens the chat info panel ([WEB34]). It stays a
 * plain block (not a button) so that the heading inside keeps its role; {@link ChatInfoButton} is
 * the keyboard's and screen reader's way in.
 */
export function ChatTitleArea({ chatId, children }: { chatId: number | null; children: ReactNode }) {
  const groups = useGroups();
  const isOpenable = chatId !== null && groups !== null;
  return (
    <div className={`conversation-title ${isOpenable ? 'is-openable' : ''}`} onClick={isOpenable ? () => groups.openInfo(chatId) : undefined}>
      {children}
    </div>
  );
}

/** The header's "Chat info" button, for the keyboard and screen readers. */
export function ChatInfoButton({ chatId }: { chatId: number | null }) {
  const groups = useGroups();
  if (chatId === null || groups === null) return null;
  return (
    <IconButton label="Chat info" className="chat-info-button" onClick={() => groups.openInfo(chatId)}>
      <svg viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" aria-hidden="true" focusable="false">
        <circle cx="12" cy="12" r="9.5" />
        <path d="M12 11v6M12 7.5v.01" />
      </svg>
    </IconButton>
  );
}
