import type { User } from '@samizdat/protocol';
import { useEffect, useMemo, useState } from 'react';
import type { AppSnapshot } from '../../model/chat-store.ts';
import { memberCandidates } from '../../model/group-rules.ts';
import { Dialog } from '../common/dialog.tsx';
import { errorText } from '../common/error-text.ts';
import type { GroupsActions } from './groups-context.ts';
import { MemberPicker } from './member-picker.tsx';

/** Creates a group: a title and the members, picked from contacts and recent chats or by @username ([WEB30]). */
export function NewGroupDialog({ actions, snapshot, onClose }: { actions: GroupsActions; snapshot: AppSnapshot; onClose: () => void }) {
  const { client, store } = actions;
  const [title, setTitle] = useState('');
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [contacts, setContacts] = useState<readonly User[]>([]);
  const [found, setFound] = useState<readonly User[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);

  useEffect(() => {
    let isCurrent = true;
    client.call('contacts.list', {}).then(
      ({ users }) => isCurrent && setContacts(users),
      (caught: unknown) => console.warn('contacts', caught),
    );
    return () => {
      isCurrent = false;
    };
  }, [client]);

  const candidates = useMemo(
    () => memberCandidates({ chats: snapshot.chats, users: snapshot.users, contacts: [...found, ...contacts], selfId: snapshot.self.id }),
    [snapshot.chats, snapshot.users, snapshot.self.id, contacts, found],
  );

  return (
    <Dialog title="New group" onClose={onClose}>
      <form
        className="dialog-form"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          client.call('chats.createGroup', { title: title.trim(), userIds: [...selected] }).then(
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
          <span>Group name</span>
          <input name="title" autoFocus required maxLength={128} value={title} onChange={(event) => setTitle(event.target.value)} />
        </label>
        <MemberPicker client={client} candidates={candidates} selected={selected} onChange={setSelected} onUserFound={(user) => setFound((list) => [user, ...list])} />
        {error !== null && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary-button" disabled={isBusy || title.trim() === ''}>
          {isBusy ? 'Creating…' : `Create group${selected.size > 0 ? ` with ${selected.size}` : ''}`}
        </button>
      </form>
    </Dialog>
  );
}
