/**
 * `samizdat server` itself, as an operator runs it: in one process, or as worker processes that
 * share the port; clients talk to it through the CLI.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseWorkerCount } from '../src/commands/server-command.ts';
import { MAIN, ok, okJson, ROOT } from './harness.ts';

/** Starts `samizdat --json server …` and resolves with its first JSON line and the child. */
function startServerCommand(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; info: { httpUrl: string; workers: number } }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--json', 'server', ...args], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line !== undefined) done({ child, info: JSON.parse(line) as { httpUrl: string; workers: number } });
    });
    child.on('exit', (code) => fail(new Error(`server exited with ${code} before it listened`)));
  });
}

test('--workers takes 1 to 64', () => {
  assert.equal(parseWorkerCount('2'), 2);
  for (const bad of ['0', '65', '1.5', 'many']) assert.throws(() => parseWorkerCount(bad), /worker count/);
});

test('[CL1] samizdat server --workers 2 serves two CLI users across its workers, and stops cleanly on SIGTERM', { timeout: 120_000 }, async () => {
  const scratch = await mkdtemp(join(tmpdir(), 'samizdat-workers-'));
  const { child, info } = await startServerCommand(['--workers', '2', '--port', '0', '--data', join(scratch, 'data'), '--test-numbers']);
  try {
    assert.equal(info.workers, 2);
    const alice = join(scratch, 'alice');
    const bob = join(scratch, 'bob');
    await ok(['--profile', alice, 'login', '--server', info.httpUrl, '--phone', '+9996630001', '--code', '33333', '--name', 'Alice']);
    await ok(['--profile', bob, 'login', '--server', info.httpUrl, '--phone', '+9996630002', '--code', '33333', '--name', 'Bob']);
    await ok(['--profile', bob, 'username', 'bob_workers']);
    for (let n = 0; n < 6; n += 1) await ok(['--profile', alice, 'send', '@bob_workers', `hello ${n}`]);
    const chats = await okJson<{ topMessage: { text: string } | null }[]>(['--profile', bob, 'chats']);
    assert.equal(chats[0]?.topMessage?.text, 'hello 5');
  } finally {
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    await rm(scratch, { recursive: true, force: true });
  }
});
