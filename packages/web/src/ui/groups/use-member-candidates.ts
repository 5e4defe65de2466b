import type { SamizdatClient } from '@samizdat/client';
import type { User } from '@samizdat/protocol';
import { useEffect, useMemo, useState } from 'react';
import type { AppSnapshot } from '../../model/chat-store.ts';
import { memberCandidates } from '../../model/group-rules.ts';

/** Nobody left out: for a new group, where no one is a member yet. */
const NO_ONE: ReadonlySet<number> = new Set();

/**
 * Whom a `MemberPicker` offers, for a new group ([WEB30]) and for adding members ([WEB34]) alike:
 * the viewer's contacts (fetched once per client), the people of recent chats, and anyone found by
 * @username in the picker (`addFound`), newest first. `excludeIds` (the present members) are left out.
 */
export function useMemberCandidates(client: SamizdatClient, snapshot: AppSnapshot, excludeIds: ReadonlySet<number> = NO_ONE): { candidates: readonly User[]; addFound: (user: User) => void } {
  const [contacts, setContacts] = useState<readonly User[]>([]);
  const [found, setFound] = useState<readonly User[]>([]);

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
    () => memberCandidates({ chats: snapshot.chats, users: snapshot.users, contacts: [...found, ...contacts], selfId: snapshot.self.id }).filter((user) => !excludeIds.has(user.id)),
    [snapshot.chats, snapshot.users, snapshot.self.id, contacts, found, excludeIds],
  );

  return { candidates, addFound: (user) => setFound((list) => [user, ...list]) };
}
