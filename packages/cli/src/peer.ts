import {
  assertNever,
  normalizePhone,
  normalizeUsername,
  RpcError,
  type Chat,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type Peer,
  type User,
} from '@samizdat/protocol';
import { CliError } from './cli-error.ts';

/** What a PEER argument names, before it is resolved against the server. */
export type PeerInput =
  | { kind: 'username'; username: string }
  | { kind: 'phone'; phone: string }
  | { kind: 'chat'; chatId: number }
  | { kind: 'self' };

/** The help text every command with a PEER argument shows. */
export const PEER_HELP = '@username (user, group or channel), +phone number, numeric chat id, or "me" for saved messages';

/** The help text of a CHAT argument (a group or channel). */
export const CHAT_HELP = 'group or channel: numeric chat id or @username';

/** The help text of an argument that names a user. */
export const USER_HELP = 'user: @username, +phone number, or the id of your private chat with them';

/**
 * Reads a PEER argument: `@username`, a phone number starting with `+`, a numeric chat id (as
 * `chats` shows it), or `me`. Fails with the code the server would answer for a malformed username
 * or phone, so the message is the same whichever side noticed.
 */
export function parsePeerInput(input: string): PeerInput {
  const trimmed = input.trim();
  if (trimmed === 'me' || trimmed === 'self') return { kind: 'self' };
  if (trimmed.startsWith('@')) {
    const username = normalizeUsername(trimmed);
    if (username === null) {
      throw new RpcError('USERNAME_INVALID', `Cannot resolve peer "${input}": a username is 5–32 characters of a–z, 0–9 and _, starting with a letter`);
    }
    return { kind: 'username', username };
  }
  if (trimmed.startsWith('+')) {
    const phone = normalizePhone(trimmed);
    if (phone === null) throw new RpcError('PHONE_NUMBER_INVALID', `Cannot resolve peer "${input}": expected + and 7–15 digits`);
    return { kind: 'phone', phone };
  }
  const chatId = parseChatId(trimmed);
  if (chatId !== null) return { kind: 'chat', chatId };
  throw new CliError('USAGE_INVALID', `Cannot resolve peer "${input}": expected ${PEER_HELP}`);
}

/** The part of the SDK that peer resolution needs. */
export interface MethodCaller {
  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>>;
}

/** A resolved peer, with the user or the group/channel it names when the lookup returned one. */
export interface ResolvedPeer {
  peer: Peer;
  /** The user, for `@username` of a user, `+phone` and `me`. */
  user: User | null;
  /** The group or channel, for `@username` of one. */
  chat: Chat | null;
}

/**
 * Resolves a PEER argument to a protocol {@link Peer}. Groups and channels share the username
 * namespace with users, so `@name` asks `users.resolveUsername` first and, when no user has the
 * name, `chats.resolveUsername`.
 */
export async function resolvePeer(caller: MethodCaller, input: string, self: User): Promise<ResolvedPeer> {
  const parsed = parsePeerInput(input);
  switch (parsed.kind) {
    case 'self':
      return { peer: { type: 'user', userId: self.id }, user: self, chat: null };
    case 'chat':
      return { peer: { type: 'chat', chatId: parsed.chatId }, user: null, chat: null };
    case 'username': {
      const user = await resolveUsernameOrNull(caller, parsed.username);
      if (user !== null) return { peer: { type: 'user', userId: user.id }, user, chat: null };
      const chat = await resolveChatUsername(caller, parsed.username, 'no user, group or channel');
      return { peer: { type: 'chat', chatId: chat.id }, user: null, chat };
    }
    case 'phone': {
      const { user } = await caller.call('users.resolvePhone', { phone: parsed.phone });
      return { peer: { type: 'user', userId: user.id }, user, chat: null };
    }
    default:
      return assertNever(parsed);
  }
}

/**
 * Resolves a CHAT argument (a group or channel): a numeric chat id as it is, `@username` through
 * `chats.resolveUsername`. Returns the chat when the lookup fetched it.
 */
export async function resolveChat(caller: MethodCaller, input: string): Promise<{ chatId: number; chat: Chat | null }> {
  const trimmed = input.trim();
  const chatId = parseChatId(trimmed);
  if (chatId !== null) return { chatId, chat: null };
  if (!trimmed.startsWith('@')) throw new CliError('USAGE_INVALID', `Cannot resolve chat "${input}": expected ${CHAT_HELP}`);
  const username = normalizeUsername(trimmed);
  if (username === null) {
    throw new RpcError('USERNAME_INVALID', `Cannot resolve chat "${input}": a username is 5–32 characters of a–z, 0–9 and _, starting with a letter`);
  }
  const chat = await resolveChatUsername(caller, username, 'no group or channel');
  return { chatId: chat.id, chat };
}

/**
 * Resolves an argument that must name a user: `@username`, `+phone`, `me`, or the id of a private
 * chat (whose other member it then names). A group, a channel or a chat id that is not private fail
 * with `PEER_ID_INVALID`.
 */
export async function resolveUser(caller: MethodCaller, input: string, self: User): Promise<User> {
  const resolved = await resolvePeer(caller, input, self);
  if (resolved.user !== null) return resolved.user;
  if (resolved.peer.type !== 'chat') throw new Error(`resolvePeer returned user peer ${resolved.peer.userId} without its user`);
  const { chat, users } =
    resolved.chat === null ? await caller.call('chats.get', { chatId: resolved.peer.chatId }) : { chat: resolved.chat, users: [] };
  const user = chat.type === 'private' ? users.find((candidate) => candidate.id === chat.peerUserId) : undefined;
  if (user !== undefined) return user;
  const kind = chat.type === 'private' ? 'private chat whose user the server did not return' : chat.type;
  throw new RpcError('PEER_ID_INVALID', `Cannot use "${input}" as a user: chat ${chat.id} is a ${kind}`);
}

/** A positive chat id written as digits, or null. */
function parseChatId(input: string): number | null {
  if (!/^\d+$/.test(input)) return null;
  const chatId = Number(input);
  return Number.isSafeInteger(chatId) && chatId > 0 ? chatId : null;
}

/** `users.resolveUsername`, with "nobody has it" as null rather than an error. */
async function resolveUsernameOrNull(caller: MethodCaller, username: string): Promise<User | null> {
  try {
    return (await caller.call('users.resolveUsername', { username })).user;
  } catch (error) {
    if (error instanceof RpcError && error.code === 'USERNAME_NOT_OCCUPIED') return null;
    throw error;
  }
}

/** `chats.resolveUsername`, failing with a message that says what was looked for. */
async function resolveChatUsername(caller: MethodCaller, username: string, nobody: string): Promise<Chat> {
  try {
    return (await caller.call('chats.resolveUsername', { username })).chat;
  } catch (error) {
    if (error instanceof RpcError && error.code === 'USERNAME_NOT_OCCUPIED') {
      throw new RpcError('USERNAME_NOT_OCCUPIED', `Cannot resolve username: ${nobody} is @${username}`);
    }
    throw error;
  }
}
