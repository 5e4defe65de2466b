import type { UserStatus } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import { userTopic, type Bus } from '../bus/bus.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { Database } from '../storage/database.ts';
import { privateChatPeers } from '../chats/private-peers.ts';
import type { Contacts } from './contacts.ts';
import { LocalPresenceRegistry, type PresenceRegistry } from './presence-registry.ts';

/** How long "online" holds without a renewal; the tracker renews it while a connection is open. */
const ONLINE_SECONDS = 300;
/** Who hears of a status change at the most: private-chat peers and those who keep the user as a contact. */
const MAX_WATCHERS = 1000;

/**
 * Online and last-seen status. A user is online while any of their sessions is connected to any
 * worker (the registry counts across processes); each change is told to the people who may know it
 * under the user's privacy setting (everybody, contacts, nobody), and the last-seen time is stored
 * when the last connection goes.
 */
export class Presence {
  readonly #registry: PresenceRegistry;

  constructor(
    private readonly deps: { db: Kysely<Database>; contacts: Contacts; bus: Bus; clock: Clock; logger: Logger; registry?: PresenceRegistry },
  ) {
    this.#registry = deps.registry ?? new LocalPresenceRegistry();
  }

  connected(userId: number): void {
    void this.#registry
      .connected(userId)
      .then((first) => (first ? this.#announce(userId, { type: 'online', expiresAt: this.#now() + ONLINE_SECONDS }) : undefined))
      .catch((error: unknown) => this.deps.logger.log('warn', 'presence.count_failed', { userId, error: String(error) }));
  }

  disconnected(userId: number): void {
    const lastSeenAt = this.#now();
    void this.#registry
      .disconnected(userId)
      .then(async (last) => {
        if (!last) return;
        await this.deps.db.updateTable('users').set({ last_seen_at: lastSeenAt }).where('id', '=', userId).execute();
        await this.#announce(userId, { type: 'offline', lastSeenAt });
      })
      .catch((error: unknown) => this.deps.logger.log('warn', 'presence.store_failed', { userId, error: String(error) }));
  }

  /** The status of `userId` as `viewerId` may see it. */
  async statusFor(viewerId: number, userId: number): Promise<UserStatus> {
    const row = await this.deps.db.selectFrom('users').select(['last_seen_visibility', 'last_seen_at']).where('id', '=', userId).executeTakeFirst();
    if (row === undefined) return { type: 'hidden' };
    if (!(await this.#mayKnow(viewerId, userId, row.last_seen_visibility))) return { type: 'hidden' };
    if (await this.#registry.isOnline(userId)) return { type: 'online', expiresAt: this.#now() + ONLINE_SECONDS };
    return row.last_seen_at === null ? { type: 'hidden' } : { type: 'offline', lastSeenAt: row.last_seen_at };
  }

  async #mayKnow(viewerId: number, userId: number, visibility: 'everybody' | 'contacts' | 'nobody'): Promise<boolean> {
    if (viewerId === userId || visibility === 'everybody') return true;
    if (visibility === 'nobody') return false;
    return this.deps.contacts.has(userId, viewerId);
  }

  async #announce(userId: number, status: UserStatus): Promise<void> {
    try {
      const row = await this.deps.db.selectFrom('users').select('last_seen_visibility').where('id', '=', userId).executeTakeFirst();
      if (row === undefined || row.last_seen_visibility === 'nobody') return;
      for (const watcherId of await this.#watchers(userId)) {
        if (!(await this.#mayKnow(watcherId, userId, row.last_seen_visibility))) continue;
        this.deps.bus.publish(userTopic(watcherId), { kind: 'presence', frame: { type: 'presence', userId, status } });
      }
    } catch (error) {
      this.deps.logger.log('warn', 'presence.announce_failed', { userId, error: String(error) });
    }
  }

  async #watchers(userId: number): Promise<number[]> {
    const peers = await privateChatPeers(this.deps.db, userId, { limit: MAX_WATCHERS });
    const keepers = await this.deps.db.selectFrom('contacts').select('owner_id').where('contact_id', '=', userId).limit(MAX_WATCHERS).execute();
    return [...new Set([...peers, ...keepers.map((row) => row.owner_id)])];
  }

  #now(): number {
    return unixSeconds(this.deps.clock);
  }
}
