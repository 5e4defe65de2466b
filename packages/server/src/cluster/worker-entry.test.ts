import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withoutTsx, workerEntry, workerSetup } from './worker-entry.ts';

test('withoutTsx drops every way of loading tsx and keeps every other flag', () => {
  assert.deepEqual(withoutTsx(['--expose-gc', '--import', 'tsx', '--cpu-prof', '--cpu-prof-dir', '/tmp/p']), ['--expose-gc', '--cpu-prof', '--cpu-prof-dir', '/tmp/p']);
  assert.deepEqual(withoutTsx(['--import=tsx', '--loader', 'tsx', '--require', 'tsx/cjs', '-r', 'tsx/preflight']), []);
  assert.deepEqual(withoutTsx(['--require', '/repo/node_modules/tsx/dist/preflight.cjs', '--import', 'file:///repo/node_modules/tsx/dist/loader.mjs']), []);
  assert.deepEqual(withoutTsx(['--import', 'file:///repo/bench/hook.mjs', '--conditions=compiled', '--import=./other.mjs']), [
    '--import',
    'file:///repo/bench/hook.mjs',
    '--conditions=compiled',
    '--import=./other.mjs',
  ]);
});

test('from the sources, workers run cluster-worker.ts with the flags as given', () => {
  assert.match(workerEntry(), /[\\/]cluster[\\/]cluster-worker\.ts$/);
  assert.deepEqual(workerSetup(['--import', 'tsx', '--expose-gc']), { exec: workerEntry(), execArgv: ['--import', 'tsx', '--expose-gc'] });
});
