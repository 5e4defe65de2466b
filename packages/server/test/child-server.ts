import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./serve-fixture.ts', import.meta.url));

/** A server in its own process, so a test can SIGKILL it or see it die. */
export interface ChildServer {
  process: ChildProcess;
  wsUrl: string;
  httpUrl: string;
  port: number;
  /** The processes that serve: the child itself, or its cluster's workers. */
  pids: number[];
  stderr: string[];
  /** Signals every process of the server at once (a cluster's primary and workers alike), as a machine losing power would stop them all. */
  kill(signal: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function spawnServer(options: { dataDir: string; port?: number; connectionLimits?: object; maxFileBytes?: number }): Promise<ChildServer> {
  // Its own process group, so that one signal reaches a cluster's workers too.
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  const first = await new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout! }).once('line', done);
    void exited.then(() => fail(new Error(`Server exited before listening: ${stderr.join('\n')}`)));
  });
  const { wsUrl, httpUrl, port, pids } = JSON.parse(first) as { wsUrl: string; httpUrl: string; port: number; pids: number[] };
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // The group is gone already.
    }
  };
  return { process: child, wsUrl, httpUrl, port, pids, stderr, kill, exited };
}
