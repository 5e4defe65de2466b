import { RpcError } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';

/** Distinct users, each written to unasked, whose spam reports limit an account. */
export const SPAM_REPORTERS_TO_LIMIT = 3;
/** How long a spam limit lasts. */
export const SPAM_LIMIT_SECONDS = 7 * 24 * 3600;

/** An account's spam limit, current or past (`until` in the past once it ended or was lifted). */
export interface SpamLimit {
  userId: number;
  until: number;
  createdAt: number;
}

/**
 * Spam limits: an account reported for spam by several distinct users it wrote to first, and whom
 * those users do not have in their contacts, may message only its contacts for a week. No
 * moderator decides it, so no moderator can use it against speech: it follows from the reports of
 * the very people who got the messages.
 */
export class SpamLimits {
  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock }) {}

  /** The account's limit row, whether or not it is still running. */
  async latest(userId: number): Promise<SpamLimit | null> {
    const row = await this.deps.db.selectFrom('spam_limits').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return row === undefined ? null : { userId: row.user_id, until: row.until, createdAt: row.created_at };
  }

  /** The running limit of the account, or null. */
  async active(userId: number): Promise<SpamLimit | null> {
    const limit = await this.latest(userId);
    return limit !== null && limit.until > this.#now() ? limit : null;
  }

  /**
   * Counts the account's open spam reports made since its last limit began, by reporters it wrote
   * to unasked; at {@link SPAM_REPORTERS_TO_LIMIT} it is limited. Returns the new limit, if any.
   */
  async consider(accountId: number): Promise<SpamLimit | null> {
    const previous = await this.latest(accountId);
    const now = this.#now();
    if (previous !== null && previous.until > now) return null;
    // Reports that led to an earlier limit were answered by it; only newer ones count again.
    const since = previous?.createdAt ?? -1;
    const reporters = await this.deps.db
      .selectFrom('reports')
      .select('reporter_id')
      .distinct()
      .where('account_id', '=', accountId)
      .where('reason', '=', 'spam')
      .where('resolved_by_action_id', 'is', null)
      .where('reporter_id', 'is not', null)
      .where('created_at', '>', since)
      .execute();
    let unsolicited = 0;
    for (const { reporter_id: reporterId } of reporters) {
      if (reporterId !== null && (await this.#wroteUnasked(accountId, reporterId))) unsolicited += 1;
    }
    if (unsolicited < SPAM_REPORTERS_TO_LIMIT) return null;
    const limit = { userId: accountId, until: now + SPAM_LIMIT_SECONDS, createdAt: now };
    await this.deps.db
      .insertInto('spam_limits')
      .values({ user_id: accountId, until: limit.until, created_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ until: limit.until, created_at: now }))
      .execute();
    return limit;
  }

  /**
   * Ends the account's limit now (an appeal lifted it); the row stays as the mark reports are
   * counted from. Inside a transaction, pass it.
   */
  async lift(userId: number, executor: Kysely<Database> = this.deps.db): Promise<void> {
    await executor.updateTable('spam_limits').set({ until: this.#now() }).where('user_id', '=', userId).where('until', '>', this.#now()).execute();
  }

  /**
   * Fails with `SPAM_LIMITED` when a limited account writes to someone in a private chat who is
   * not a mutual contact. Mutual, because adding a contact is one-sided: a spammer could add
   * everyone; only the recipient can add the spammer.
   */
  async assertMayMessage(senderId: number, recipientId: number): Promise<void> {
    if (senderId === recipientId) return;
    const limit = await this.active(senderId);
    if (limit === null) return;
    const contacts = await this.deps.db
      .selectFrom('contacts')
      .select('owner_id')
      .where((eb) =>
        eb.or([
          eb.and([eb('owner_id', '=', senderId), eb('contact_id', '=', recipientId)]),
          eb.and([eb('owner_id', '=', recipientId), eb('contact_id', '=', senderId)]),
        ]),
      )
      .execute();
    if (contacts.length === 2) return;
    throw new RpcError(
      'SPAM_LIMITED',
      `Cannot message user ${recipientId}: after spam reports you may message only mutual contacts until ${new Date(limit.until * 1000).toISOString()}; see account.getRestrictions, and moderation.appeal to appeal`,
    );
  }

  /** Did `accountId` start its private chat with `reporterId` (sent its first message), and is it not in the reporter's contacts? */
  async #wroteUnasked(accountId: number, reporterId: number): Promise<boolean> {
    const chat = await this.deps.db
      .selectFrom('chats')
      .select('id')
      .where('type', '=', 'private')
      .where('user_low', '=', Math.min(accountId, reporterId))
      .where('user_high', '=', Math.max(accountId, reporterId))
      .executeTakeFirst();
    if (chat === undefined) return false;
    // Deleted messages keep their row, so deleting the first message does not hide who wrote first.
    const first = await this.deps.db.selectFrom('messages').select('sender_id').where('chat_id', '=', chat.id).orderBy('id', 'asc').limit(1).executeTakeFirst();
    if (first === undefined || first.sender_id !== accountId) return false;
    const contact = await this.deps.db.selectFrom('contacts').select('owner_id').where('owner_id', '=', reporterId).where('contact_id', '=', accountId).executeTakeFirst();
    return contact === undefined;
  }

  #now(): number {
    return unixSeconds(this.deps.clock);
  }
}
