import type { SamizdatClient } from '@samizdat/client';
import type { User } from '@samizdat/protocol';
import { useState } from 'react';
import { userName } from '../../model/format.ts';
import { Avatar } from '../common/avatar.tsx';
import { errorText } from '../common/error-text.ts';
import { FormError } from '../common/form-error.tsx';
import './groups.css';

/**
 * Picks users: a checklist of `candidates` (contacts and recent chats), and a field that adds
 * anyone else by @username.
 */
export function MemberPicker({ client, candidates, selected, onChange, onUserFound }: {
  client: SamizdatClient;
  candidates: readonly User[];
  selected: ReadonlySet<number>;
  onChange: (selected: Set<number>) => void;
  /** A user found by username, to add to the candidates. */
  onUserFound: (user: User) => void;
}) {
  const [username, setUsername] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);

  function toggle(userId: number): void {
    const next = new Set(selected);
    if (next.has(userId)) next.delete(userId);
    else next.add(userId);
    onChange(next);
  }

  async function addByUsername(): Promise<void> {
    const name = username.trim().replace(/^@/, '');
    if (name === '') return;
    setBusy(true);
    setError(null);
    try {
      const { user } = await client.call('users.resolveUsername', { username: name });
      onUserFound(user);
      onChange(new Set(selected).add(user.id));
      setUsername('');
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <fieldset className="member-picker">
      <legend>Members</legend>
      <div className="member-picker-add">
        <input
          aria-label="Add member by username"
          placeholder="@username"
          autoComplete="off"
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          onKeyDown={(event) => {
            // Enter adds the member rather than submitting the whole form.
            if (event.key === 'Enter') {
              event.preventDefault();
              void addByUsername();
            }
          }}
        />
        <button type="button" className="plain-button" disabled={isBusy || username.trim() === ''} onClick={() => void addByUsername()}>
          Add
        </button>
      </div>
      <FormError error={error} />
      {candidates.length === 0 ? (
        <p className="field-hint">No contacts yet: add people by their @username.</p>
      ) : (
        <ul className="member-picker-list" aria-label="People">
          {candidates.map((user) => (
            <li key={user.id}>
              <label className="member-picker-item">
                <input type="checkbox" checked={selected.has(user.id)} onChange={() => toggle(user.id)} />
                <Avatar id={user.id} name={userName(user)} size={32} />
                <span>{userName(user)}</span>
                {user.username !== null && <span className="member-picker-username">@{user.username}</span>}
              </label>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
