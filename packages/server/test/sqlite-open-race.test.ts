import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Sqlite from 'better-sqlite3';

const CHILD = new URL('./open-storage-child.ts', import.meta.url).pathname;
const PROCESSES = 3;
const ROUNDS = 60;
const SPACING_MS = 40;

function runChild(dir: string, firstAt: number): Promise<{ failures: number; firstError: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(ROUNDS), String(firstAt), String(SPACING_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output) as { failures: number; firstError: string }) : reject(new Error(`child exited with ${code}`))));
  });
}

test('[CL13] workers that open a new data folder at the same instant all open it, in WAL mode', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samizdat-open-race-'));
  try {
    // Far enough ahead for every child to load before the first round.
    const firstAt = Date.now() + 4_000;
    const results = await Promise.all(Array.from({ length: PROCESSES }, () => runChild(dir, firstAt)));
    const failures = results.reduce((sum, result) => sum + result.failures, 0);
    assert.equal(failures, 0, `${failures} of ${PROCESSES * ROUNDS} opens failed, e.g. ${results.find((result) => result.firstError)?.firstError}`);
    for (let round = 0; round < ROUNDS; round++) {
      const connection = new Sqlite(join(dir, `race-${round}.db`), { readonly: true });
      assert.equal(connection.pragma('journal_mode', { simple: true }), 'wal');
      connection.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
