/**
 * A forked load-generator process that answers requests one by one, in order, over IPC: the parent
 * side of `one-to-one-worker.ts` (and of any worker written the same way).
 */
import { fork, type ChildProcess } from 'node:child_process';

type Kinded = { kind: string };
type Failed = { kind: 'failed'; error: string };

export class ForkedWorker<Request extends Kinded, Reply extends Kinded> {
  readonly #child: ChildProcess;
  readonly #waiting: ((reply: Reply | Failed) => void)[] = [];
  #failure: Error | null = null;

  constructor(modulePath: string) {
    this.#child = fork(modulePath, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (reply: Reply | Failed) => this.#waiting.shift()?.(reply));
    this.#child.on('exit', (code, signal) => {
      this.#failure ??= new Error(`Load generator ${this.#child.pid} exited (${signal ?? code})`);
      for (const waiter of this.#waiting.splice(0)) waiter({ kind: 'failed', error: this.#failure.message });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  async ask<K extends Reply['kind']>(request: Request, expected: K): Promise<Extract<Reply, { kind: K }>> {
    if (this.#failure) throw this.#failure;
    const reply = await new Promise<Reply | Failed>((done) => {
      this.#waiting.push(done);
      this.#child.send(request);
    });
    if (reply.kind === 'failed') throw new Error(`Load generator failed: ${(reply as Failed).error}`);
    if (reply.kind !== expected) throw new Error(`Load generator answered ${reply.kind}, expected ${expected}`);
    return reply as Extract<Reply, { kind: K }>;
  }

  /** Ends the process (its connections close with it) and waits for it to exit. */
  async exit(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((done) => this.#child.once('exit', () => done()));
    this.#child.kill();
    await exited;
  }
}
