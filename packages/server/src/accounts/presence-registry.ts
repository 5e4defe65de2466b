/**
 * Who is connected, counted over every process of the server: a user is online while any of their
 * sessions is connected to any worker. Each call says whether the change crossed zero.
 */
export interface PresenceRegistry {
  /** Counts a new connection of `userId`; true when it is their first anywhere. */
  connected(userId: number): Promise<boolean>;
  /** Counts a closed connection; true when it was their last anywhere. */
  disconnected(userId: number): Promise<boolean>;
  isOnline(userId: number): Promise<boolean>;
}

/** The registry of a single-process server: a map. */
export class LocalPresenceRegistry implements PresenceRegistry {
  readonly #connections = new Map<number, number>();

  async connected(userId: number): Promise<boolean> {
    const count = (this.#connections.get(userId) ?? 0) + 1;
    this.#connections.set(userId, count);
    return count === 1;
  }

  async disconnected(userId: number): Promise<boolean> {
    const count = (this.#connections.get(userId) ?? 1) - 1;
    if (count > 0) {
      this.#connections.set(userId, count);
      return false;
    }
    this.#connections.delete(userId);
    return true;
  }

  async isOnline(userId: number): Promise<boolean> {
    return this.#connections.has(userId);
  }
}
