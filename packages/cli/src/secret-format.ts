import type { SecretHistoryEntry, SecretMessage, SecretServiceEntry } from '@samizdat/client';
import { formatSafetyNumber } from '@samizdat/crypto';
import { assertNever, type SecretFile, type User } from '@samizdat/protocol';
import { formatBytes, formatDate, formatText, sanitize, senderName, userName } from './format.ts';

/**
 * Human renderings of secret chats (`secret history`, `listen`). As in format.ts, everything that
 * came from another user goes through `sanitize`.
 */

/** How many characters of a secret message's id lines show; commands accept any unique prefix. */
export const SHORT_ID_LENGTH = 8;

/** `#1a2b3c4d`: a secret message's id as lines show it. */
export function shortSecretId(id: string): string {
  return `#${id.slice(0, SHORT_ID_LENGTH)}`;
}

/** `30 s`, `5 min`, `2 h`, `1 day`, `1 week`: a self-destruct timer; `off` for 0. */
export function formatTtl(seconds: number): string {
  if (seconds === 0) return 'off';
  const units: [number, string, string][] = [
    [604_800, 'week', 'weeks'],
    [86_400, 'day', 'days'],
    [3_600, 'h', 'h'],
    [60, 'min', 'min'],
  ];
  for (const [size, one, many] of units) {
    if (seconds % size === 0) return `${seconds / size} ${seconds === size ? one : many}`;
  }
  return `${seconds} s`;
}

/** What the secret-chat lines need to name people. */
export interface SecretLineContext {
  /** The other user of the chat. */
  peerUserId: number;
  users: ReadonlyMap<number, User>;
  selfId: number;
  /** The PEER arguments given on this command line, by the id of the user they named. */
  typedPeers?: ReadonlyMap<number, string>;
}

/**
 * A PEER argument that names a user, for a command to copy: their `@username`, else what this
 * command line called them, else their phone number, else the placeholder `PEER`.
 */
export function peerArgument(userId: number, context: Pick<SecretLineContext, 'users' | 'typedPeers'>): string {
  const user = context.users.get(userId);
  if (user?.username !== null && user?.username !== undefined) return `@${user.username}`;
  return context.typedPeers?.get(userId) ?? user?.phone ?? 'PEER';
}

/** `samizdat secret verify @bob`. */
export function verifyHint(userId: number, context: Pick<SecretLineContext, 'users' | 'typedPeers'>): string {
  return `samizdat secret verify ${peerArgument(userId, context)}`;
}

/** The label that opens every `listen` line of a secret chat: `[secret Alice]`. */
export function formatSecretLabel(context: SecretLineContext): string {
  return `[secret ${userName(context.peerUserId, context.users)}]`;
}

/** `[document plans.pdf, 1.2 MiB]`. */
export function formatSecretFileMarker(file: SecretFile): string {
  const name = sanitize(file.name).replace(/\s+/g, ' ');
  return `[${[file.kind, ...(name === '' ? [] : [name])].join(' ')}, ${formatBytes(file.size)}]`;
}

/** `👍 Bob ❤️ You`. */
export function formatSecretReactions(reactions: Readonly<Record<string, string>>, context: SecretLineContext): string {
  return Object.entries(reactions)
    .map(([userId, emoji]) => `${sanitize(emoji)} ${senderName(Number(userId), context.users, context.selfId)}`)
    .join(' ');
}

/** What a message has been through, as `[…]` markers: file, reply, edit, reactions, self-destruct. */
export function secretMessageMarkers(message: SecretMessage, context: SecretLineContext, now: number): string[] {
  const markers: string[] = [];
  if (message.file !== undefined) markers.push(formatSecretFileMarker(message.file));
  if (message.replyToId !== undefined) markers.push(`[reply to ${shortSecretId(message.replyToId)}]`);
  if (message.editedAt !== null) markers.push('[edited]');
  if (Object.keys(message.reactions).length > 0) markers.push(`[${formatSecretReactions(message.reactions, context)}]`);
  if (message.ttlSeconds > 0) {
    markers.push(
      message.expiresAt === null
        ? `[self-destructs ${formatTtl(message.ttlSeconds)} after it is read]`
        : `[self-destructs in ${formatTtl(Math.max(1, Math.ceil((message.expiresAt - now) / 1000)))}]`,
    );
  }
  return markers;
}

/** `head: text`, or just `head` for a file without a caption. */
function withText(head: string, text: string): string {
  return text === '' ? head : `${head}: ${formatText(text)}`;
}

/**
 * One line of `secret history`:
 * `#1a2b3c4d 2024-05-01 10:00 Bob [reply to #5e6f7a8b] [edited] [👍 You] [self-destructs in 25 s]: hi`,
 * or for what happened to the chat itself `— 2024-05-01 10:00 secret chat started on this device`,
 * `⚠ 2024-05-01 10:00 safety number changed: Bob's devices changed (+1 −0); run samizdat secret verify @bob`.
 */
export function formatSecretHistoryLine(entry: SecretHistoryEntry, context: SecretLineContext, now: number): string {
  if (entry.kind === 'service') return formatSecretServiceLine(entry, context);
  const author = [senderName(entry.senderUserId, context.users, context.selfId), ...secretMessageMarkers(entry, context, now)].join(' ');
  // The sender's clock: the only time all devices agree on.
  return withText(`${shortSecretId(entry.id)} ${formatDate(Math.floor(entry.sentAt / 1000))} ${author}`, entry.text);
}

function formatSecretServiceLine(entry: SecretServiceEntry, context: SecretLineContext): string {
  const date = formatDate(Math.floor(entry.at / 1000));
  const { action } = entry;
  switch (action.type) {
    case 'started':
      return `— ${date} secret chat started on this device`;
    case 'devicesChanged':
      return `⚠ ${date} ${describeDevicesChanged(action, context)}`;
    case 'timerSet':
      return `— ${date} ${describeTimer(action.ttlSeconds, action.byUserId, context)}`;
    default:
      return assertNever(action);
  }
}

/** `safety number changed: Bob's devices changed (+1 −0); run samizdat secret verify @bob`. */
export function describeDevicesChanged(change: { userId: number; added: readonly number[]; removed: readonly number[] }, context: SecretLineContext): string {
  const whose = change.userId === context.selfId ? 'your' : `${userName(change.userId, context.users)}'s`;
  const counts = `(+${change.added.length} −${change.removed.length})`;
  return `safety number changed: ${whose} devices changed ${counts}; run ${verifyHint(context.peerUserId, context)}`;
}

/** `Bob set the self-destruct timer to 30 s`, `You turned the self-destruct timer off`. */
export function describeTimer(ttlSeconds: number, byUserId: number, context: SecretLineContext): string {
  const who = senderName(byUserId, context.users, context.selfId);
  return ttlSeconds === 0 ? `${who} turned the self-destruct timer off` : `${who} set the self-destruct timer to ${formatTtl(ttlSeconds)}`;
}

/** A `listen` line for a secret message: `[secret Alice] Alice [reply to #1a2b3c4d]: hello`. */
export function formatSecretIncomingLine(message: SecretMessage, context: SecretLineContext, now: number): string {
  const author = [senderName(message.senderUserId, context.users, context.selfId), ...secretMessageMarkers(message, context, now)].join(' ');
  return withText(`${formatSecretLabel(context)} ${author}`, message.text);
}

/** `#1a2b3c4d, #5e6f7a8b`. */
export function formatSecretIds(ids: readonly string[]): string {
  return ids.map(shortSecretId).join(', ');
}

/** The safety number as people compare it: three lines of four blocks of five digits. */
export function formatSafetyNumberLines(digits: string): string[] {
  const blocks = formatSafetyNumber(digits).split(' ');
  const lines: string[] = [];
  for (let i = 0; i < blocks.length; i += 4) lines.push(blocks.slice(i, i + 4).join(' '));
  return lines;
}

/** A secret message without the key of its file. */
export type PrintableSecretMessage = Omit<SecretMessage, 'file'> & { file?: Omit<SecretFile, 'key'> };

/**
 * A message as commands print it with `--json`: as stored on this device, without the key of its
 * file, which only `secret download` needs and which must not end up in a script's logs.
 */
export function printableSecretMessage(message: SecretMessage): PrintableSecretMessage {
  if (message.file === undefined) return message;
  const { key: _key, ...file } = message.file;
  return { ...message, file };
}

/** A history entry as `--json` prints it; see {@link printableSecretMessage}. */
export function printableSecretEntry(entry: SecretHistoryEntry): PrintableSecretMessage | SecretServiceEntry {
  return entry.kind === 'message' ? printableSecretMessage(entry) : entry;
}
