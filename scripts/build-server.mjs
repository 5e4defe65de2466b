/**
 * The compiled build of the server, for a fast start: `node scripts/build-server.mjs [--outdir DIR] [--cli-outdir DIR]`.
 *
 * Bundles `@samizdat/server` into `packages/server/dist/` (ESM, Node 20, split into shared chunks,
 * with source maps): `index.js`, `cluster/cluster-primary.js`, `cluster/cluster-worker.js` and
 * `shared/logger.js`, which the package's exports map offers under the `compiled` condition
 * (`node --conditions=compiled …`). It also bundles the CLI's entries into `packages/cli/dist/`
 * (`main.js`, the whole CLI, and `server-main.js`, `samizdat server` alone, which `npm start` runs),
 * the server left out and loaded through that condition: `npm start` runs no TypeScript loader in
 * any process. Tests and development keep running the TypeScript sources through tsx.
 *
 * The workspace packages (`@samizdat/protocol`, `@samizdat/crypto`, `@samizdat/client`, which ship
 * TypeScript) are bundled in; every other package stays external and is loaded from node_modules,
 * so an output folder must lie inside the repository for Node to find them.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER = join(ROOT, 'packages/server');
const CLI = join(ROOT, 'packages/cli');

/** The server's entry points, as the exports map names them (`.`, `./cluster`, `./logger`) plus the workers' script. */
const SERVER_ENTRIES = ['src/index.ts', 'src/cluster/cluster-primary.ts', 'src/cluster/cluster-worker.ts', 'src/shared/logger.ts'];

/**
 * The worker script as `worker-entry.ts` names it from the build, relative to the file its code lands in;
 * the build rewrites it to the path from whichever chunk that is (see `fixWorkerPath`).
 */
const WORKER_PLACEHOLDER = './cluster-worker.js';

/** Bundles the workspace's own packages (TypeScript sources) and leaves every other bare import to Node. */
function externalPackages(keep) {
  return {
    name: 'external-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        if (keep.some((name) => args.path === name || args.path.startsWith(`${name}/`))) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  metafile: true,
  // Names as in the sources: a stack trace and a log's `err.name` read the same in both.
  keepNames: true,
};

/**
 * Builds the server into `outdir` (emptied first).
 * @param {{ outdir?: string }} [options]
 * @returns {Promise<{ outdir: string }>}
 */
export async function buildServer(options = {}) {
  const outdir = resolve(options.outdir ?? join(SERVER, 'dist'));
  await rm(outdir, { recursive: true, force: true });
  const result = await esbuild.build({
    ...common,
    absWorkingDir: ROOT,
    entryPoints: SERVER_ENTRIES.map((entry) => join(SERVER, entry)),
    outbase: join(SERVER, 'src'),
    outdir,
    splitting: true,
    entryNames: '[dir]/[name]',
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [externalPackages(['@samizdat/protocol', '@samizdat/crypto'])],
  });
  await fixWorkerPath(result.metafile, outdir);
  return { outdir };
}

/**
 * Builds the CLI's entries (`main.js`, `server-main.js`) into `outdir` (emptied first), with
 * `@samizdat/server` external: run with `--conditions=compiled`, they load the server's build, whose
 * workers need no TypeScript loader. Every output file lies in `outdir` itself, as `src/main.ts` and
 * its modules lie one folder below the package: their `import.meta.url`-relative paths
 * (`../package.json`, the web build) hold from either chunk.
 * @param {{ outdir?: string }} [options]
 * @returns {Promise<{ outdir: string }>}
 */
export async function buildCli(options = {}) {
  const outdir = resolve(options.outdir ?? join(CLI, 'dist'));
  await rm(outdir, { recursive: true, force: true });
  await esbuild.build({
    ...common,
    absWorkingDir: ROOT,
    entryPoints: [join(CLI, 'src/main.ts'), join(CLI, 'src/server-main.ts')],
    outdir,
    splitting: true,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    plugins: [externalPackages(['@samizdat/protocol', '@samizdat/crypto', '@samizdat/client'])],
  });
  return { outdir };
}

/**
 * Points `worker-entry.ts`'s path to the worker script at `cluster/cluster-worker.js` from the
 * output file its code was put in: that may be a shared chunk, in another folder.
 */
async function fixWorkerPath(metafile, outdir) {
  const workerEntry = relative(ROOT, join(SERVER, 'src/cluster/worker-entry.ts')).split(sep).join('/');
  const holders = Object.entries(metafile.outputs).filter(([path, output]) => path.endsWith('.js') && workerEntry in output.inputs);
  if (holders.length !== 1) throw new Error(`Cannot place the worker script: worker-entry.ts is in ${holders.length} output files, expected 1`);
  const holder = resolve(ROOT, holders[0][0]);
  let path = relative(dirname(holder), join(outdir, 'cluster/cluster-worker.js')).split(sep).join('/');
  if (!path.startsWith('.')) path = `./${path}`;
  if (path === WORKER_PLACEHOLDER) return;
  const code = await readFile(holder, 'utf8');
  const quoted = JSON.stringify(WORKER_PLACEHOLDER);
  const count = code.split(quoted).length - 1;
  if (count !== 1) throw new Error(`Cannot place the worker script: ${quoted} occurs ${count} times in ${holder}, expected 1`);
  await writeFile(holder, code.replace(quoted, JSON.stringify(path)));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' }, 'cli-outdir': { type: 'string' }, 'no-cli': { type: 'boolean' } } });
  const started = performance.now();
  const server = await buildServer({ outdir: values.outdir });
  const cli = values['no-cli'] ? undefined : await buildCli({ outdir: values['cli-outdir'] });
  const shown = (dir) => (isAbsolute(dir) && !relative(ROOT, dir).startsWith('..') ? relative(ROOT, dir) : dir);
  console.log(`Built the server into ${shown(server.outdir)}${cli ? ` and the CLI into ${shown(cli.outdir)}` : ''} in ${Math.round(performance.now() - started)} ms`);
}
