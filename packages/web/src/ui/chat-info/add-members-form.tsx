import type { SamizdatClient } from '@samizdat/client';
import type { Chat } from '@samizdat/protocol';
import { useState } from 'react';
import type { AppSnapshot } from '../../model/chat-store.ts';
import { errorText } from '../common/error-text.ts';
import { FormError } from '../common/form-error.tsx';
import { MemberPicker } from '../groups/member-picker.tsx';
import { useMemberCandidates } from '../groups/use-member-candidates.ts';

/** Adds people to a group or channel (`chats.addMembers`), picked like a new group's members ([WEB34]). */
export function AddMembersForm({ client, chat, snapshot, memberIds, onDone }: { client: SamizdatClient; chat: Chat; snapshot: AppSnapshot; memberIds: ReadonlySet<number>; onDone: () => void }) {
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);

  const { candidates, addFound } = useMemberCandidates(client, snapshot, memberIds);

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
      <MemberPicker client={client} candidates={candidates} selected={selected} onChange={setSelected} onUserFound={addFound} />
      <FormError error={error} />
      <button type="submit" className="primary-button" disabled={isBusy || selected.size === 0}>
        Add {selected.size === 0 ? '' : selected.size} {selected.size === 1 ? 'member' : 'members'}
      </button>
    </form>
  );
}
