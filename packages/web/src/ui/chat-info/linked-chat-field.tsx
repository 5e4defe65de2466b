import type { SamizdatClient } from '@samizdat/client';
import type { Chat } from '@samizdat/protocol';
import { useState } from 'react';
import type { AppSnapshot } from '../../model/chat-store.ts';
import { chatTitle } from '../../model/format.ts';
import { hasRight } from '../../model/group-rules.ts';
import { errorText } from '../common/error-text.ts';

/**
 * A channel's discussion group, where its posts get comments (`chats.setLinkedChat`, [CHN5]): any
 * group in which the admin may change the info, or none ([WEB33]).
 */
export function LinkedChatField({ client, chat, snapshot }: { client: SamizdatClient; chat: Chat; snapshot: AppSnapshot }) {
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  const groups = snapshot.chats.filter((candidate) => candidate.type === 'group' && hasRight(candidate, 'changeInfo'));
  const linked = chat.linkedChatId === null ? undefined : snapshot.chats.find((candidate) => candidate.id === chat.linkedChatId);
  return (
    <label className="field">
      <span>Discussion group</span>
      <select
        value={chat.linkedChatId ?? ''}
        disabled={isBusy}
        onChange={(event) => {
          setBusy(true);
          setError(null);
          const linkedChatId = event.target.value === '' ? null : Number(event.target.value);
          client
            .call('chats.setLinkedChat', { chatId: chat.id, linkedChatId })
            .catch((caught: unknown) => setError(errorText(caught)))
            .finally(() => setBusy(false));
        }}
      >
        <option value="">None (no comments)</option>
        {chat.linkedChatId !== null && linked === undefined && <option value={chat.linkedChatId}>Group {chat.linkedChatId}</option>}
        {groups.map((group) => (
          <option key={group.id} value={group.id}>
            {chatTitle(group, snapshot.users, snapshot.self.id)}
          </option>
        ))}
      </select>
      {error !== null && (
        <span className="form-error" role="alert">
          {error}
        </span>
      )}
    </label>
  );
}
