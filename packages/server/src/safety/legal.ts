import {
  normalizePhone,
  normalizeUsername,
  resultFault,
  RpcError,
  type Disclosure,
  type LegalRequest,
  type LegalTarget,
  type MethodParams,
} from '@samizdat/protocol';
import type { Kysely, Selectable } from 'kysely';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { Database, LegalRequestsTable } from '../storage/database.ts';
import type { IpRecords } from './ip-records.ts';
import type { Roles } from './roles.ts';
import type { TransparencyLog } from './transparency-log.ts';

type LegalRequestRow = Selectable<LegalRequestsTable>;

/** How far ahead of the server's clock an authority's date may be (time zones, a clock a little off). */
const REQUEST_DATE_SLACK_SECONDS = 24 * 3600;

/**
 * Lawful requests (SPEC [LR1]–[LR7]): recorded by one legal-role account, approved or refused by
 * another, and once approved disclosing the target's phone number and recent IP addresses — the
 * only personal data this class ever reads is `users.id`, `users.phone` and the IP records.
 */
export class Legal {
  constructor(protected readonly deps: { db: Kysely<Database>; roles: Roles; ips: IpRecords; log: TransparencyLog; clock: Clock }) {}

  /** Records an authority's request; it waits for a second legal-role account to decide it. */
  async create(userId: number, params: MethodParams<'legal.createRequest'>): Promise<LegalRequest> {
    await this.deps.roles.require(userId, 'legal', 'record a lawful request');
    const now = unixSeconds(this.deps.clock);
    const target = normalizeTarget(params.target);
    const authority = params.authority.trim();
    const legalReference = params.legalReference.trim();
    if (authority === '' || legalReference === '') throw new RpcError('LEGAL_REQUEST_INVALID', 'Cannot record the request: the authority and the legal reference must not be blank');
    if (params.requestDate > now + REQUEST_DATE_SLACK_SECONDS) throw new RpcError('LEGAL_REQUEST_INVALID', 'Cannot record the request: its date is in the future');
    const row = await this.deps.db
      .insertInto('legal_requests')
      .values({
        country: params.country,
        authority,
        legal_reference: legalReference,
        category: params.category,
        target: JSON.stringify(target),
        request_date: params.requestDate,
        created_by: userId,
        created_at: now,
        status: 'pending',
        decided_by: null,
        decided_at: null,
        note: null,
        users_affected: 0,
        disclosed_by: null,
        disclosed_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return renderRequest(row);
  }

  /** Every request, newest first. */
  async list(userId: number): Promise<LegalRequest[]> {
    await this.deps.roles.require(userId, 'legal', 'list lawful requests');
    const rows = await this.deps.db.selectFrom('legal_requests').selectAll().orderBy('id', 'desc').execute();
    return rows.map(renderRequest);
  }

  async approve(userId: number, requestId: number): Promise<LegalRequest> {
    await this.deps.roles.require(userId, 'legal', 'approve a lawful request');
    return this.#decide(userId, requestId, 'approved', null);
  }

  async refuse(userId: number, requestId: number, note: string): Promise<LegalRequest> {
    await this.deps.roles.require(userId, 'legal', 'refuse a lawful request');
    return this.#decide(userId, requestId, 'refused', note.trim() || null);
  }

  /** Two-person rule: a pending request is decided once, by a legal-role account other than the one that recorded it. */
  async #decide(userId: number, requestId: number, status: 'approved' | 'refused', note: string | null): Promise<LegalRequest> {
    const verb = status === 'approved' ? 'approve' : 'refuse';
    const row = await this.#find(requestId, verb);
    if (row.created_by === userId) throw new RpcError('TWO_PERSON_RULE', `Cannot ${verb} request ${requestId}: you recorded it, so a second legal-role account must decide it`);
    if (row.status !== 'pending') throw new RpcError('LEGAL_REQUEST_INVALID', `Cannot ${verb} request ${requestId}: it was ${row.status} already`);
    const updated = await this.deps.db
      .updateTable('legal_requests')
      .set({ status, decided_by: userId, decided_at: unixSeconds(this.deps.clock), note })
      // The status guard makes two decisions racing end with one winner.
      .where('id', '=', requestId)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    if (updated === undefined) throw new RpcError('LEGAL_REQUEST_INVALID', `Cannot ${verb} request ${requestId}: it was decided meanwhile`);
    return renderRequest(updated);
  }

  /**
   * The disclosure of an approved request, made once: the target's user id, phone number and the
   * IP addresses of their sessions within the retention window. It is checked against the closed
   * Disclosure schema before it is recorded or returned, and recorded in the transparency log with
   * what was asked and by whom, never what was disclosed.
   */
  async disclose(userId: number, requestId: number): Promise<Disclosure> {
    await this.deps.roles.require(userId, 'legal', 'make a disclosure');
    const row = await this.#find(requestId, 'disclose');
    if (row.status !== 'approved') throw new RpcError('LEGAL_REQUEST_INVALID', `Cannot disclose for request ${requestId}: it is ${row.status}, and only an approved request discloses`);
    if (row.disclosed_at !== null) throw new RpcError('LEGAL_REQUEST_INVALID', `Cannot disclose for request ${requestId}: its disclosure was made already`);

    const account = await this.#findAccount(JSON.parse(row.target) as LegalTarget);
    const now = unixSeconds(this.deps.clock);
    const disclosure: Disclosure = {
      requestId,
      userId: account?.id ?? null,
      phone: account?.phone ?? null,
      ipAddresses: account === undefined ? [] : await this.deps.ips.forUser(account.id),
      disclosedAt: now,
    };
    const fault = resultFault('legal.disclose', { disclosure });
    if (fault !== null) throw new RpcError('INTERNAL', `Cannot disclose for request ${requestId}: the disclosure does not fit its schema (${fault})`);

    const usersAffected = account === undefined ? 0 : 1;
    await this.deps.db.transaction().execute(async (trx) => {
      const marked = await trx
        .updateTable('legal_requests')
        .set({ disclosed_by: userId, disclosed_at: now, users_affected: usersAffected })
        .where('id', '=', requestId)
        .where('status', '=', 'approved')
        .where('disclosed_at', 'is', null)
        .executeTakeFirst();
      if (marked.numUpdatedRows === 0n) throw new RpcError('LEGAL_REQUEST_INVALID', `Cannot disclose for request ${requestId}: its disclosure was made meanwhile`);
      // No phone number, no IP address, no user id: the public log says what was asked, not what was given.
      const body = { requestId, country: row.country, authority: row.authority, legalReference: row.legal_reference, category: row.category, usersAffected };
      await this.deps.log.append('disclosure', body, trx);
    });
    return disclosure;
  }

  async #find(requestId: number, verb: string): Promise<LegalRequestRow> {
    const row = await this.deps.db.selectFrom('legal_requests').selectAll().where('id', '=', requestId).executeTakeFirst();
    if (row === undefined) throw new RpcError('LEGAL_REQUEST_INVALID', `Cannot ${verb} request ${requestId}: no such request`);
    return row;
  }

  /** The account a target names. Only the id and the phone number are read: there is nothing else to leak. */
  async #findAccount(target: LegalTarget): Promise<{ id: number; phone: string } | undefined> {
    const query = this.deps.db.selectFrom('users').select(['id', 'phone']);
    return target.type === 'phone' ? query.where('phone', '=', target.phone).executeTakeFirst() : query.where('username_lower', '=', target.username).executeTakeFirst();
  }
}

/** The target as stored: a phone number in E.164, or a lower-case username without `@`. */
function normalizeTarget(target: LegalTarget): LegalTarget {
  if (target.type === 'phone') {
    const phone = normalizePhone(target.phone);
    if (phone === null) throw new RpcError('LEGAL_REQUEST_INVALID', 'Cannot record the request: the target is not a phone number in international form (+ and 7–15 digits)');
    return { type: 'phone', phone };
  }
  const username = normalizeUsername(target.username);
  if (username === null) throw new RpcError('LEGAL_REQUEST_INVALID', 'Cannot record the request: the target is not a valid username');
  return { type: 'username', username };
}

function renderRequest(row: LegalRequestRow): LegalRequest {
  return {
    id: row.id,
    country: row.country,
    authority: row.authority,
    legalReference: row.legal_reference,
    category: row.category as LegalRequest['category'],
    target: JSON.parse(row.target) as LegalTarget,
    requestDate: row.request_date,
    createdBy: row.created_by,
    createdAt: row.created_at,
    status: row.status,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    note: row.note,
  };
}
