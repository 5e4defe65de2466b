import type { SamizdatClient } from '@samizdat/client';
import type { User } from '@samizdat/protocol';
import { useState } from 'react';
import { Dialog } from '../common/dialog.tsx';
import { errorText } from '../common/error-text.ts';

/** Finds a user by @username or phone number to start a chat with. */
export function NewChatDialog({ client, onFound, onClose }: { client: SamizdatClient; onFound: (user: User) => void; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  return (
    <Dialog title="New chat" onClose={onClose}>
      <form
        className="dialog-form"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          findUser(client, query).then(onFound, (caught: unknown) => {
            setError(errorText(caught));
            setBusy(false);
          });
        }}
      >
        <label className="field">
          <span>Username or phone number</span>
          <input name="peer" autoFocus required placeholder="@username or +1 555 0100" value={query} onChange={(event) => setQuery(event.target.value)} />
        </label>
        {error !== null && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary-button" disabled={isBusy || query.trim() === ''}>
          {isBusy ? 'Looking up…' : 'Start chat'}
        </button>
      </form>
    </Dialog>
  );
}

/** A phone number (digits, spaces, dashes, an optional +) is looked up as one; anything else as a username. */
async function findUser(client: SamizdatClient, query: string): Promise<User> {
  const text = query.trim();
  if (/^\+?[\d\s().-]{5,}$/.test(text)) return (await client.call('users.resolvePhone', { phone: text.replace(/[\s().-]/g, '') })).user;
  return (await client.call('users.resolveUsername', { username: text.replace(/^@/, '') })).user;
}
