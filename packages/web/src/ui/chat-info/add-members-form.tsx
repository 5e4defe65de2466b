import type { SamizdatClient } from '@samizdat/client';
import type { Chat, User } from '@samizdat/protocol';
import { useEffect, useMemo, useState } from 'react';
import type { AppSnapshot } from '../../model/chat-store.ts';
import { memberCandidates } from '../../model/group-rules.ts';
import { errorText } from '../common/error-text.ts';
import { MemberPicker } from '../groups/member-picker.tsx';

/** Adds people to a group or channel (`chats.addMembers`), picked like a new group's members ([WEB34]). */
export function AddMembersForm({ client, chat, snapshot, memberIds, onDone }: { client: SamizdatClient; chat: Chat; snapshot: AppSnapshot; memberIds: ReadonlySet<number>; onDone: () => void }) {
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
    () => memberCandidates({ chats: snapshot.chats, users: snapshot.users, contacts: [...found, ...contacts], selfId: snapshot.self.id }).filter((user) => !memberIds.has(user.id)),
    [snapshot.chats, snapshot.users, snapshot.self.id, contacts, found, memberIds],
  );

  return (
    <form
      className="dialog-form add-members"
      aria-label="Add members"
      onSubmit={(event) => {
        event.preventDefault();
        setBusy(true);
        setError(null);
        client.call('chats.addMembers', { chatId: chat.id, userIds: [...selected] }).then(onDone, (caught: unknown) => {
          setError(errorText(caught));
          setBusy(false);
        });
      }}
    >
      <MemberPicker client={client} candidates={candidates} selected={selected} onChange={setSelected} onUserFound={(user) => setFound((list) => [user, ...list])} />
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary-button" disabled={isBusy || selected.size === 0}>
        Add {selected.size === 0 ? '' : selected.size} {selected.size === 1 ? 'member' : 'members'}
      </button>
    </form>
  );
}
