import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { User } from '@samizdat/protocol';
import { MissingUsers } from './missing-users.ts';

function user(id: number): User {
  return { id, displayName: `User ${id}`, username: null, phone: null, isSelf: false, isContact: false, isBot: false };
}

test('[WEB36] users met only by id are fetched once each, batched per turn, and asked again after a failure', async () => {
  const requests: number[][] = [];
  const received: number[] = [];
  let isFailing = true;
  const missing = new MissingUsers({
    fetch: async (ids) => {
      requests.push(ids);
      if (isFailing) throw new Error('offline');
      return ids.map(user);
    },
    onUsers: (users) => received.push(...users.map((u) => u.id)),
    onError: () => {},
  });
  missing.request(5);
  missing.request(6);
  missing.request(5);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(requests, [[5, 6]]);
  assert.deepEqual(received, []);
  isFailing = false;
  missing.request(5);
  missing.request(7);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(requests, [[5, 6], [5, 7]]);
  assert.deepEqual(received, [5, 7]);
  missing.request(7);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(requests.length, 2, 'a user fetched is not asked for again');
});
