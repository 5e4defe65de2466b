import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';

/** What `cluster.setupPrimary` needs to start a worker: its script and Node's flags for it. */
export interface WorkerSettings {
  /** The script a worker runs. */
  exec: string;
  /** Node's flags for a worker. */
  execArgv: string[];
}

/** The script a cluster's workers run: see `workerSetup`. */
export function workerEntry(): string {
  return workerSetup([]).exec;
}

/**
 * The script a cluster's workers run, and their flags, for `cluster.setupPrimary`. From the
 * sources (this module is `worker-entry.ts`, run through tsx) that is `cluster-worker.ts` beside
 * this module, with the flags as given. From the build (`scripts/build-server.mjs`; this code is
 * then in a `.js` file) it is the build's `cluster/cluster-worker.js`, and the flags lose tsx:
 * plain JavaScript needs no loader, and loading it would cost each worker some 0.3 s of its start.
 * @param execArgv the flags to start from (default: what `cluster.setupPrimary` was last given,
 *   as a caller may add its own there, else this process's flags)
 */
export function workerSetup(execArgv: readonly string[] = cluster.settings.execArgv ?? process.execArgv): WorkerSettings {
  if (!import.meta.url.endsWith('.js')) return { exec: fileURLToPath(new URL('./cluster-worker.ts', import.meta.url)), execArgv: [...execArgv] };
  // The build rewrites this path to the one from the output file this code lands in.
  return { exec: fileURLToPath(new URL('./cluster-worker.js', import.meta.url)), execArgv: withoutTsx(execArgv) };
}

/** The flags that load a module before the main one, with their value in the next argument or after `=`. */
const PRELOAD_FLAGS = new Set(['--import', '--loader', '--experimental-loader', '--require', '-r']);

/** A module specifier of tsx: `tsx`, `tsx/esm`, or a path or URL into its package in node_modules. */
function isTsx(specifier: string): boolean {
  return /^tsx(\/|$)/.test(specifier) || /[\\/]node_modules[\\/]tsx[\\/]/.test(specifier);
}

/**
 * Node's flags less those that load tsx (`--import tsx`, `--import=tsx`, `--loader tsx`,
 * `--require tsx/cjs` …); every other flag (`--expose-gc`, `--cpu-prof`, `--import <another hook>`) is kept.
 */
export function withoutTsx(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i += 1) {
    const flag = execArgv[i]!;
    const equals = flag.indexOf('=');
    if (equals > 0 && PRELOAD_FLAGS.has(flag.slice(0, equals))) {
      if (!isTsx(flag.slice(equals + 1))) kept.push(flag);
    } else if (PRELOAD_FLAGS.has(flag) && i + 1 < execArgv.length) {
      const value = execArgv[i + 1]!;
      if (!isTsx(value)) kept.push(flag, value);
      i += 1;
    } else kept.push(flag);
  }
  return kept;
}
