import { assertNever, normalizeUsername, RpcError, type Chat } from '@samizdat/protocol';
import { CliError } from './cli-error.ts';
import { resolveChat, type MethodCaller } from './peer.ts';

/** What `group join` and `channel subscribe` were given: an invite (by its hash) or a public username. */
export type JoinTarget = { kind: 'invite'; hash: string } | { kind: 'username'; username: string };

/** The help text of a LINK|HASH|@username argument. */
export const JOIN_HELP = 'invite link (http://host:port/+HASH), its HASH, or @username of a public group or channel';

// The hash is what follows `/+` in a link; the server makes it URL-safe base64.
const HASH = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Reads a join argument: a full invite link `http(s)://host:port/+HASH`, a bare `HASH` (or `+HASH`),
 * or `@username`. Only the hash of a link is used: the link's host is not checked against the
 * profile's server, as a server may print links under a public name it is reached by.
 */
export function parseJoinTarget(input: string): JoinTarget {
  const trimmed = input.trim();
  if (trimmed.startsWith('@')) {
    const username = normalizeUsername(trimmed);
    if (username === null) {
      throw new RpcError('USERNAME_INVALID', `Cannot join "${input}": a username is 5–32 characters of a–z, 0–9 and _, starting with a letter`);
    }
    return { kind: 'username', username };
  }
  let hash = trimmed;
  if (/^https?:\/\//i.test(trimmed)) {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw new CliError('USAGE_INVALID', `Cannot join "${input}": not a valid URL`);
    }
    const match = /^\/\+([^/]+)\/?$/.exec(url.pathname);
    if (match === null) throw new RpcError('INVITE_HASH_INVALID', `Cannot join "${input}": an invite link's path is /+HASH`);
    hash = decodeURIComponent(match[1] ?? '');
  } else if (trimmed.startsWith('+')) {
    hash = trimmed.slice(1);
  }
  if (!HASH.test(hash)) {
    throw new RpcError('INVITE_HASH_INVALID', `Cannot join "${input}": expected ${JOIN_HELP}`);
  }
  return { kind: 'invite', hash };
}

/**
 * Joins the group or channel a join argument names: an invite through `chats.joinByLink`, a public
 * one by its username through `chats.resolveUsername` and `chats.join`. Resolves with the chat.
 */
export async function joinChat(caller: MethodCaller, input: string): Promise<Chat> {
  const target = parseJoinTarget(input);
  switch (target.kind) {
    case 'invite':
      return (await caller.call('chats.joinByLink', { hash: target.hash })).chat;
    case 'username': {
      const { chatId } = await resolveChat(caller, `@${target.username}`);
      return (await caller.call('chats.join', { chatId })).chat;
    }
    default:
      return assertNever(target);
  }
}
