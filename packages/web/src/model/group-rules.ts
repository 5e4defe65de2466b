import type { AdminRights, Chat, ChatMember, MemberRole, User } from '@samizdat/protocol';

/** The rights an admin can be given, in the order the rights editor lists them, with their labels. */
export const ADMIN_RIGHTS: readonly { right: keyof AdminRights; label: string; isChannelOnly?: boolean }[] = [
  { right: 'changeInfo', label: 'Change chat info' },
  { right: 'postMessages', label: 'Post messages', isChannelOnly: true },
  { right: 'deleteMessages', label: 'Delete messages' },
  { right: 'banUsers', label: 'Ban users' },
  { right: 'inviteUsers', label: 'Invite users via link' },
  { right: 'pinMessages', label: 'Pin messages' },
  { right: 'addAdmins', label: 'Add new admins' },
];

/**
 * The rights a new admin starts with: what a moderator needs (as Telegram proposes), but not the
 * right to appoint more admins.
 */
export function defaultAdminRights(chat: Pick<Chat, 'type'>, granter: Pick<Chat, 'myRole' | 'myRights'>): AdminRights {
  const rights: AdminRights = {
    changeInfo: true,
    deleteMessages: true,
    banUsers: true,
    inviteUsers: true,
    pinMessages: true,
    addAdmins: false,
    postMessages: chat.type === 'channel',
  };
  // An admin grants only rights they hold (GRP4 on the server).
  if (granter.myRole === 'owner') return rights;
  const held = granter.myRights;
  const granted = { ...rights };
  for (const key of Object.keys(granted) as (keyof AdminRights)[]) granted[key] = granted[key] && held?.[key] === true;
  return granted;
}

/** Whether the viewer holds `right` in the chat: the owner holds every right, an admin those given. */
export function hasRight(chat: Pick<Chat, 'myRole' | 'myRights'>, right: keyof AdminRights): boolean {
  if (chat.myRole === 'owner') return true;
  return chat.myRole === 'admin' && chat.myRights?.[right] === true;
}

/** Whether the viewer is the owner or an admin. */
export function isAdmin(chat: Pick<Chat, 'myRole'>): boolean {
  return chat.myRole === 'owner' || chat.myRole === 'admin';
}

/**
 * Whether the viewer may write in the chat ([WEB31]): anyone in a private chat, members of a group,
 * and in a channel only the owner and admins with `postMessages`.
 */
export function canPost(chat: Pick<Chat, 'type' | 'myRole' | 'myRights'> | null): boolean {
  if (chat === null || chat.type === 'private') return true;
  if (chat.myRole === null) return false;
  if (chat.type === 'group') return true;
  return hasRight(chat, 'postMessages');
}

/** What the members list says of a role. */
export function roleLabel(role: MemberRole): string {
  return role === 'owner' ? 'owner' : role === 'admin' ? 'admin' : 'member';
}

/** Owner first, then admins, then members; each by the order they joined. */
export function sortMembers(members: readonly ChatMember[]): ChatMember[] {
  const rank = { owner: 0, admin: 1, member: 2 } as const;
  return [...members].sort((a, b) => rank[a.role] - rank[b.role] || a.joinedAt - b.joinedAt || a.userId - b.userId);
}

/**
 * Whether the viewer may act on `member` (remove, ban, change rights): never on themself or the
 * owner; on an admin only as the owner (as on Telegram, admins do not demote each other).
 */
export function canManage(chat: Pick<Chat, 'myRole' | 'myRights'>, member: ChatMember, selfId: number): boolean {
  if (member.userId === selfId || member.role === 'owner') return false;
  if (member.role === 'admin') return chat.myRole === 'owner';
  return hasRight(chat, 'banUsers') || hasRight(chat, 'addAdmins');
}

/**
 * The hash of an invite link (`https://host/+HASH`, `/+HASH`, `+HASH`, or `…/joinchat/HASH`), or
 * null when the text is not one.
 */
export function parseInviteHash(text: string): string | null {
  const trimmed = text.trim();
  const match = /(?:^|\/)(?:\+|joinchat\/)([A-Za-z0-9_-]{8,64})\/?$/.exec(trimmed);
  const hash = match?.[1] ?? null;
  // `+` and digits only is a phone number (`+9996680008`), never one of the server's random hashes.
  return hash === null || /^\d+$/.test(hash) ? null : hash;
}

/**
 * The users one may pick as members of a new group: contacts and the people of the user's
 * private chats (most recent first), each once, never the user themself.
 */
export function memberCandidates(options: { chats: readonly Chat[]; users: ReadonlyMap<number, User>; contacts: readonly User[]; selfId: number }): User[] {
  const seen = new Set<number>([options.selfId]);
  const picked: User[] = [];
  const add = (user: User | undefined) => {
    if (user === undefined || seen.has(user.id)) return;
    seen.add(user.id);
    picked.push(user);
  };
  for (const chat of options.chats) if (chat.type === 'private' && chat.peerUserId !== null) add(options.users.get(chat.peerUserId));
  for (const user of options.contacts) add(user);
  return picked;
}

/** How a channel post's view count reads: 1 view, 2 views, 1.2K views. */
export function formatViews(views: number): string {
  const count = views < 1000 ? String(views) : views < 1_000_000 ? `${trimDecimal(views / 1000)}K` : `${trimDecimal(views / 1_000_000)}M`;
  return `${count} ${views === 1 ? 'view' : 'views'}`;
}

function trimDecimal(value: number): string {
  return value >= 100 ? String(Math.floor(value)) : (Math.floor(value * 10) / 10).toFixed(1).replace(/\.0$/, '');
}
