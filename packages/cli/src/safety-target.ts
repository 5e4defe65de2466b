import { assertNever, normalizePhone, normalizeUsername, RpcError, type ReportTarget, type User } from '@samizdat/protocol';
import { CliError } from './cli-error.ts';
import { parseMessageRef, type MessageRef } from './message-ref.ts';
import { resolveChat, resolvePeer, type MethodCaller } from './peer.ts';

/**
 * The TARGET of `report` and `mod act`: what a report is about, written on the command line.
 *
 * - a public group or channel: `@username` or its numeric chat id (`12`);
 * - a message: `PEER:MESSAGE_ID`, as `download` takes it (`@news:5`, `12:5`, `+15551234567:7`,
 *   `me:3`); `mod queue` prints `CHAT_ID:MESSAGE_ID`;
 * - a user: `user:@username`, `user:+phone` or `user:ID` (a user id, as `mod queue` prints it).
 */
export const TARGET_HELP =
  'a public group or channel (@username or chat id), a message (PEER:MESSAGE_ID, e.g. @news:5 or 12:5), ' +
  'or a user (user:@username, user:+phone or user:ID)';

/** A TARGET argument as read, before anything is asked of the server. */
export type TargetInput =
  | { kind: 'chat'; chatInput: string }
  | { kind: 'message'; ref: MessageRef }
  | { kind: 'user'; user: { type: 'username'; username: string } | { type: 'phone'; phone: string } | { type: 'id'; userId: number } };

/** Reads a TARGET argument; fails with `USAGE_INVALID` (or the server's code for a malformed name) before connecting. */
export function parseTargetInput(input: string): TargetInput {
  const trimmed = input.trim();
  const fail = (why: string) => new CliError('USAGE_INVALID', `Cannot read target "${input}": ${why}; expected ${TARGET_HELP}`);
  if (/^user:/i.test(trimmed)) {
    const rest = trimmed.slice('user:'.length).trim();
    if (rest.startsWith('@')) {
      const username = normalizeUsername(rest);
      if (username === null) throw new RpcError('USERNAME_INVALID', `Cannot read target "${input}": a username is 5–32 characters of a–z, 0–9 and _, starting with a letter`);
      return { kind: 'user', user: { type: 'username', username } };
    }
    if (rest.startsWith('+')) {
      const phone = normalizePhone(rest);
      if (phone === null) throw new RpcError('PHONE_NUMBER_INVALID', `Cannot read target "${input}": expected + and 7–15 digits`);
      return { kind: 'user', user: { type: 'phone', phone } };
    }
    const userId = positiveId(rest);
    if (userId === null) throw fail('after user: comes @username, +phone or a user id');
    return { kind: 'user', user: { type: 'id', userId } };
  }
  if (trimmed.includes(':')) return { kind: 'message', ref: parseMessageRef(trimmed) };
  if (trimmed.startsWith('+')) throw fail(`a user is written user:${trimmed}`);
  if (trimmed === 'me' || trimmed === 'self') throw fail('you cannot report yourself');
  if (trimmed.startsWith('@')) {
    if (normalizeUsername(trimmed) === null) {
      throw new RpcError('USERNAME_INVALID', `Cannot read target "${input}": a username is 5–32 characters of a–z, 0–9 and _, starting with a letter`);
    }
    return { kind: 'chat', chatInput: trimmed };
  }
  if (positiveId(trimmed) !== null) return { kind: 'chat', chatInput: trimmed };
  throw fail('not a chat, message or user');
}

/**
 * Resolves a TARGET argument to the protocol's {@link ReportTarget}. Numeric ids are taken as they
 * are (the server answers `REPORT_TARGET_INVALID` for one that is not there); `@username` of a
 * chat goes through `chats.resolveUsername`; a message of a private chat (`@alice:42`,
 * `+15551234567:7`) is looked up in its chat's history, which says the chat's id.
 */
export async function resolveTarget(caller: MethodCaller, input: string, self: User): Promise<ReportTarget> {
  const parsed = parseTargetInput(input);
  switch (parsed.kind) {
    case 'chat':
      return { type: 'chat', chatId: (await resolveChat(caller, parsed.chatInput)).chatId };
    case 'message': {
      const { peerInput, messageId } = parsed.ref;
      const { peer } = await resolvePeer(caller, peerInput, self);
      if (peer.type === 'chat') return { type: 'message', chatId: peer.chatId, messageId };
      const page = await caller.call('messages.getHistory', { peer, offsetId: messageId + 1, limit: 1 });
      const message = page.messages[0];
      if (message === undefined || message.id !== messageId) {
        throw new RpcError('MESSAGE_ID_INVALID', `Cannot read target "${input}": the chat has no message #${messageId}`);
      }
      return { type: 'message', chatId: message.chatId, messageId };
    }
    case 'user': {
      const { user } = parsed;
      if (user.type === 'id') return { type: 'user', userId: user.userId };
      const found =
        user.type === 'phone'
          ? await caller.call('users.resolvePhone', { phone: user.phone })
          : await caller.call('users.resolveUsername', { username: user.username });
      if (found.user.id === self.id) throw new CliError('USAGE_INVALID', `Cannot use target "${input}": that is you`);
      return { type: 'user', userId: found.user.id };
    }
    default:
      return assertNever(parsed);
  }
}

/** A target as TARGET arguments write it with ids only: `12`, `12:5`, `user:7` (what `mod queue` prints and `mod act` takes). */
export function formatTargetArgument(target: ReportTarget): string {
  switch (target.type) {
    case 'chat':
      return String(target.chatId);
    case 'message':
      return `${target.chatId}:${target.messageId}`;
    case 'user':
      return `user:${target.userId}`;
    default:
      return assertNever(target);
  }
}

/** A positive id written as digits, or null. */
function positiveId(text: string): number | null {
  if (!/^\d+$/.test(text)) return null;
  const id = Number(text);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}
