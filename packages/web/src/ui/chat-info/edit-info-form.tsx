import type { SamizdatClient } from '@samizdat/client';
import type { Chat } from '@samizdat/protocol';
import { useState } from 'react';
import { errorText } from '../common/error-text.ts';
import { FormStatus, type FormOutcome } from '../common/form-error.tsx';

/**
 * Edits a group's or channel's title and about (`chats.editInfo`, for admins with `changeInfo`)
 * and, for the owner, its public @username (`chats.setUsername`; empty makes it private) ([WEB34]).
 */
export function EditInfoForm({ client, chat, canSetUsername }: { client: SamizdatClient; chat: Chat; canSetUsername: boolean }) {
  const [title, setTitle] = useState(chat.title ?? '');
  const [about, setAbout] = useState(chat.about);
  const [username, setUsername] = useState(chat.username ?? '');
  const [status, setStatus] = useState<FormOutcome | null>(null);
  const [isBusy, setBusy] = useState(false);

  async function save(): Promise<void> {
    setBusy(true);
    setStatus(null);
    try {
      const nextTitle = title.trim();
      const nextAbout = about.trim();
      if (nextTitle !== (chat.title ?? '') || nextAbout !== chat.about) await client.call('chats.editInfo', { chatId: chat.id, title: nextTitle, about: nextAbout });
      const nextUsername = username.trim().replace(/^@/, '');
      if (canSetUsername && nextUsername !== (chat.username ?? '')) await client.call('chats.setUsername', { chatId: chat.id, username: nextUsername === '' ? null : nextUsername });
      setStatus({ text: 'Saved', isError: false });
    } catch (error) {
      setStatus({ text: errorText(error), isError: true });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="dialog-form info-form"
      aria-label="Edit chat info"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <label className="field">
        <span>Title</span>
        <input name="title" required maxLength={128} value={title} onChange={(event) => setTitle(event.target.value)} />
      </label>
      <label className="field">
        <span>About</span>
        <textarea name="about" rows={2} maxLength={1024} value={about} onChange={(event) => setAbout(event.target.value)} />
      </label>
      {canSetUsername && (
        <label className="field">
          <span>Public username</span>
          <input name="username" autoComplete="off" placeholder="none: private" value={username} onChange={(event) => setUsername(event.target.value)} />
        </label>
      )}
      <button type="submit" className="primary-button" disabled={isBusy || title.trim() === ''}>
        Save changes
      </button>
      <FormStatus status={status} />
    </form>
  );
}
