import { Avatar } from '../common/avatar.tsx';
import { BackIcon } from '../common/icons.tsx';
import { IconButton } from '../common/icon-button.tsx';
import { LockIcon, ShieldIcon } from './secret-icons.tsx';
import { SecretTimerPicker } from './secret-timer-picker.tsx';

/** A secret chat's title bar: back (narrow screens), the peer with a lock, the timer, and "Verify". */
export function SecretConversationHeader({ peerUserId, title, ttlSeconds, showBack, onBack, onTimer, onVerify }: { peerUserId: number; title: string; ttlSeconds: number; showBack: boolean; onBack: () => void; onTimer: (ttlSeconds: number) => Promise<void>; onVerify: () => void }) {
  return (
    <header className="pane-header conversation-header secret-conversation-header">
      {showBack && (
        <IconButton label="Back to chats" onClick={onBack}>
          <BackIcon />
        </IconButton>
      )}
      <Avatar id={peerUserId} name={title} size={40} />
      <div className="conversation-title">
        <h2 className="secret-title">
          <span role="img" aria-label="Secret chat" className="secret-lock">
            <LockIcon size={15} />
          </span>
          <span className="secret-title-text">{title}</span>
        </h2>
        <p>Secret chat · end-to-end encrypted</p>
      </div>
      <span className="secret-header-actions">
        <SecretTimerPicker ttlSeconds={ttlSeconds} onChange={onTimer} />
        <IconButton label="Verify safety number" onClick={onVerify}>
          <ShieldIcon />
        </IconButton>
      </span>
    </header>
  );
}
