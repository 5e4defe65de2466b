import type { SamizdatClient } from '@samizdat/client';
import type { User } from '@samizdat/protocol';
import { useState } from 'react';
import { Dialog } from '../common/dialog.tsx';
import { errorText } from '../common/error-text.ts';
import { FormError } from '../common/form-error.tsx';
import { findPeer, type ChatPreview } from '../groups/find-peer.ts';
import { NewChatMenu } from '../groups/new-chat-menu.tsx';

/** Finds a user by @username or phone number to start a chat with. */
export function NewChatDialog({ client, onFound, onFoundSecret, onClose, groups }: { client: SamizdatClient; onFound: (user: User) => void; onFoundSecret?: (user: User) => Promise<void>; onClose: () => void; groups?: NewChatGroups }) {
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  return (
    <Dialog title="New chat" onClose={onClose}>
      {groups !== undefined && <NewChatMenu onNewGroup={groups.onNewGroup} onNewChannel={groups.onNewChannel} />}
      <form
        className="dialog-form"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          findPeer(client, query, findUser).then((found) => (found.kind === 'user' ? onFound(found.user) : groups?.onFoundChat(found.preview)), (caught: unknown) => {
            setError(errorText(caught));
            setBusy(false);
          });
        }}
      >
        <label className="field">
          <span>Username or phone number</span>
          <input name="peer" autoFocus required placeholder={groups === undefined ? '@username or +1 555 0100' : '@username, +1 555 0100 or invite link'} value={query} onChange={(event) => setQuery(event.target.value)} />
        </label>
        <FormError error={error} />
        <button type="submit" className="primary-button" disabled={isBusy || query.trim() === ''}>
          {isBusy ? 'Looking up…' : 'Start chat'}
        </button>
        {onFoundSecret !== undefined && (
          <button
            type="button"
            className="secondary-button secret-start-button"
            disabled={isBusy || query.trim() === ''}
            onClick={() => {
              setBusy(true);
              setError(null);
              findUser(client, query)
                .then(onFoundSecret)
                .catch((caught: unknown) => {
                  setError(errorText(caught));
                  setBusy(false);
                });
            }}
          >
            Start secret chat
          </button>
        )}
      </form>
    </Dialog>
  );
}

/** With these, the dialog also offers a new group or channel and finds groups and channels by @username or invite link ([WEB30], [WEB35]). */
export interface NewChatGroups {
  onNewGroup: () => void;
  onNewChannel: () => void;
  onFoundChat: (preview: ChatPreview) => void;
}

/** A phone number (digits, spaces, dashes, an optional +) is looked up as one; anything else as a username. */
async function findUser(client: SamizdatClient, query: string): Promise<User> {
  const text = query.trim();
  if (/^\+?[\d\s().-]{5,}$/.test(text)) return (await client.call('users.resolvePhone', { phone: text.replace(/[\s().-]/g, '') })).user;
  return (await client.call('users.resolveUsername', { username: text.replace(/^@/, '') })).user;
}
