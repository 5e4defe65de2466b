import { useState } from 'react';
import type { AppSnapshot } from '../../model/chat-store.ts';
import { Dialog } from '../common/dialog.tsx';
import { errorText } from '../common/error-text.ts';
import { FormError } from '../common/form-error.tsx';
import type { GroupsActions } from './groups-context.ts';
import { MemberPicker } from './member-picker.tsx';
import { useMemberCandidates } from './use-member-candidates.ts';

/** Creates a group: a title and the members, picked from contacts and recent chats or by @username ([WEB30]). */
export function NewGroupDialog({ actions, snapshot, onClose }: { actions: GroupsActions; snapshot: AppSnapshot; onClose: () => void }) {
  const { client, store } = actions;
  const [title, setTitle] = useState('');
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);

  const { candidates, addFound } = useMemberCandidates(client, snapshot);

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
        <MemberPicker client={client} candidates={candidates} selected={selected} onChange={setSelected} onUserFound={addFound} />
        <FormError error={error} />
        <button type="submit" className="primary-button" disabled={isBusy || title.trim() === ''}>
          {isBusy ? 'Creating…' : `Create group${selected.size > 0 ? ` with ${selected.size}` : ''}`}
        </button>
      </form>
    </Dialog>
  );
}
