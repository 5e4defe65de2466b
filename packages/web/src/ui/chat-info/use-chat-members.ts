import type { SamizdatClient } from '@samizdat/client';
import type { Chat, ChatMember, User } from '@samizdat/protocol';
import { useCallback, useEffect, useState } from 'react';
import { hasRight, sortMembers } from '../../model/group-rules.ts';
import { errorText } from '../common/error-text.ts';

/** Members listed at once; the panel says how many more there are. */
export const MEMBERS_PAGE = 200;

/** A chat's members as the panel lists them. */
export interface MembersState {
  members: readonly ChatMember[];
  users: ReadonlyMap<number, User>;
  count: number;
  /** Only the admins are listed (a channel's subscribers see no more). */
  isAdminsOnly: boolean;
  error: string | null;
  reload: () => void;
}

/**
 * Loads a group's or channel's members (`chats.getMembers`), and again whenever the chat's own
 * sequence says a member or the chat changed ([SDK24]'s `chatUpdate`), so the list stays live.
 * A channel's subscribers may list its admins only (the server's rule), so they are asked for those.
 */
export function useChatMembers(client: SamizdatClient, chat: Chat): MembersState {
  const isAdminsOnly = chat.type === 'channel' && !hasRight(chat, 'banUsers') && !hasRight(chat, 'inviteUsers');
  const isMember = chat.myRole !== null && chat.type !== 'private';
  const [state, setState] = useState<Omit<MembersState, 'reload' | 'isAdminsOnly'>>({ members: [], users: new Map(), count: 0, error: null });
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((count) => count + 1), []);

  useEffect(() => {
    if (!isMember) return undefined;
    let isCurrent = true;
    client.call('chats.getMembers', { chatId: chat.id, filter: isAdminsOnly ? 'admins' : 'all', limit: MEMBERS_PAGE }).then(
      (result) => {
        if (!isCurrent) return;
        setState({ members: sortMembers(result.members), users: new Map(result.users.map((user) => [user.id, user])), count: result.count, error: null });
      },
      (error: unknown) => isCurrent && setState((current) => ({ ...current, error: errorText(error) })),
    );
    return () => {
      isCurrent = false;
    };
  }, [client, chat.id, isAdminsOnly, isMember, version]);

  useEffect(
    () =>
      client.on('chatUpdate', ({ chatId, update }) => {
        if (chatId === chat.id && (update.type === 'chatMember' || update.type === 'chatUpdated')) reload();
      }),
    [client, chat.id, reload],
  );

  return { ...state, isAdminsOnly, reload };
}
