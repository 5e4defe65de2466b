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
