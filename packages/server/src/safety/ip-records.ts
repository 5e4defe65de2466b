import type { IpRecord } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import { sql } from '../storage/kysely-runtime.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';

/**
 * An IPv4 address as Node reports it on a dual-stack socket (`::ffff:203.0.113.7`) is written as
 * plain IPv4, so one address is one record however the socket was bound.
 */
export function normalizeIp(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped === null ? ip : mapped[1]!;
}

/**
 * The IP addresses each session used, kept for the retention window only (default 30 days): with
 * the phone number, the only thing a lawful request can disclose (SPEC [IP1]–[IP4]).
 */
export class IpRecords {
  constructor(protected readonly deps: { db: Kysely<Database>; clock: Clock; retentionSeconds: number }) {}

  /** The oldest time still inside the window: anything last seen before it is purged. */
  #cutoff(): number {
    return unixSeconds(this.deps.clock) - this.deps.retentionSeconds;
  }

  /**
   * Notes that `sessionId` used `ip` at `nowSeconds`: a new record, or a later last-seen time. The
   * sessions call this when a session is made and whenever they mark it active (a new address, or
   * a minute since the last mark), so last-seen is precise to a minute.
   */
  async record(sessionId: number, userId: number, ip: string, nowSeconds = unixSeconds(this.deps.clock)): Promise<void> {
    // 'unknown' stands for a socket that closed before its address was read: no address to keep.
    if (ip === '' || ip === 'unknown') return;
    await this.deps.db
      .insertInto('session_ips')
      .values({ session_id: sessionId, user_id: userId, ip: normalizeIp(ip), first_seen_at: nowSeconds, last_seen_at: nowSeconds })
      .onConflict((oc) => oc.columns(['session_id', 'ip']).doUpdateSet({ last_seen_at: sql<number>`max(session_ips.last_seen_at, excluded.last_seen_at)` }))
      .execute();
  }

  /**
   * The addresses the user's sessions (current or ended) used within the window, one record per
   * address, most recent first. A first sighting older than the window reads as the window's start:
   * nothing older than the retention period is ever handed out, even before the next purge.
   */
  async forUser(userId: number): Promise<IpRecord[]> {
    const cutoff = this.#cutoff();
    const rows = await this.deps.db
      .selectFrom('session_ips')
      .select((eb) => ['ip', eb.fn.min<number>('first_seen_at').as('first_seen_at'), eb.fn.max<number>('last_seen_at').as('last_seen_at')])
      .where('user_id', '=', userId)
      .where('last_seen_at', '>=', cutoff)
      .groupBy('ip')
      .orderBy('last_seen_at', 'desc')
      .orderBy('ip')
      .execute();
    return rows.map((row) => ({ ip: row.ip, firstSeenAt: Math.max(row.first_seen_at, cutoff), lastSeenAt: row.last_seen_at }));
  }

  /**
   * Forgets what the window no longer covers: records last seen before it are deleted, older
   * first sightings are moved up to its start, and sessions idle since before it lose the last
   * address they kept in `sessions.ip` (the session itself stays signed in). Runs at start and
   * hourly; returns how many records were deleted.
   */
  async purge(): Promise<number> {
    const cutoff = this.#cutoff();
    return this.deps.db.transaction().execute(async (trx) => {
      const deleted = await trx.deleteFrom('session_ips').where('last_seen_at', '<', cutoff).executeTakeFirst();
      await trx.updateTable('session_ips').set({ first_seen_at: cutoff }).where('first_seen_at', '<', cutoff).execute();
      await trx.updateTable('sessions').set({ ip: '' }).where('last_active_at', '<', cutoff).where('ip', '!=', '').execute();
      return Number(deleted.numDeletedRows);
    });
  }
}
