import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RawClient, signUpTestUser, startTestServer } from './harness.ts';

test('[SEC1][ACC8] a copy of the database and its WAL shows no message text, master key or session token, nor do the logs', async () => {
  const t = await startTestServer();
  try {
    const alice = await RawClient.open(t.server.wsUrl);
    const bob = await RawClient.open(t.server.wsUrl);
    const a = await signUpTestUser(alice, '+9996610201', 'Alice');
    const b = await signUpTestUser(bob, '+9996620201', 'Bob');
    const marker = `UNIQUE-MARKER-${Date.now()}-at-rest`;
    for (let i = 0; i < 50; i++) {
      await alice.call('messages.send', { peer: { type: 'user', userId: b.user.id }, text: `${marker} ${i} привет`, randomId: `at-rest-${i}-xxxx` });
    }
    const history = await bob.call('messages.getHistory', { peer: { type: 'user', userId: a.user.id } });
    assert.ok(history.messages.every((m: { text: string }) => m.text.startsWith(marker)), 'members still read the text');
    const copyDir = t.dataDir;
    const files = ['samizdat.db', 'samizdat.db-wal'].map((name) => join(copyDir, name)).filter(existsSync);
    assert.ok(files.some((file) => file.endsWith('-wal')), 'the WAL is part of what is searched');
    const masterKeyHex = readFileSync(join(copyDir, 'master.key'), 'utf8').trim();
    for (const file of files) {
      const copy = `${file}.copy`;
      copyFileSync(file, copy);
      const bytes = readFileSync(copy);
      assert.equal(bytes.indexOf(Buffer.from(marker)), -1, `${file} holds message text`);
      assert.equal(bytes.indexOf(Buffer.from('привет')), -1, `${file} holds message text`);
      assert.equal(bytes.indexOf(Buffer.from(masterKeyHex, 'hex')), -1, `${file} holds the master key`);
      assert.equal(bytes.indexOf(Buffer.from(masterKeyHex)), -1, `${file} holds the master key`);
      assert.equal(bytes.indexOf(Buffer.from(a.token)), -1, `${file} holds a session token`);
    }
    assert.ok(!t.logger.lines.some((line) => line.includes(marker) || line.includes(a.token)), 'logs hold no message text or tokens');
    alice.close();
    bob.close();
  } finally {
    await t.stop();
  }
});
