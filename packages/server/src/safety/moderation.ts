import { RpcError, type AccountRestrictions, type Appeal, type AppealSubject, type BlockCategory, type MethodParams, type ReportTarget } from '@samizdat/protocol';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { userTopic, type Bus } from '../bus/bus.ts';
import { isPublic } from '../chats/permissions.ts';
import type { MessageService } from '../messages/message-service.ts';
import type { SecretRelay } from '../secret/secret-relay.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { AppealsTable, Database } from '../storage/database.ts';
import { appendChatUpdate, publish, type Delivery } from '../updates/sequences.ts';
import type { Roles } from './roles.ts';
import type { SpamLimits } from './spam-limits.ts';
import { canonicalTarget, chatMessagesKeyPrefix, targetKey } from './targets.ts';
import type { TransparencyLog } from './transparency-log.ts';

type AppealRow = Selectable<AppealsTable>;

/** What an action changed besides its own row, to push once it is committed. */
interface Effect {
  deliveries: Delivery[];
  endedSessionIds: number[];
}

/**
 * Moderators' actions on reported targets, blocks of public chats, spam limits, and appeals. The
 * categories an action may carry are fixed in the protocol (`BLOCK_CATEGORIES`): none for political
 * speech, none per country. Every action is a row with its moderator, time and note; every block
 * and unblock is also an entry of the public transparency log.
 */
export class Moderation {
  constructor(
    protected readonly deps: {
      db: Kysely<Database>;
      roles: Roles;
      log: TransparencyLog;
      bus: Bus;
      clock: Clock;
      messages: MessageService;
      secret: SecretRelay;
      spamLimits: SpamLimits;
    },
  ) {}

  /** Takes an action on a target and closes its open reports; returns the action's id. */
  async act(moderatorId: number, params: MethodParams<'moderation.act'>): Promise<number> {
    await this.deps.roles.require(moderatorId, 'moderator', 'act on reports');
    const target = canonicalTarget(params.target);
    const key = targetKey(target);
    if (params.action !== 'dismiss' && params.category === undefined) {
      throw new RpcError('MODERATION_CATEGORY_REQUIRED', `Cannot ${params.action}: give one of the fixed categories`);
    }
    const category = params.action === 'dismiss' ? null : params.category!;
    switch (params.action) {
      case 'dismiss':
        if ((await this.#openReportCount(key)) === 0) throw new RpcError('REPORT_TARGET_INVALID', `Cannot dismiss: ${key} has no open reports`);
        return this.#record(moderatorId, target, 'dismiss', null, params.note, async () => ({ deliveries: [], endedSessionIds: [] }));
      case 'removeMessage':
        return this.#removeMessage(moderatorId, target, category!, params.note);
      case 'blockChat':
        return this.#blockChat(moderatorId, target, category!, params.note);
      case 'banUser':
        return this.#banUser(moderatorId, target, category!, params.note);
    }
  }

  async #removeMessage(moderatorId: number, target: ReportTarget, category: BlockCategory, note: string): Promise<number> {
    if (target.type !== 'message') throw new RpcError('REPORT_TARGET_INVALID', 'Cannot removeMessage: the target is not a message');
    // The same deletion its author could make: members get their deleteMessages update, the sealed text is wiped.
    const removed = await this.deps.messages.removeForEveryone(target.chatId, [target.messageId]);
    if (removed.length === 0) throw new RpcError('REPORT_TARGET_INVALID', `Cannot remove message ${target.messageId} of chat ${target.chatId}: it is not there`);
    return this.#record(moderatorId, target, 'removeMessage', category, note, async () => ({ deliveries: [], endedSessionIds: [] }));
  }

  async #blockChat(moderatorId: number, target: ReportTarget, category: BlockCategory, note: string): Promise<number> {
    if (target.type !== 'chat') throw new RpcError('REPORT_TARGET_INVALID', 'Cannot blockChat: the target is not a chat');
    const chat = await this.deps.db.selectFrom('chats').selectAll().where('id', '=', target.chatId).executeTakeFirst();
    // Private chats and groups are never blocked: moderation is about what is spread in public.
    if (chat === undefined || chat.type === 'private' || !isPublic(chat)) {
      throw new RpcError('REPORT_TARGET_INVALID', `Cannot block chat ${target.chatId}: only public groups and channels are blocked`);
    }
    if (chat.blocked_category !== null) throw new RpcError('CHAT_NOT_MODIFIED', `Cannot block chat ${chat.id}: it is blocked already`);
    return this.#record(moderatorId, target, 'blockChat', category, note, async (trx, now, actionId) => {
      await trx.updateTable('chats').set({ blocked_category: category, blocked_at: now }).where('id', '=', chat.id).execute();
      // In the same transaction: no block stands without its public, signed entry, and no entry without its block.
      await this.deps.log.append('block', { chatId: chat.id, category, actionId }, trx);
      return { deliveries: [await this.#chatUpdated(trx, chat.id, now)], endedSessionIds: [] };
    });
  }

  async #banUser(moderatorId: number, target: ReportTarget, category: BlockCategory, note: string): Promise<number> {
    if (target.type !== 'user') throw new RpcError('REPORT_TARGET_INVALID', 'Cannot banUser: the target is not a user');
    if (target.userId === moderatorId) throw new RpcError('REPORT_TARGET_INVALID', 'Cannot ban yourself');
    const user = await this.deps.db.selectFrom('users').select(['id', 'banned_at']).where('id', '=', target.userId).executeTakeFirst();
    if (user === undefined) throw new RpcError('REPORT_TARGET_INVALID', `Cannot ban user ${target.userId}: no such user`);
    if (user.banned_at !== null) throw new RpcError('CHAT_NOT_MODIFIED', `Cannot ban user ${user.id}: banned already`);
    return this.#record(moderatorId, target, 'banUser', category, note, async (trx, now) => {
      await trx.updateTable('users').set({ banned_at: now }).where('id', '=', user.id).execute();
      const sessions = await trx.deleteFrom('sessions').where('user_id', '=', user.id).returning('id').execute();
      return { deliveries: [], endedSessionIds: sessions.map((row) => row.id) };
    });
  }

  /**
   * Writes the action, its effect and the closing of the target's open reports in one
   * transaction, then pushes what the effect changed. A block closes the reports of the chat's
   * messages too: none of them can spread any more.
   */
  async #record(
    moderatorId: number,
    target: ReportTarget,
    action: 'dismiss' | 'removeMessage' | 'blockChat' | 'banUser',
    category: BlockCategory | null,
    note: string,
    effect: (trx: Transaction<Database>, now: number, actionId: number) => Promise<Effect>,
  ): Promise<number> {
    const now = this.#now();
    const key = targetKey(target);
    const { actionId, done } = await this.deps.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('moderation_actions')
        .values({ moderator_id: moderatorId, target_key: key, target: JSON.stringify(target), action, category, note, created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      const done = await effect(trx, now, row.id);
      await trx
        .updateTable('reports')
        .set({ resolved_by_action_id: row.id })
        .where('resolved_by_action_id', 'is', null)
        .where((eb) => (target.type === 'chat' ? eb.or([eb('target_key', '=', key), eb('target_key', 'like', `${chatMessagesKeyPrefix(target.chatId)}%`)]) : eb('target_key', '=', key)))
        .execute();
      return { actionId: row.id, done };
    });
    publish(this.deps.bus, done.deliveries);
    for (const sessionId of done.endedSessionIds) {
      this.deps.bus.publish(userTopic((target as { userId: number }).userId), { kind: 'sessionTerminated', sessionId });
      await this.deps.secret.forget(sessionId);
    }
    return actionId;
  }

  /** The owner of a blocked chat, or a spam-limited user, appeals; once per block or limit. */
  async appeal(userId: number, params: MethodParams<'moderation.appeal'>): Promise<Appeal> {
    const subject = params.subject.type === 'chatBlock' ? ({ type: 'chatBlock', chatId: params.subject.chatId } as const) : ({ type: 'spamLimit' } as const);
    const { subjectKey, actionId } = subject.type === 'chatBlock' ? await this.#blockToAppeal(userId, subject.chatId) : await this.#limitToAppeal(userId);
    const earlier = await this.deps.db.selectFrom('appeals').select('id').where('subject_key', '=', subjectKey).executeTakeFirst();
    if (earlier !== undefined) throw new RpcError('APPEAL_INVALID', `Cannot appeal: appeal ${earlier.id} was made against this already; each is appealed once`);
    const row = await this.deps.db
      .insertInto('appeals')
      .values({ user_id: userId, subject: JSON.stringify(subject), subject_key: subjectKey, action_id: actionId, text: params.text, created_at: this.#now(), status: 'pending', decided_by: null, decided_at: null, note: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    return renderAppeal(row);
  }

  async #blockToAppeal(userId: number, chatId: number): Promise<{ subjectKey: string; actionId: number }> {
    const chat = await this.deps.db.selectFrom('chats').select(['id', 'blocked_category']).where('id', '=', chatId).executeTakeFirst();
    const owner = await this.deps.db.selectFrom('chat_members').select('role').where('chat_id', '=', chatId).where('user_id', '=', userId).executeTakeFirst();
    if (chat === undefined || owner?.role !== 'owner') throw new RpcError('APPEAL_INVALID', `Cannot appeal the block of chat ${chatId}: only its owner can`);
    const action = chat.blocked_category === null ? undefined : await this.#blockAction(chatId);
    if (action === undefined) throw new RpcError('APPEAL_INVALID', `Cannot appeal: chat ${chatId} is not blocked`);
    return { subjectKey: `chatBlock:${chatId}:${action.id}`, actionId: action.id };
  }

  async #limitToAppeal(userId: number): Promise<{ subjectKey: string; actionId: null }> {
    const limit = await this.deps.spamLimits.active(userId);
    if (limit === null) throw new RpcError('APPEAL_INVALID', 'Cannot appeal: your account is not limited');
    return { subjectKey: `spamLimit:${userId}:${limit.createdAt}`, actionId: null };
  }

  async #blockAction(chatId: number) {
    return this.deps.db
      .selectFrom('moderation_actions')
      .selectAll()
      .where('target_key', '=', targetKey({ type: 'chat', chatId }))
      .where('action', '=', 'blockChat')
      .orderBy('id', 'desc')
      .executeTakeFirst();
  }

  /** Moderators: the appeals waiting for a decision, oldest first. */
  async appeals(moderatorId: number): Promise<Appeal[]> {
    await this.deps.roles.require(moderatorId, 'moderator', 'read appeals');
    const rows = await this.deps.db.selectFrom('appeals').selectAll().where('status', '=', 'pending').orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
    return rows.map(renderAppeal);
  }

  /** Moderators: upholds or lifts; never the moderator whose action is appealed, nor the appellant. */
  async decideAppeal(moderatorId: number, params: MethodParams<'moderation.decideAppeal'>): Promise<Appeal> {
    await this.deps.roles.require(moderatorId, 'moderator', 'decide appeals');
    const appeal = await this.deps.db.selectFrom('appeals').selectAll().where('id', '=', params.appealId).executeTakeFirst();
    if (appeal === undefined || appeal.status !== 'pending') throw new RpcError('APPEAL_INVALID', `Cannot decide appeal ${params.appealId}: no such appeal waiting`);
    if (appeal.user_id === moderatorId) throw new RpcError('APPEAL_INVALID', `Cannot decide appeal ${appeal.id}: it is your own`);
    const action = appeal.action_id === null ? undefined : await this.deps.db.selectFrom('moderation_actions').selectAll().where('id', '=', appeal.action_id).executeTakeFirst();
    if (action !== undefined && action.moderator_id === moderatorId) {
      throw new RpcError('APPEAL_INVALID', `Cannot decide appeal ${appeal.id}: you took the action appealed; a different moderator decides`);
    }
    const subject = JSON.parse(appeal.subject) as AppealSubject;
    const now = this.#now();
    const decided = { status: params.decision, decided_by: moderatorId, decided_at: now, note: params.note };
    if (params.decision === 'upheld') return this.#decide(appeal.id, decided, async () => []);
    if (subject.type === 'spamLimit') {
      return this.#decide(appeal.id, decided, async (trx) => {
        await this.deps.spamLimits.lift(appeal.user_id, trx);
        return [];
      });
    }
    const chatId = subject.chatId;
    return this.#decide(appeal.id, decided, async (trx) => {
      const chat = await trx.selectFrom('chats').select('blocked_category').where('id', '=', chatId).executeTakeFirstOrThrow();
      if (chat.blocked_category === null) return [];
      await trx.updateTable('chats').set({ blocked_category: null, blocked_at: null }).where('id', '=', chatId).execute();
      const body = { chatId, category: chat.blocked_category, ...(appeal.action_id === null ? {} : { actionId: appeal.action_id }), appealId: appeal.id };
      await this.deps.log.append('unblock', body, trx);
      return [await this.#chatUpdated(trx, chatId, now)];
    });
  }

  async #decide(
    appealId: number,
    decided: { status: 'upheld' | 'lifted'; decided_by: number; decided_at: number; note: string },
    effect: (trx: Transaction<Database>) => Promise<Delivery[]>,
  ): Promise<Appeal> {
    const { row, deliveries } = await this.deps.db.transaction().execute(async (trx) => {
      const row = await trx.updateTable('appeals').set(decided).where('id', '=', appealId).where('status', '=', 'pending').returningAll().executeTakeFirst();
      if (row === undefined) throw new RpcError('APPEAL_INVALID', `Cannot decide appeal ${appealId}: it was decided meanwhile`);
      return { row, deliveries: await effect(trx) };
    });
    publish(this.deps.bus, deliveries);
    return renderAppeal(row);
  }

  /** What the account's owner is told of its limits, and of their appeal against them. */
  async restrictions(userId: number): Promise<AccountRestrictions> {
    const limit = await this.deps.spamLimits.active(userId);
    const appeal = await this.deps.db
      .selectFrom('appeals')
      .selectAll()
      .where('user_id', '=', userId)
      .where('subject_key', 'like', `spamLimit:${userId}:%`)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return { spamLimitedUntil: limit?.until ?? null, appeal: appeal === undefined ? null : renderAppeal(appeal) };
  }

  async #openReportCount(key: string): Promise<number> {
    const { count } = await this.deps.db
      .selectFrom('reports')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('target_key', '=', key)
      .where('resolved_by_action_id', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  /** Members see the chat change (its `blocked` notice comes or goes) through the chat's sequence. */
  async #chatUpdated(trx: Transaction<Database>, chatId: number, now: number): Promise<Delivery> {
    return appendChatUpdate(trx, { type: 'chatUpdated', chatId, refId: 0, date: now }, (pts) => ({ type: 'chatUpdated', pts, chatId }));
  }

  #now(): number {
    return unixSeconds(this.deps.clock);
  }
}

function renderAppeal(row: AppealRow): Appeal {
  return {
    id: row.id,
    subject: JSON.parse(row.subject) as AppealSubject,
    userId: row.user_id,
    text: row.text,
    createdAt: row.created_at,
    status: row.status,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    note: row.note,
  };
}
