import type { SamizdatClient } from '@samizdat/client';
import type { User } from '@samizdat/protocol';
import { useState } from 'react';
import { userName } from '../../model/format.ts';
import { Avatar } from '../common/avatar.tsx';
import { Dialog } from '../common/dialog.tsx';
import { errorText } from '../common/error-text.ts';
import { FormStatus, type FormOutcome } from '../common/form-error.tsx';
import { PrivacySection } from './privacy-section.tsx';
import { SessionsPanel } from './sessions-panel.tsx';
import { BotsPanel } from './bots-panel.tsx';
import './settings.css';

/**
 * The signed-in user's settings ([WEB45]–[WEB47]): display name, the @username others find them
 * by, who sees their phone number and last seen, the active sessions (each can be ended), and sign out.
 */
export function SettingsDialog({ client, self, onUserChanged, onClose }: { client: SamizdatClient; self: User; onUserChanged: (user: User) => void; onClose: () => void }) {
  const [view, setView] = useState<'main' | 'sessions' | 'bots'>('main');
  const [displayName, setDisplayName] = useState(self.displayName);
  const [username, setUsername] = useState(self.username ?? '');
  const [status, setStatus] = useState<FormOutcome | null>(null);
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

  if (view === 'sessions') {
    return (
      <Dialog title="Active sessions" onClose={onClose}>
        <SessionsPanel client={client} onBack={() => setView('main')} />
      </Dialog>
    );
  }

  if (view === 'bots') {
    return (
      <Dialog title="My bots" onClose={onClose}>
        <BotsPanel client={client} onBack={() => setView('main')} onBotCreated={(bot) => onUserChanged(bot)} />
      </Dialog>
    );
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
        className="dialog-form settings-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            const { user } = await client.call('account.updateProfile', { displayName: displayName.trim() });
            onUserChanged(user);
            return `Your name is ${user.displayName}`;
          });
        }}
      >
        <label className="field">
          <span>Display name</span>
          <input name="displayName" autoComplete="name" required maxLength={64} value={displayName} onChange={(event) => setDisplayName(event.target.value)} />
        </label>
        <button type="submit" className="primary-button" disabled={isBusy || displayName.trim() === '' || displayName.trim() === self.displayName}>
          Save name
        </button>
      </form>
      <form
        className="dialog-form settings-form"
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
      <FormStatus status={status} />
      <PrivacySection client={client} />
      <button type="button" className="settings-row-button" onClick={() => setView('sessions')}>
        <span>Active sessions</span>
        <span aria-hidden="true">›</span>
      </button>
      <button type="button" className="settings-row-button" onClick={() => setView('bots')}>
        <span>My bots</span>
        <span aria-hidden="true">›</span>
      </button>
      <button type="button" className="danger-button" disabled={isBusy} onClick={() => void run(async () => (await client.logOut(), 'Signed out'))}>
        Sign out
      </button>
    </Dialog>
  );
}
