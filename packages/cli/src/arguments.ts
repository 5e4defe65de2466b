import type { AdminRights } from '@samizdat/protocol';
import { InvalidArgumentError } from 'commander';

/** A commander parser for an integer in `[min, max]`; the error names the value that was wrong. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`Expected an integer from ${min} to ${max}.`);
    }
    return number;
  };
}

/** A TCP port; 0 asks the system for a free one. */
export const parsePort = integerIn(0, 65_535);

/** A positive id (user, chat, session, message). */
export const parseId = integerIn(1, Number.MAX_SAFE_INTEGER);

/** A positive number of seconds, fractions allowed. */
export function parseSeconds(value: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds > 0)) throw new InvalidArgumentError('Expected a positive number of seconds.');
  return seconds;
}

/** A comma-separated list of positive ids, `12` or `12,13,20`. */
export function parseIdList(value: string): number[] {
  const ids = value.split(',').map((part) => part.trim());
  if (ids.some((id) => !/^\d+$/.test(id) || !Number.isSafeInteger(Number(id)) || Number(id) < 1)) {
    throw new InvalidArgumentError('Expected positive integer ids separated by commas, e.g. 12,13.');
  }
  return ids.map(Number);
}

/** A comma-separated list of non-empty items (`@bob,+4915123456789`), without surrounding spaces. */
export function parseList(value: string): string[] {
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) throw new InvalidArgumentError('Expected items separated by commas, none of them empty.');
  return items;
}

/** The admin rights, in the order the protocol lists them. */
export const ADMIN_RIGHT_NAMES = [
  'changeInfo',
  'deleteMessages',
  'banUsers',
  'inviteUsers',
  'pinMessages',
  'addAdmins',
  'postMessages',
] as const satisfies readonly (keyof AdminRights)[];

/**
 * Admin rights from a comma-separated list of their names (`deleteMessages,banUsers`, or `all`):
 * the named ones on, every other one off.
 */
export function parseRights(value: string): AdminRights {
  const names = parseList(value);
  const isAll = names.length === 1 && names[0] === 'all';
  const unknown = names.filter((name) => !isAll && !(ADMIN_RIGHT_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(`Unknown right ${JSON.stringify(unknown[0])}; expected all or some of ${ADMIN_RIGHT_NAMES.join(',')}.`);
  }
  return Object.fromEntries(ADMIN_RIGHT_NAMES.map((name) => [name, isAll || names.includes(name)])) as AdminRights;
}
