import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseByteCount, parseRetentionDays } from './server-command.ts';

test('--max-file-size takes a positive whole number of bytes and refuses anything else', () => {
  assert.equal(parseByteCount('1048576'), 1_048_576);
  for (const bad of ['0', '-5', '1.5', 'big', '']) assert.throws(() => parseByteCount(bad), /positive whole number/);
});

test('--ip-retention-days takes a whole number of days from 1 to 3650', () => {
  assert.equal(parseRetentionDays('7'), 7);
  for (const bad of ['0', '-1', '2.5', 'week', '3651']) assert.throws(() => parseRetentionDays(bad), /whole number of days/);
});
