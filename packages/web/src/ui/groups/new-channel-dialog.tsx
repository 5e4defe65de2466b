import { useState } from 'react';
import { Dialog } from '../common/dialog.tsx';
import { errorText } from '../common/error-text.ts';
import { FormError } from '../common/form-error.tsx';
import type { GroupsActions } from './groups-context.ts';

/** Creates a channel: a title, an optional public @username and an about text ([WEB30]). */
export function NewChannelDialog({ actions, onClose }: { actions: GroupsActions; onClose: () => void }) {
  const { client, store } = actions;
  const [title, setTitle] = useState('');
  const [username, setUsername] = useState('');
  const [about, setAbout] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  return (
    <Dialog title="New channel" onClose={onClose}>
      <form
        className="dialog-form"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          const name = username.trim().replace(/^@/, '');
          client
            .call('chats.createChannel', { title: title.trim(), ...(about.trim() === '' ? {} : { about: about.trim() }), ...(name === '' ? {} : { username: name }) })
            .then(
              ({ chat, users }) => {
                store.addUsers(users);
                store.addChat(chat);
                actions.openChat(chat.id);
                onClose();
              },
              (caught: unknown) => {
                setError(errorText(caught));
                setBusy(false);
              },
            );
        }}
      >
        <label className="field">
          <span>Channel name</span>
          <input name="title" autoFocus required maxLength={128} value={title} onChange={(event) => setTitle(event.target.value)} />
        </label>
        <label className="field">
          <span>Public link (optional)</span>
          <input name="username" autoComplete="off" placeholder="@channel_name" value={username} onChange={(event) => setUsername(event.target.value)} />
        </label>
        <p className="field-hint">With a public @name anyone can find the channel and join it; without one, only invite links lead to it.</p>
        <label className="field">
          <span>Description (optional)</span>
          <textarea name="about" rows={3} maxLength={1024} value={about} onChange={(event) => setAbout(event.target.value)} />
        </label>
        <FormError error={error} />
        <button type="submit" className="primary-button" disabled={isBusy || title.trim() === ''}>
          {isBusy ? 'Creating…' : 'Create channel'}
        </button>
      </form>
    </Dialog>
  );
}
