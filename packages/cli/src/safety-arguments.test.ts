import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { CliError } from './cli-error.ts';
import {
  formatCalendarDate,
  HashListError,
  parseAdminUser,
  parseCalendarDate,
  parseCountry,
  parseHashList,
  parseLegalTarget,
  parseModAction,
} from './safety-arguments.ts';

const isInvalid = (error: unknown) => error instanceof InvalidArgumentError;

test('--date is a real calendar day, as the Unix time of its UTC midnight', () => {
  assert.equal(parseCalendarDate('2026-03-14'), Date.UTC(2026, 2, 14) / 1000);
  assert.equal(parseCalendarDate('2024-02-29'), Date.UTC(2024, 1, 29) / 1000, 'a leap day');
  assert.equal(formatCalendarDate(parseCalendarDate('2026-03-14')), '2026-03-14');
  for (const input of ['2025-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-3-14', '14.03.2026', '2026-03-14T10:00', '1969-12-31', '']) {
    assert.throws(() => parseCalendarDate(input), isInvalid, input);
  }
});

test('--target of a lawful request is +phone (in E.164) or @username (lower case, without @)', () => {
  assert.deepEqual(parseLegalTarget('+49 151 2345 6789'), { type: 'phone', phone: '+4915123456789' });
  assert.deepEqual(parseLegalTarget('@Some_User'), { type: 'username', username: 'some_user' });
  for (const input of ['4915123456789', 'some_user', '+12', '@ab', '']) assert.throws(() => parseLegalTarget(input), isInvalid, input);
});

test('--country is two letters, upper-cased', () => {
  assert.equal(parseCountry('de'), 'DE');
  assert.equal(parseCountry(' BR '), 'BR');
  for (const input of ['DEU', 'D', 'D1', '']) assert.throws(() => parseCountry(input), isInvalid, input);
});

test('admin grant names a user by @username, +phone or user id', () => {
  assert.deepEqual(parseAdminUser('@Mod_One'), { username: 'mod_one' });
  assert.deepEqual(parseAdminUser('+9996610001'), { phone: '+9996610001' });
  assert.deepEqual(parseAdminUser('42'), { userId: 42 });
  for (const input of ['0', 'mod_one', '+1', '@x', '4.2']) assert.throws(() => parseAdminUser(input), isInvalid, input);
});

test('mod act actions are dismiss, remove, block and ban', () => {
  assert.equal(parseModAction('block'), 'block');
  assert.throws(() => parseModAction('blockChat'), (error: unknown) => error instanceof CliError && error.code === 'USAGE_INVALID');
  assert.throws(() => parseModAction('toString'), (error: unknown) => error instanceof CliError, 'not an inherited property');
});

test('a hash file: one SHA-256 a line, comments and blank lines ignored, sha256sum output accepted, repeats folded', () => {
  const a = 'a'.repeat(64);
  const b = `${'0123456789abcdef'.repeat(4)}`;
  const text = `\uFEFF# known files\n${a.toUpperCase()}\n\n   ${b}  ./evil.jpg\r\n${a} # again\n  # indented comment\n`;
  assert.deepEqual(parseHashList(text), [a, b]);
  assert.deepEqual(parseHashList('# nothing\n\n'), []);
});

test('a hash file with a line that is not a SHA-256 fails, naming the line', () => {
  const good = 'f'.repeat(64);
  for (const [text, line] of [
    [`${good}\n${'f'.repeat(63)}\n`, 2],
    [`${good}\nnot a hash\n`, 2],
    [`${'g'.repeat(64)}\n`, 1],
    [`# x\n\n${good}0\n`, 3],
    [`${good.slice(0, 32)} ${good.slice(32)}\n`, 1],
  ] as const) {
    assert.throws(
      () => parseHashList(text),
      (error: unknown) => error instanceof HashListError && error.line === line && error.message.startsWith(`line ${line}: `),
      JSON.stringify(text),
    );
  }
});
