import { RpcError, type MethodParams, type MethodResult, type ModerationQueueItem, type ReportedContent, type ReportTarget } from '@samizdat/protocol';
import type { Kysely, Selectable } from 'kysely';
import { sql } from '../storage/kysely-runtime.ts';
import { isPublic, memberState, type ChatRow } from '../chats/permissions.ts';
import type { ChatKeyring } from '../keys/chat-keyring.ts';
import { openMessage } from '../messages/message-codec.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { RateLimit } from '../shared/rate-limiter.ts';
import type { RateLimits } from '../shared/rate-limits.ts';
import type { Database, ReportsTable } from '../storage/database.ts';
import type { Roles } from './roles.ts';
import type { SpamLimits } from './spam-limits.ts';
import { canonicalTarget, targetKey } from './targets.ts';

/** Reports one user may file: 20 an hour. */
export const DEFAULT_REPORT_LIMIT: RateLimit = { limit: 20, windowMs: 3_600_000 };
/** Comments shown per target in the queue. */
const MAX_COMMENTS = 20;

type ReportRow = Selectable<ReportsTable>;

/** What a report is checked against: the account it is about, and what it carries of a chat nobody else can read. */
interface CheckedTarget {
  accountId: number | null;
  evidence: ReportedContent | null;
}

/**
 * Reports from users (and automatic ones), deduplicated and rate-limited, grouped into the
 * moderators' queue. A report of a message in a chat the moderators cannot see (a private chat, a
 * group without a username) carries that message, sealed, and nothing else of the chat.
 */
export class Reports {
  constructor(
    protected readonly deps: { db: Kysely<Database>; keyring: ChatKeyring; roles: Roles; clock: Clock; spamLimits: SpamLimits; rateLimits: RateLimits; limit?: RateLimit },
  ) {}

  async report(reporterId: number, params: MethodParams<'reports.report'>): Promise<MethodResult<'reports.report'>> {
    const target = canonicalTarget(params.target);
    const key = targetKey(target);
    const checked = await this.#check(reporterId, target);
    const open = await this.deps.db
      .selectFrom('reports')
      .select('id')
      .where('reporter_id', '=', reporterId)
      .where('target_key', '=', key)
      .where('resolved_by_action_id', 'is', null)
      .executeTakeFirst();
    if (open !== undefined) return { reportId: open.id, isDuplicate: true };
    const wait = await this.deps.rateLimits.takeFromWindow('reports', this.deps.limit ?? DEFAULT_REPORT_LIMIT, String(reporterId));
    if (wait > 0) throw new RpcError('FLOOD_WAIT', `Cannot report: too many reports in an hour; retry in ${wait} s`, { retryAfterSeconds: wait });
    const comment = params.comment?.trim() ?? '';
    const row = await this.deps.db
      .insertInto('reports')
      .values({
        reporter_id: reporterId,
        target_key: key,
        target: JSON.stringify(target),
        account_id: checked.accountId,
        reason: params.reason,
        comment: comment === '' ? null : comment,
        evidence: checked.evidence === null ? null : Buffer.from(this.deps.keyring.sealEvidence(evidenceContext(reporterId, key), JSON.stringify(checked.evidence))).toString('base64'),
        created_at: this.#now(),
        resolved_by_action_id: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (params.reason === 'spam' && checked.accountId !== null && checked.accountId !== reporterId) await this.deps.spamLimits.consider(checked.accountId);
    return { reportId: row.id, isDuplicate: false };
  }

  /** Moderators: open reports grouped by target, the most reporters first. */
  async queue(moderatorId: number, limit: number): Promise<ModerationQueueItem[]> {
    await this.deps.roles.require(moderatorId, 'moderator', 'read the moderation queue');
    // The automatic reporter (null) counts as one reporter.
    const groups = await this.deps.db
      .selectFrom('reports')
      .select((eb) => [
        'target_key',
        eb.fn.countAll<number>().as('report_count'),
        sql<number>`count(distinct coalesce(reporter_id, 0))`.as('reporter_count'),
        eb.fn.max('created_at').as('last_at'),
      ])
      .where('resolved_by_action_id', 'is', null)
      .groupBy('target_key')
      .orderBy('reporter_count', 'desc')
      .orderBy('report_count', 'desc')
      .orderBy('last_at', 'desc')
      .limit(limit)
      .execute();
    const items: ModerationQueueItem[] = [];
    for (const group of groups) {
      const rows = await this.#open(group.target_key);
      if (rows.length === 0) continue;
      items.push(await this.#item(rows));
    }
    return items;
  }

  /** The open reports of one target, newest first. */
  async #open(key: string): Promise<ReportRow[]> {
    return this.deps.db.selectFrom('reports').selectAll().where('target_key', '=', key).where('resolved_by_action_id', 'is', null).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  }

  async #item(rows: ReportRow[]): Promise<ModerationQueueItem> {
    const target = JSON.parse(rows[0]!.target) as ReportTarget;
    const reasons: Record<string, number> = {};
    for (const row of rows) reasons[row.reason] = (reasons[row.reason] ?? 0) + 1;
    const withEvidence = rows.find((row) => row.evidence !== null);
    return {
      target,
      reportCount: rows.length,
      reporterCount: new Set(rows.map((row) => row.reporter_id ?? 0)).size,
      reasons,
      comments: rows.flatMap((row) => (row.comment === null ? [] : [row.comment])).slice(0, MAX_COMMENTS),
      firstReportedAt: Math.min(...rows.map((row) => row.created_at)),
      lastReportedAt: Math.max(...rows.map((row) => row.created_at)),
      isAutomatic: rows.some((row) => row.reporter_id === null),
      content: withEvidence === undefined ? await this.#liveContent(target) : this.#openEvidence(withEvidence),
    };
  }

  #openEvidence(row: ReportRow): ReportedContent {
    const sealed = Buffer.from(row.evidence!, 'base64');
    return JSON.parse(this.deps.keyring.openEvidence(evidenceContext(row.reporter_id!, row.target_key), sealed)) as ReportedContent;
  }

  /** What a moderator sees of a public target: read now, as anyone could. */
  async #liveContent(target: ReportTarget): Promise<ReportedContent> {
    const content: ReportedContent = { chatType: null, chatTitle: null, chatUsername: null, messageText: null, messageMedia: null, messageSenderId: null, userDisplayName: null, username: null };
    if (target.type === 'user') {
      const user = await this.deps.db.selectFrom('users').select(['display_name', 'username']).where('id', '=', target.userId).executeTakeFirst();
      return { ...content, userDisplayName: user?.display_name ?? null, username: user?.username ?? null };
    }
    const chat = await this.deps.db.selectFrom('chats').selectAll().where('id', '=', target.chatId).executeTakeFirst();
    if (chat === undefined) return content;
    const shown: ReportedContent = { ...content, chatType: chat.type, chatTitle: chat.title, chatUsername: chat.username };
    if (target.type === 'chat') return shown;
    const message = await this.#message(chat, target.messageId);
    if (message === null) return shown;
    return { ...shown, ...message };
  }

  /** One message as a moderator is shown it; null once it is gone (deleted for everyone). */
  async #message(chat: ChatRow, messageId: number): Promise<Pick<ReportedContent, 'messageText' | 'messageMedia' | 'messageSenderId' | 'userDisplayName' | 'username'> | null> {
    const row = await this.deps.db.selectFrom('messages').selectAll().where('chat_id', '=', chat.id).where('id', '=', messageId).where('is_deleted', '=', 0).executeTakeFirst();
    if (row === undefined) return null;
    const message = openMessage(this.deps.keyring, row, chat.wrapped_key);
    const sender = await this.deps.db.selectFrom('users').select(['display_name', 'username']).where('id', '=', message.senderId).executeTakeFirst();
    return { messageText: message.text, messageMedia: message.media, messageSenderId: message.senderId, userDisplayName: sender?.display_name ?? null, username: sender?.username ?? null };
  }

  /**
   * Checks the reporter may report `target`, or throws `REPORT_TARGET_INVALID`: a public group or
   * channel; a message in one, or in a chat the reporter is in and can still see; any other user.
   */
  async #check(reporterId: number, target: ReportTarget): Promise<CheckedTarget> {
    if (target.type === 'user') {
      if (target.userId === reporterId) throw new RpcError('REPORT_TARGET_INVALID', 'Cannot report yourself');
      const user = await this.deps.db.selectFrom('users').select('id').where('id', '=', target.userId).executeTakeFirst();
      if (user === undefined) throw new RpcError('REPORT_TARGET_INVALID', `Cannot report user ${target.userId}: no such user`);
      return { accountId: user.id, evidence: null };
    }
    const chat = await this.deps.db.selectFrom('chats').selectAll().where('id', '=', target.chatId).executeTakeFirst();
    const isPublicChat = chat !== undefined && chat.type !== 'private' && isPublic(chat);
    if (target.type === 'chat') {
      if (!isPublicChat) throw new RpcError('REPORT_TARGET_INVALID', `Cannot report chat ${target.chatId}: only public groups and channels are reported; report a message of a private one`);
      return { accountId: null, evidence: null };
    }
    // Whether a private chat or message exists is not for outsiders to learn: one answer for all of it.
    const invalid = new RpcError('REPORT_TARGET_INVALID', `Cannot report message ${target.messageId} of chat ${target.chatId}: no such message that you can see`);
    if (chat === undefined) throw invalid;
    const state = await memberState(this.deps.db, chat.id, reporterId, this.#now());
    if (!isPublicChat && state.role === null) throw invalid;
    const hidden = await this.deps.db
      .selectFrom('hidden_messages')
      .select('message_id')
      .where('user_id', '=', reporterId)
      .where('chat_id', '=', chat.id)
      .where('message_id', '=', target.messageId)
      .executeTakeFirst();
    const message = hidden === undefined ? await this.#message(chat, target.messageId) : null;
    if (message === null) throw invalid;
    if (isPublicChat) return { accountId: message.messageSenderId, evidence: null };
    // The reporter could read this message; it goes to the moderators, and nothing else of the chat does.
    return { accountId: message.messageSenderId, evidence: { chatType: chat.type, chatTitle: null, chatUsername: null, ...message } };
  }

  #now(): number {
    return unixSeconds(this.deps.clock);
  }
}

/** What a report's evidence is bound to: it opens only in the row it was sealed for. */
function evidenceContext(reporterId: number, key: string): string {
  return `${reporterId}/${key}`;
}
