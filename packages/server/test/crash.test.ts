import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Message } from '@samizdat/protocol';
import { spawnServer } from './child-server.ts';
import { RawClient, signUpTestUser } from './harness.ts';

test('[DUR1] a server killed with SIGKILL mid-stream loses no acknowledged message, and resends make no duplicates', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samizdat-crash-'));
  const limits = { frames: { capacity: 10_000, perSecond: 10_000 }, maxInFlight: 1000 };
  try {
    const first = await spawnServer({ dataDir, connectionLimits: limits });
    const alice = await RawClient.open(first.wsUrl);
    const bob = await RawClient.open(first.wsUrl);
    const a = await signUpTestUser(alice, '+9996610301', 'Alice');
    const b = await signUpTestUser(bob, '+9996620301', 'Bob');
    const peer = { type: 'user', userId: b.user.id };
    const acked = new Map<string, Message>();
    const attempted: string[] = [];
    let killed = false;
    // Keep 50 sends in flight, and kill the server once 500 are acknowledged.
    const sender = async (lane: number) => {
      for (let i = 0; !killed; i++) {
        const randomId = `crash-${lane}-${i}-xx`;
        attempted.push(randomId);
        try {
          const result = await alice.call('messages.send', { peer, text: `text of ${randomId}`, randomId });
          acked.set(randomId, result.message);
          if (acked.size >= 500 && !killed) {
            killed = true;
            first.kill('SIGKILL');
          }
        } catch {
          return;
        }
      }
    };
    const lanes = Array.from({ length: 50 }, (_, lane) => sender(lane));
    const exit = await first.exited;
    assert.equal(exit.signal, 'SIGKILL');
    alice.close();
    bob.close();
    await Promise.race([Promise.allSettled(lanes), new Promise((done) => setTimeout(done, 1000))]);
    assert.ok(acked.size >= 500);

    const second = await spawnServer({ dataDir, connectionLimits: limits });
    const alice2 = await RawClient.open(second.wsUrl);
    await alice2.hello(a.token);
    // The client resends everything it has no ack for, with the same randomIds.
    const unacked = attempted.filter((id) => !acked.has(id));
    for (const randomId of unacked) await alice2.call('messages.send', { peer, text: `text of ${randomId}`, randomId });
    const bob2 = await RawClient.open(second.wsUrl);
    await bob2.hello(b.token);
    const stored: Message[] = [];
    let offsetId: number | undefined;
    for (;;) {
      const page = await bob2.call('messages.getHistory', { peer: { type: 'user', userId: a.user.id }, limit: 100, ...(offsetId ? { offsetId } : {}) });
      if (page.messages.length === 0) break;
      stored.push(...page.messages);
      offsetId = page.messages.at(-1).id;
    }
    const byRandomId = new Map(stored.map((m) => [m.randomId, m]));
    assert.equal(byRandomId.size, stored.length, 'no randomId is stored twice');
    for (const [randomId, message] of acked) {
      assert.deepEqual(byRandomId.get(randomId), message, `acked ${randomId} must survive with the same id and text`);
    }
    assert.equal(stored.length, attempted.length, 'every attempted send is stored exactly once');
    assert.deepEqual(stored.map((m) => m.id).reverse(), Array.from({ length: stored.length }, (_, i) => i + 1), 'ids have no holes');
    const difference = await bob2.call('updates.getDifference', { pts: 0 });
    assert.equal(difference.state.pts, stored.length, 'the recipient has one update per message');
    alice2.close();
    bob2.close();
    second.kill('SIGTERM');
    await second.exited;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
