import { Avatar } from '../common/avatar.tsx';
import { BackIcon } from '../common/icons.tsx';
import { IconButton } from '../common/icon-button.tsx';
import { LockIcon, ShieldIcon } from './secret-icons.tsx';
import { SecretTimerPicker } from './secret-timer-picker.tsx';
import type { VerifiedState } from './secret-verified.ts';

/**
 * A secret chat's title bar: back (narrow screens), the peer with a lock, the timer, and "Verify".
 * A "Verified" badge shows while the safety number is the one the user marked verified, and a
 * warning once it changed ([WEB67]).
 */
export function SecretConversationHeader({ peerUserId, title, ttlSeconds, verified, showBack, onBack, onTimer, onVerify }: { peerUserId: number; title: string; ttlSeconds: number; verified: VerifiedState; showBack: boolean; onBack: () => void; onTimer: (ttlSeconds: number) => Promise<void>; onVerify: () => void }) {
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
          {verified === 'verified' && (
            <span className="secret-verified-badge" role="img" aria-label="Verified" title="You verified the safety number of this chat">
              <ShieldIcon size={14} />
              Verified
            </span>
          )}
        </h2>
        {verified === 'changed' ? (
          <p className="secret-verify-warning" role="alert">
            <button type="button" className="secret-verify-warning-button" onClick={onVerify}>
              Safety number changed — verify again
            </button>
          </p>
        ) : (
          <p>Secret chat · end-to-end encrypted</p>
        )}
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
