import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digitGroups, formatRemaining, formatTimer, serviceText, TIMER_CHOICES_SECONDS } from './secret-format.ts';

const names = (id: number) => (id === 2 ? 'Bob' : `User ${id}`);

test('[WEB43] the timer picker offers off, 5 s, 30 s, 1 min, 1 h, 1 day and 1 week', () => {
  assert.deepEqual(TIMER_CHOICES_SECONDS.map(formatTimer), ['off', '5 s', '30 s', '1 min', '1 h', '1 day', '1 week']);
  assert.equal(formatTimer(120), '2 min');
  assert.equal(formatTimer(90), '90 s');
  assert.equal(formatRemaining(24_100), '25 s');
  assert.equal(formatRemaining(3_000_000), '50 min');
});

test('[WEB42] service entries say who set the timer and whose safety number changed', () => {
  assert.equal(serviceText({ type: 'timerSet', ttlSeconds: 30, byUserId: 1 }, 1, names), 'You set the self-destruct timer to 30 s');
  assert.equal(serviceText({ type: 'timerSet', ttlSeconds: 0, byUserId: 2 }, 1, names), 'Bob turned the self-destruct timer off');
  assert.equal(serviceText({ type: 'devicesChanged', userId: 2, added: [7], removed: [] }, 1, names), 'Safety number changed: Bob added a device');
  assert.equal(serviceText({ type: 'devicesChanged', userId: 1, added: [], removed: [3] }, 1, names), 'Safety number changed: you removed a device');
});

test('[WEB44] a safety number shows as 12 groups of 5 digits', () => {
  const digits = '0123456789'.repeat(6);
  const groups = digitGroups(digits);
  assert.equal(groups.length, 12);
  assert.ok(groups.every((group) => group.length === 5));
  assert.equal(groups.join(''), digits);
});
