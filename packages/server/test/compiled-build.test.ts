/**
 * The compiled build (`scripts/build-server.mjs`), which `npm start` and the benchmark run: a cluster
 * started from it serves, and its workers run the plain JavaScript without the TypeScript loader
 * (which would cost each some 0.3 s of its start), whatever loader the primary itself runs under.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RawClient } from './harness.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BUILD = join(ROOT, 'scripts/build-server.mjs');

/** Starts a cluster from the build in `outdir` and prints its port and the workers' pids. */
const LAUNCHER = `
import { startCluster } from './cluster/cluster-primary.js';
import { createLogger } from './shared/logger.js';
const options = JSON.parse(process.argv[2]);
const running = await startCluster({ ...options, logger: createLogger({ minLevel: 'warn' }) });
process.on('SIGTERM', () => void running.close().then(() => process.exit(0)));
process.stdout.write(JSON.stringify({ port: running.port, workerPids: running.workerPids() }) + '\\n');
`;

// Inside the repository, not the system's temporary folder: the build leaves third-party packages
// to Node, which looks for them in the node_modules folders above it.
let outdir: string;
let cliOutdir: string;

before(() => {
  outdir = mkdtempSync(join(ROOT, 'packages/server/.test-dist-'));
  cliOutdir = mkdtempSync(join(ROOT, 'packages/cli/.test-dist-'));
  const build = spawnSync(process.execPath, [BUILD, '--outdir', outdir, '--cli-outdir', cliOutdir], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, `the build failed: ${build.stderr}`);
});
after(() => {
  rmSync(outdir, { recursive: true, force: true });
  rmSync(cliOutdir, { recursive: true, force: true });
});

function healthz(url: string): Promise<number> {
  return new Promise((done, fail) => {
    get(`${url}/healthz`, { agent: false }, (response) => {
      response.resume();
      done(response.statusCode ?? 0);
    }).on('error', fail);
  });
}

test('the build lays out the entry points the exports map names under "compiled"', () => {
  const exports = (JSON.parse(readFileSync(join(ROOT, 'packages/server/package.json'), 'utf8')) as { exports: Record<string, string | { compiled?: string }> }).exports;
  const compiled = Object.entries(exports).flatMap(([name, target]) => (typeof target === 'object' && target.compiled !== undefined ? [[name, target.compiled] as const] : []));
  assert.deepEqual(compiled.map(([name]) => name).sort(), ['.', './cluster', './logger']);
  for (const [name, target] of compiled) {
    assert.match(target, /^\.\/dist\//, `export ${name}`);
    assert.ok(existsSync(join(outdir, target.slice('./dist/'.length))), `export ${name}: ${target} was not built`);
  }
  assert.ok(existsSync(join(outdir, 'cluster/cluster-worker.js')));
});

test('a cluster of 2 workers from the build serves HTTP and WebSocket, and its workers run without tsx', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samizdat-compiled-'));
  writeFileSync(join(outdir, 'launch.mjs'), LAUNCHER);
  // The primary runs under tsx, as `npm run bench`'s server process and a developer's CLI do; its
  // other flags reach the workers.
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(outdir, 'launch.mjs'), JSON.stringify({ workers: 2, port: 0, host: '127.0.0.1', dataDir, testNumbers: true })],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  try {
    const started = await Promise.race([
      new Promise<string>((done) => createInterface({ input: child.stdout! }).once('line', done)),
      exited.then((code) => Promise.reject(new Error(`The cluster exited with ${code} before listening: ${stderr.join('\n')}`))),
    ]);
    const { port, workerPids } = JSON.parse(started) as { port: number; workerPids: number[] };
    const httpUrl = `http://127.0.0.1:${port}`;

    assert.equal(await healthz(httpUrl), 200);
    const client = await RawClient.open(`ws://127.0.0.1:${port}/ws`);
    try {
      const answer = await client.hello();
      assert.equal(answer.type, 'result', `hello answered ${JSON.stringify(answer)}`);
    } finally {
      client.ws.close();
    }

    assert.equal(workerPids.length, 2);
    for (const pid of workerPids) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg !== '');
      assert.ok(argv.includes(join(outdir, 'cluster/cluster-worker.js')), `worker ${pid} runs ${argv.join(' ')}`);
      assert.ok(!argv.some((arg) => /tsx/.test(arg)), `worker ${pid} loads tsx: ${argv.join(' ')}`);
      assert.ok(argv.includes('--expose-gc'), `worker ${pid} lost the primary's other flags: ${argv.join(' ')}`);
    }
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("the CLI's build runs without tsx, and its server entry hands anything but a server command line to the whole CLI", () => {
  const version = (JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;
  for (const entry of ['main.js', 'server-main.js']) {
    const run = spawnSync(process.execPath, ['--conditions=compiled', join(cliOutdir, entry), '--version'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(run.status, 0, `${entry}: ${run.stderr}`);
    assert.equal(run.stdout.trim(), version, entry);
  }
  const wrong = spawnSync(process.execPath, ['--conditions=compiled', join(cliOutdir, 'server-main.js'), 'server', '--workers', '0'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /^USAGE_INVALID: Cannot run samizdat server: .*"0" is not a worker count from 1 to 64/);
});
