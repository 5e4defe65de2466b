/**
 * Running the `samizdat` command as a script would: child processes of
 * `node --import tsx packages/cli/src/main.ts …`, from the repository root. Shared by the
 * integration tests, which start a real server in their own process.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const MAIN = 'packages/cli/src/main.ts';

/** How a run ended. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to the end; never rejects, so tests can check failing runs too. */
export function cli(args: readonly string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Runs the CLI and insists on exit code 0; resolves with its stdout. */
export async function ok(args: readonly string[]): Promise<string> {
  const run = await cli(args);
  assert.equal(run.code, 0, `samizdat ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

/** Runs the CLI with `--json` and insists on exit code 0; resolves with its one JSON value. */
export async function okJson<T>(args: readonly string[]): Promise<T> {
  return JSON.parse(await ok(['--json', ...args])) as T;
}

/** A `samizdat listen` in the background, read line by line. */
export class Listener {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  #stderr = '';
  readonly #exited: Promise<number | null>;

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'listen', ...args], { cwd: ROOT });
    this.child.stdin.end();
    createInterface({ input: this.child.stdout }).on('line', (line) => this.lines.push(line));
    this.child.stderr.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    this.#exited = new Promise((done) => this.child.on('close', (code) => done(code)));
  }

  /** Waits until `count` lines have arrived; real time, as the listener is another process. */
  async waitForLines(count: number, timeoutMs = 10_000): Promise<string[]> {
    await this.#waitUntil(() => this.lines.length >= count, timeoutMs, () => `listen printed ${this.lines.length} of ${count} lines`);
    return this.lines.slice(0, count);
  }

  /** Waits until a line satisfies `predicate` and resolves with it. */
  async waitForLine(predicate: (line: string) => boolean, description: string, timeoutMs = 10_000): Promise<string> {
    await this.#waitUntil(() => this.lines.some(predicate), timeoutMs, () => `listen printed no line with ${description} in ${JSON.stringify(this.lines)}`);
    return this.lines.find(predicate) ?? '';
  }

  /** Sends SIGINT and resolves with the exit code. */
  interrupt(): Promise<number | null> {
    this.child.kill('SIGINT');
    return this.#exited;
  }

  async #waitUntil(isDone: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!isDone()) {
      if (Date.now() > deadline) assert.fail(`${describe()}; stderr: ${this.#stderr}`);
      await new Promise((done) => setTimeout(done, 20));
    }
  }
}
