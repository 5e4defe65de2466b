import type { User } from '@samizdat/protocol';

/** At most this many ids per `users.getUsers`, the protocol's limit. */
const BATCH = 100;

/**
 * Fetches users the app meets only by id (the sender of a group message that arrived live, who
 * was never in a history page or the chat list), each once, batched: the ids asked for in one
 * turn of the event loop go in one request ([WEB36]). A failed request forgets its ids, so that
 * they are asked for again when they next come up.
 */
export class MissingUsers {
  readonly #fetch: (userIds: number[]) => Promise<readonly User[]>;
  readonly #onUsers: (users: readonly User[]) => void;
  readonly #onError: (error: unknown) => void;
  readonly #requested = new Set<number>();
  #queue: number[] = [];

  constructor(options: { fetch: (userIds: number[]) => Promise<readonly User[]>; onUsers: (users: readonly User[]) => void; onError: (error: unknown) => void }) {
    this.#fetch = options.fetch;
    this.#onUsers = options.onUsers;
    this.#onError = options.onError;
  }

  /** Asks for a user not known yet; does nothing when already asked. */
  request(userId: number): void {
    if (this.#requested.has(userId)) return;
    this.#requested.add(userId);
    this.#queue.push(userId);
    if (this.#queue.length === 1) queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    const ids = this.#queue;
    this.#queue = [];
    for (let start = 0; start < ids.length; start += BATCH) {
      const batch = ids.slice(start, start + BATCH);
      this.#fetch(batch).then(
        (users) => this.#onUsers(users),
        (error: unknown) => {
          for (const id of batch) this.#requested.delete(id);
          this.#onError(error);
        },
      );
    }
  }
}
