import { useContext, useState } from 'react';
import { errorText } from '../common/error-text.ts';
import { SecretChatsContext } from './secret-chats-context.ts';
import { StartSecretChatButton } from './start-secret-chat-button.tsx';
import './secret.css';

/**
 * The lock button of a private chat's header ([WEB40]): starts (or opens) the secret chat with the
 * other user. Renders nothing for groups, channels, Saved Messages, or without secret chats.
 */
export function SecretChatHeaderButton({ peerUserId, selfId, isPrivate }: { peerUserId: number | null; selfId: number; isPrivate: boolean }) {
  const handle = useContext(SecretChatsContext);
  const [error, setError] = useState<string | null>(null);
  if (handle === null || peerUserId === null || peerUserId === selfId || !isPrivate) return null;
  return (
    <span className="secret-header-actions">
      {error !== null && (
        <span className="form-error secret-start-error" role="alert">
          {error}
        </span>
      )}
      <StartSecretChatButton
        onStart={async () => {
          setError(null);
          await handle.startWith(peerUserId).catch((caught: unknown) => setError(errorText(caught)));
        }}
      />
    </span>
  );
}
