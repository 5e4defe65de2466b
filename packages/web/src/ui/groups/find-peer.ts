import { RpcError, type SamizdatClient } from '@samizdat/client';
import type { Chat, ChatType, User } from '@samizdat/protocol';
import { parseInviteHash } from '../../model/group-rules.ts';

/** A group or channel found before joining it: by its @username, or by an invite link. */
export type ChatPreview =
  | { kind: 'public'; chat: Chat }
  | { kind: 'invite'; hash: string; chatId: number | null; type: ChatType; title: string; about: string; memberCount: number };

/** What the new-chat dialog found: a user to message, or a group or channel to open or join. */
export type FoundPeer = { kind: 'user'; user: User } | { kind: 'chat'; preview: ChatPreview };

/**
 * Looks up what the new-chat box holds ([WEB35]): an invite link is checked with
 * `chats.checkInviteLink`; anything else goes to `findUser` (a username or phone number), and a
 * username no user has is tried as a group's or channel's (one namespace on the server).
 */
export async function findPeer(client: SamizdatClient, query: string, findUser: (client: SamizdatClient, query: string) => Promise<User>): Promise<FoundPeer> {
  const hash = parseInviteHash(query);
  if (hash !== null) {
    const info = await client.call('chats.checkInviteLink', { hash });
    return { kind: 'chat', preview: { kind: 'invite', hash, ...info } };
  }
  try {
    return { kind: 'user', user: await findUser(client, query) };
  } catch (error) {
    if (!(error instanceof RpcError) || error.code !== 'USERNAME_NOT_OCCUPIED') throw error;
    const { chat } = await client.call('chats.resolveUsername', { username: query.trim().replace(/^@/, '') });
    return { kind: 'chat', preview: { kind: 'public', chat } };
  }
}
