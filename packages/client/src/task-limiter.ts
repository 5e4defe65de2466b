/**
 * Runs asynchronous tasks with at most `maxConcurrent` of them at once; the others wait their turn,
 * first come, first served. The SDK uses it so that a reconnect with thousands of chats behind does
 * not put thousands of `updates.getChatDifference` calls on the wire at once.
 */
export class TaskLimiter {
  readonly #maxConcurrent: number;
  #running = 0;
  /** Waiting tasks' go-aheads; `#head` is the next to go (an index, so that a long queue is not shifted). */
  #waiting: (() => void)[] = [];
  #head = 0;

  constructor(maxConcurrent: number) {
    if (!Number.isSafeInteger(maxConcurrent) || maxConcurrent < 1) {
      throw new RangeError(`Cannot create TaskLimiter: maxConcurrent is ${maxConcurrent}, not a positive integer`);
    }
    this.#maxConcurrent = maxConcurrent;
  }

  /** How many tasks run now. */
  get runningCount(): number {
    return this.#running;
  }

  /** How many tasks wait for a turn. */
  get waitingCount(): number {
    return this.#waiting.length - this.#head;
  }

  /** Runs `task` as soon as fewer than `maxConcurrent` others run; settles as it does. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.#maxConcurrent) this.#running += 1;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #release(): void {
    const next = this.#waiting[this.#head];
    if (next === undefined) {
      this.#running -= 1;
      return;
    }
    // The slot passes straight to the next task, so a newcomer cannot overtake the queue.
    this.#head += 1;
    if (this.#head >= 1024 && this.#head * 2 >= this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    next();
  }
}
