import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sealTransparencyEntry, TRANSPARENCY_GENESIS_HASH, transparencyPublicKey, type SignedTransparencyEntry } from '@samizdat/crypto';
import { CliError } from './cli-error.ts';
import { checkLog, keyFingerprint, TransparencyMemory, transparencyBaseUrl, type RememberedLog } from './transparency-check.ts';

const operatorKey = new Uint8Array(32).fill(7);
const otherKey = new Uint8Array(32).fill(9);

/** A log of `count` block entries signed with `key`. */
function makeLog(count: number, key = operatorKey) {
  const entries: SignedTransparencyEntry[] = [];
  let prevHash = TRANSPARENCY_GENESIS_HASH;
  for (let seq = 1; seq <= count; seq += 1) {
    const entry = sealTransparencyEntry(key, { seq, prevHash, at: 1_760_000_000 + seq, kind: 'block', body: { chatId: seq, category: 'terrorism', actionId: seq } });
    entries.push(entry);
    prevHash = entry.hash;
  }
  return { publicKey: transparencyPublicKey(key), entries };
}

function remembered(log: ReturnType<typeof makeLog>): RememberedLog {
  const last = log.entries.at(-1)!;
  return { publicKey: log.publicKey, checkpoint: { seq: last.seq, hash: last.hash }, verifiedAt: 0 };
}

test('an honest log verifies, and the check returns its last entry as the next checkpoint', () => {
  const log = makeLog(3);
  const check = checkLog(log, null);
  assert.equal(check.ok, true);
  if (!check.ok) return;
  assert.equal(check.count, 3);
  assert.deepEqual(check.checkpoint, { seq: 3, hash: log.entries[2]!.hash });
  assert.match(check.fingerprint, /^[0-9a-f]{4}( [0-9a-f]{4}){7}$/);
  assert.equal(check.fingerprint, keyFingerprint(log.publicKey));
  assert.notEqual(keyFingerprint(transparencyPublicKey(otherKey)), check.fingerprint);
  const grown = makeLog(5);
  assert.equal(checkLog(grown, remembered(log)).ok, true, 'a log that grew past the checkpoint holds');
  assert.deepEqual(checkLog(makeLog(0), null), { ok: true, count: 0, publicKey: log.publicKey, fingerprint: check.fingerprint, checkpoint: null });
});

test('an altered entry fails as TRANSPARENCY_LOG_INVALID, naming the entry', () => {
  const log = makeLog(3);
  log.entries[1] = { ...log.entries[1]!, body: { ...log.entries[1]!.body, category: 'fraud' } };
  const check = checkLog(log, null);
  assert.deepEqual(check, { ok: false, code: 'TRANSPARENCY_LOG_INVALID', problem: 'entry 2: its hash does not match its contents: the entry was altered' });
  assert.equal(checkLog('<html>', null).ok, false);
  assert.equal(checkLog(null, null).ok, false);
  assert.equal(checkLog({ publicKey: 'x', entries: 'no' }, null).ok, false);
});

test('a log cut below the remembered entry, or rewritten at it, fails against the checkpoint', () => {
  const log = makeLog(4);
  const memory = remembered(log);
  const cut = { publicKey: log.publicKey, entries: log.entries.slice(0, 2) };
  assert.equal(checkLog(cut, null).ok, true, 'the chain alone cannot tell');
  const check = checkLog(cut, memory);
  assert.equal(check.ok, false);
  if (!check.ok) {
    assert.equal(check.code, 'TRANSPARENCY_LOG_INVALID');
    assert.match(check.problem, /before the checkpoint: entries were removed from its end/);
  }
  // The same operator re-wrote the chain from entry 3 on: it verifies, but not at the entry seen.
  const rewritten = makeLog(2);
  const third = sealTransparencyEntry(operatorKey, { seq: 3, prevHash: rewritten.entries[1]!.hash, at: 1_760_000_003, kind: 'block', body: { chatId: 99, category: 'fraud', actionId: 3 } });
  const fourth = sealTransparencyEntry(operatorKey, { seq: 4, prevHash: third.hash, at: 1_760_000_004, kind: 'block', body: { chatId: 4, category: 'terrorism', actionId: 4 } });
  const again = checkLog({ publicKey: log.publicKey, entries: [...rewritten.entries, third, fourth] }, memory);
  assert.equal(again.ok, false);
  if (!again.ok) assert.match(again.problem, /the log was rewritten/);
});

test('a log re-signed with another key fails as TRANSPARENCY_KEY_CHANGED, though it verifies on its own', () => {
  const log = makeLog(2);
  const resigned = makeLog(2, otherKey);
  assert.equal(checkLog(resigned, null).ok, true);
  const check = checkLog(resigned, remembered(log));
  assert.equal(check.ok, false);
  if (!check.ok) {
    assert.equal(check.code, 'TRANSPARENCY_KEY_CHANGED');
    assert.ok(check.problem.includes(keyFingerprint(log.publicKey)) && check.problem.includes(keyFingerprint(resigned.publicKey)), check.problem);
  }
  const garbage = checkLog({ publicKey: 'not base64!', entries: [] }, remembered(log));
  assert.equal(garbage.ok === false && garbage.code, 'TRANSPARENCY_KEY_CHANGED');
});

test('the memory is one 0600 file in the profile folder (made 0700), per server, and a malformed one is PROFILE_INVALID', async () => {
  const scratch = await mkdtemp(join(tmpdir(), 'samizdat-transparency-'));
  try {
    const profileDir = join(scratch, 'profile');
    const memory = new TransparencyMemory(profileDir);
    assert.equal(await memory.get('http://a:1'), null);
    const a = remembered(makeLog(2));
    await memory.set('http://a:1', a);
    await memory.set('http://b:2', { ...a, checkpoint: null });
    assert.deepEqual(await memory.get('http://a:1'), a);
    assert.equal((await memory.get('http://b:2'))?.checkpoint, null);
    assert.equal((await stat(memory.path)).mode & 0o777, 0o600);
    assert.equal((await stat(profileDir)).mode & 0o777, 0o700);
    await memory.set('http://a:1', null);
    assert.deepEqual(Object.keys(await memory.readAll()), ['http://b:2']);
    assert.deepEqual(JSON.parse(await readFile(memory.path, 'utf8')).format, 1);

    for (const text of ['{', '[]', '{"format":2,"logs":{}}', '{"format":1,"logs":{"http://a:1":{"publicKey":"k","checkpoint":{"seq":0,"hash":"x"},"verifiedAt":1}}}']) {
      await writeFile(memory.path, text);
      await assert.rejects(memory.get('http://a:1'), (error: unknown) => error instanceof CliError && error.code === 'PROFILE_INVALID', text);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});

test('the URL is the server: a page address of the report or the log is taken back to it', () => {
  assert.equal(transparencyBaseUrl('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
  assert.equal(transparencyBaseUrl('https://chat.example.org/samizdat/transparency/log'), 'https://chat.example.org/samizdat');
  assert.equal(transparencyBaseUrl('https://chat.example.org/transparency.json'), 'https://chat.example.org');
  assert.equal(transparencyBaseUrl('http://h:1/transparency'), 'http://h:1');
  assert.throws(() => transparencyBaseUrl('ftp://h'), (error: unknown) => error instanceof CliError && error.code === 'USAGE_INVALID');
});
