import type { SamizdatClient } from '@samizdat/client';
import type { User } from '@samizdat/protocol';
import { useState } from 'react';
import { userName } from '../../model/format.ts';
import { Avatar } from '../common/avatar.tsx';
import { Dialog } from '../common/dialog.tsx';
import { errorText } from '../common/error-text.ts';

/** The signed-in user's profile: name, phone, the @username others find them by, and sign out. */
export function SettingsDialog({ client, self, onUserChanged, onClose }: { client: SamizdatClient; self: User; onUserChanged: (user: User) => void; onClose: () => void }) {
  const [username, setUsername] = useState(self.username ?? '');
  const [status, setStatus] = useState<{ text: string; isError: boolean } | null>(null);
  const [isBusy, setBusy] = useState(false);

  async function run(task: () => Promise<string>): Promise<void> {
    setBusy(true);
    setStatus(null);
    try {
      setStatus({ text: await task(), isError: false });
    } catch (error) {
      setStatus({ text: errorText(error), isError: true });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title="Settings" onClose={onClose}>
      <div className="profile">
        <Avatar id={self.id} name={userName(self)} size={64} />
        <div>
          <p className="profile-name">{userName(self)}</p>
          {self.phone !== null && <p className="profile-phone">{self.phone}</p>}
        </div>
      </div>
      <form
        className="dialog-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            const next = username.trim().replace(/^@/, '');
            const { user } = await client.call('account.setUsername', { username: next === '' ? null : next });
            onUserChanged(user);
            return user.username === null ? 'Username removed' : `Your username is @${user.username}`;
          });
        }}
      >
        <label className="field">
          <span>Username</span>
          <input name="username" autoComplete="off" placeholder="your_name" value={username} onChange={(event) => setUsername(event.target.value)} />
        </label>
        <p className="field-hint">People can find you by this name and message you without knowing your phone number.</p>
        <button type="submit" className="primary-button" disabled={isBusy}>
          Save username
        </button>
      </form>
      {status !== null && (
        <p className={status.isError ? 'form-error' : 'form-ok'} role={status.isError ? 'alert' : 'status'}>
          {status.text}
        </p>
      )}
      <button type="button" className="danger-button" disabled={isBusy} onClick={() => void run(async () => (await client.logOut(), 'Signed out'))}>
        Sign out
      </button>
    </Dialog>
  );
}
