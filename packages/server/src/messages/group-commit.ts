import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../storage/database.ts';

interface Pending<I, O> {
  item: I;
  resolve: (outcome: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: every item submitted while the previous transaction runs (or within the same turn
 * of the event loop) is written in ONE transaction, so one disk sync covers many sends, and each
 * caller's promise settles only after that commit. If a batch fails, its items are retried one by
 * one, so a single bad item fails alone.
 */
export class GroupCommit<I, O> {
  #queue: Pending<I, O>[] = [];
  #isFlushing = false;
  #isScheduled = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly apply: (trx: Transaction<Database>, item: I) => Promise<O>,
    private readonly options: { maxBatch: number } = { maxBatch: 1000 },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#isFlushing || this.#isScheduled) return;
    this.#isScheduled = true;
    setImmediate(() => {
      this.#isScheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#isFlushing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.options.maxBatch);
        await this.#commitBatch(batch);
      }
    } finally {
      this.#isFlushing = false;
    }
  }

  async #commitBatch(batch: Pending<I, O>[]): Promise<void> {
    let outcomes: O[];
    try {
      outcomes = await this.db.transaction().execute(async (trx) => {
        const results: O[] = [];
        for (const pending of batch) results.push(await this.apply(trx, pending.item));
        return results;
      });
    } catch {
      if (batch.length === 1) return this.#commitAlone(batch[0]!);
      for (const pending of batch) await this.#commitAlone(pending);
      return;
    }
    batch.forEach((pending, index) => pending.resolve(outcomes[index]!));
  }

  async #commitAlone(pending: Pending<I, O>): Promise<void> {
    try {
      pending.resolve(await this.db.transaction().execute((trx) => this.apply(trx, pending.item)));
    } catch (error) {
      pending.reject(error);
    }
  }
}
