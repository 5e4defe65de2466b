import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Which packages each package may import (CONVENTIONS.md §1). */
const ALLOWED: Record<string, string[]> = {
  protocol: [],
  crypto: ['protocol'],
  client: ['protocol', 'crypto'],
  server: ['protocol', 'crypto'],
  cli: ['protocol', 'crypto', 'client'],
  web: ['protocol', 'crypto', 'client'],
  bench: ['protocol', 'crypto', 'client', 'server', 'cli'],
};

/**
 * The sanctioned exceptions, both loading the server dynamically inside the command: `samizdat
 * server` starts the server in the CLI's process, and `samizdat admin` (grant a role, load file
 * hashes) runs the server's operator tools on its data folder, as no protocol method may.
 */
const EXCEPTIONS = new Set(['packages/cli/src/commands/server-command.ts', 'packages/cli/src/commands/admin-command.ts']);

/** Packages that run in the browser too may not use Node built-ins (CONVENTIONS.md §2); `web` runs only there. */
const RUNS_ANYWHERE = new Set(['protocol', 'crypto', 'client', 'web']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Module specifiers a file loads at run time: comments and `import type` are left out. */
function importsOf(source: string): string[] {
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/^\s*(?:import|export)\s+type\s[^;]*;/gm, '');
  const specifiers = [...code.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return [...new Set(specifiers)];
}

test('packages import only in the allowed direction, and browser packages use no Node built-ins', () => {
  const faults: string[] = [];
  for (const [pkg, allowed] of Object.entries(ALLOWED)) {
    let files: string[];
    try {
      files = sourceFiles(join(ROOT, 'packages', pkg, 'src'));
    } catch {
      continue;
    }
    for (const file of files) {
      const where = relative(ROOT, file);
      const source = readFileSync(file, 'utf8');
      for (const specifier of importsOf(source)) {
        const target = /^@samizdat\/([a-z-]+)/.exec(specifier)?.[1];
        if (target !== undefined && target !== pkg && !allowed.includes(target) && !EXCEPTIONS.has(where)) {
          faults.push(`${where} imports @samizdat/${target}`);
        }
        if (specifier.startsWith('../') && relative(join(ROOT, 'packages', pkg), join(file, '..', specifier)).startsWith('..')) {
          faults.push(`${where} reaches into another package with ${specifier}`);
        }
        if (RUNS_ANYWHERE.has(pkg) && (specifier.startsWith('node:') || ['fs', 'path', 'crypto', 'os', 'ws'].includes(specifier))) {
          faults.push(`${where} imports ${specifier}, but ${pkg} must run in the browser too`);
        }
      }
      if (RUNS_ANYWHERE.has(pkg) && /\bBuffer\.|\bprocess\.|__dirname/.test(source.replace(/\/\*[\s\S]*?\*\//g, ''))) {
        faults.push(`${where} uses a Node global, but ${pkg} must run in the browser too`);
      }
    }
  }
  assert.deepEqual(faults, []);
});

test('the import check itself catches a client importing the server', () => {
  assert.deepEqual(importsOf("import { startServer } from '@samizdat/server';\nconst x = await import('node:fs');"), ['@samizdat/server', 'node:fs']);
  assert.deepEqual(importsOf("/** use `import { WebSocket } from 'ws'` */\nimport type { X } from 'ws';"), []);
});
