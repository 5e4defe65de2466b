import { normalizePhone, normalizeUsername, type LegalTarget, type ModerationActionKind } from '@samizdat/protocol';
import { InvalidArgumentError } from 'commander';
import { CliError } from './cli-error.ts';

/** The actions of `mod act`, as the command line names them, and the protocol's names. */
export const MOD_ACTIONS = {
  dismiss: 'dismiss',
  remove: 'removeMessage',
  block: 'blockChat',
  ban: 'banUser',
} as const satisfies Record<string, ModerationActionKind>;

/** A `mod act` action name. */
export type ModActionName = keyof typeof MOD_ACTIONS;

/** Which kind of target each action takes. */
export const MOD_ACTION_TARGET: Record<ModActionName, 'chat' | 'message' | 'user' | null> = {
  dismiss: null,
  remove: 'message',
  block: 'chat',
  ban: 'user',
};

/** Reads a `mod act` action (`dismiss`, `remove`, `block`, `ban`). */
export function parseModAction(value: string): ModActionName {
  if (Object.hasOwn(MOD_ACTIONS, value)) return value as ModActionName;
  throw new CliError('USAGE_INVALID', `Cannot act: "${value}" is not an action; expected one of ${Object.keys(MOD_ACTIONS).join(', ')}`);
}

/**
 * The target of a lawful request: `+phone` (stored in E.164) or `@username` (a leading `@` is
 * required, so that a number without its `+` is not mistaken for a name).
 */
export function parseLegalTarget(value: string): LegalTarget {
  const trimmed = value.trim();
  if (trimmed.startsWith('+')) {
    const phone = normalizePhone(trimmed);
    if (phone === null) throw new InvalidArgumentError(`"${value}" is not a phone number: expected + and 7–15 digits.`);
    return { type: 'phone', phone };
  }
  if (trimmed.startsWith('@')) {
    const username = normalizeUsername(trimmed);
    if (username === null) throw new InvalidArgumentError(`"${value}" is not a username: 5–32 characters of a–z, 0–9 and _, starting with a letter.`);
    return { type: 'username', username };
  }
  throw new InvalidArgumentError(`"${value}" is neither +phone nor @username.`);
}

/** A calendar date `YYYY-MM-DD` as the Unix time of its start in UTC; a date that does not exist (2025-02-30) is refused. */
export function parseCalendarDate(value: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (match !== null) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const ms = Date.UTC(year, month - 1, day);
    const date = new Date(ms);
    if (year >= 1970 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) return ms / 1000;
  }
  throw new InvalidArgumentError(`"${value}" is not a date: expected YYYY-MM-DD, e.g. 2026-03-14.`);
}

/** A Unix time as the UTC date `YYYY-MM-DD` (how lawful requests' dates are written). */
export function formatCalendarDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10);
}

/** An ISO 3166-1 alpha-2 country code, upper-cased (`de` → `DE`). */
export function parseCountry(value: string): string {
  const code = value.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(code)) throw new InvalidArgumentError(`"${value}" is not a two-letter country code (ISO 3166-1 alpha-2, e.g. DE).`);
  return code;
}

/** A user on the server's database, for `admin grant`: `@username`, `+phone` or a user id. */
export type AdminUserSelector = { userId: number } | { phone: string } | { username: string };

/** Reads the USER of `admin grant`. */
export function parseAdminUser(value: string): AdminUserSelector {
  const trimmed = value.trim();
  if (trimmed.startsWith('+')) {
    const phone = normalizePhone(trimmed);
    if (phone === null) throw new InvalidArgumentError(`"${value}" is not a phone number: expected + and 7–15 digits.`);
    return { phone };
  }
  if (trimmed.startsWith('@')) {
    const username = normalizeUsername(trimmed);
    if (username === null) throw new InvalidArgumentError(`"${value}" is not a username: 5–32 characters of a–z, 0–9 and _, starting with a letter.`);
    return { username };
  }
  if (/^\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed)) && Number(trimmed) > 0) return { userId: Number(trimmed) };
  throw new InvalidArgumentError(`"${value}" is not @username, +phone or a user id.`);
}

/** Where a hash list failed to parse. */
export class HashListError extends Error {
  readonly line: number;

  constructor(line: number, message: string) {
    super(message);
    this.name = 'HashListError';
    this.line = line;
  }
}

/**
 * Reads a list of SHA-256 hashes: one a line, in hex (either case), blank lines and `#` comments
 * (whole lines, or after a hash) ignored. A hash may be followed by spaces and a file name, as
 * `sha256sum` prints it. Returns them lower-case, without repeats, in file order; throws
 * {@link HashListError} naming the first line that is not a hash.
 */
export function parseHashList(text: string): string[] {
  const hashes = new Set<string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const [first = ''] = line.split(/\s+/, 1);
    if (!/^[0-9a-fA-F]{64}$/.test(first)) {
      const shown = first.length > 80 ? `${first.slice(0, 80)}…` : first;
      throw new HashListError(index + 1, `line ${index + 1}: "${shown}" is not a SHA-256 in hex (64 digits 0-9, a-f)`);
    }
    hashes.add(first.toLowerCase());
  }
  return [...hashes];
}
