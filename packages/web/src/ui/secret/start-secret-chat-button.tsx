import { useState } from 'react';
import { IconButton } from '../common/icon-button.tsx';
import { LockIcon } from './secret-icons.tsx';

/** "Start secret chat" in a private chat's header ([WEB40]): opens (or starts) the secret chat with that user. */
export function StartSecretChatButton({ onStart }: { onStart: () => Promise<void> }) {
  const [isBusy, setBusy] = useState(false);
  return (
    <IconButton
      label="Start secret chat"
      disabled={isBusy}
      onClick={() => {
        setBusy(true);
        void onStart().finally(() => setBusy(false));
      }}
    >
      <LockIcon size={20} />
    </IconButton>
  );
}
