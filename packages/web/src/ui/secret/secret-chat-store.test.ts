import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SecretHistoryEntry, SecretMessage } from '@samizdat/client';
import { summarize } from './secret-chat-store.ts';

function message(id: string, senderUserId: number, sentAt: number, readAt: number | null): SecretMessage {
  return { kind: 'message', id, senderUserId, senderDeviceId: 1, sentAt, text: id, ttlSeconds: 0, readAt, expiresAt: null, editedAt: null, reactions: {} };
}

test('[WEB41] a secret chat counts the peer’s unread messages and orders by its newest entry, on a copy of the history', () => {
  const history: SecretHistoryEntry[] = [
    { kind: 'service', at: 1_000, action: { type: 'started' } },
    message('a', 2, 2_000, 2_500),
    message('b', 1, 3_000, null),
    message('c', 2, 4_000, null),
    message('d', 2, 5_000, null),
    { kind: 'service', at: 6_000, action: { type: 'timerSet', ttlSeconds: 5, byUserId: 2 } },
  ];
  const summary = summarize(2, 5, history, 1);
  assert.equal(summary.unreadCount, 2, 'only the peer’s messages not read yet; never the user’s own');
  assert.equal(summary.lastActivityMs, 6_000);
  assert.deepEqual(summary.history, history);
  // The SDK changes its history in place; the screens' copy must not move with it.
  (history[3] as SecretMessage).readAt = 7_000;
  assert.equal((summary.history[3] as SecretMessage).readAt, null);
  assert.notEqual(summary.history[3], history[3]);
});
