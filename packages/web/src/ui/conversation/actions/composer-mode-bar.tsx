import type { User } from '@samizdat/protocol';
import { messagePreview, userName } from '../../../model/format.ts';
import { CloseIcon } from '../../common/icons.tsx';
import { IconButton } from '../../common/icon-button.tsx';
import type { ComposerMode } from './actions-context.ts';
import './message-actions.css';

/** Above the composer in reply or edit mode: what is being answered or edited, and a button (or Esc) to stop. */
export function ComposerModeBar({ mode, users, selfId, onCancel }: { mode: ComposerMode; users: ReadonlyMap<number, User>; selfId: number; onCancel: () => void }) {
  const { message } = mode;
  const title = mode.kind === 'edit' ? 'Editing' : `Reply to ${message.senderId === selfId ? 'yourself' : userName(users.get(message.senderId))}`;
  return (
    <div className={`composer-mode-bar ${mode.kind}`} role="status" aria-label={mode.kind === 'edit' ? 'Editing message' : 'Replying to message'}>
      <span className="composer-mode-icon" aria-hidden="true">
        {mode.kind === 'edit' ? '✎' : '↩'}
      </span>
      <span className="composer-mode-body">
        <span className="composer-mode-title">{title}</span>
        <span className="composer-mode-text">{messagePreview(message) || 'Message'}</span>
      </span>
      <IconButton label={mode.kind === 'edit' ? 'Cancel editing' : 'Cancel reply'} onClick={onCancel}>
        <CloseIcon />
      </IconButton>
    </div>
  );
}
