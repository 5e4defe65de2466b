import {
  assertNever,
  normalizePhone,
  normalizeUsername,
  RpcError,
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
export const PEER_HELP = '@username, +phone number, numeric chat id, or "me" for saved messages';

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
  if (/^\d+$/.test(trimmed)) {
    const chatId = Number(trimmed);
    if (Number.isSafeInteger(chatId) && chatId > 0) return { kind: 'chat', chatId };
  }
  throw new CliError('USAGE_INVALID', `Cannot resolve peer "${input}": expected ${PEER_HELP}`);
}

/** The part of the SDK that peer resolution needs. */
export interface MethodCaller {
  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>>;
}

/** A resolved peer, with the user it names when it names one. */
export interface ResolvedPeer {
  peer: Peer;
  user: User | null;
}

/** Resolves a PEER argument to a protocol {@link Peer} (`users.resolveUsername`, `users.resolvePhone`). */
export async function resolvePeer(caller: MethodCaller, input: string, self: User): Promise<ResolvedPeer> {
  const parsed = parsePeerInput(input);
  switch (parsed.kind) {
    case 'self':
      return { peer: { type: 'user', userId: self.id }, user: self };
    case 'chat':
      return { peer: { type: 'chat', chatId: parsed.chatId }, user: null };
    case 'username': {
      const { user } = await caller.call('users.resolveUsername', { username: parsed.username });
      return { peer: { type: 'user', userId: user.id }, user };
    }
    case 'phone': {
      const { user } = await caller.call('users.resolvePhone', { phone: parsed.phone });
      return { peer: { type: 'user', userId: user.id }, user };
    }
    default:
      return assertNever(parsed);
  }
}
