/**
 * Trust and safety on the wire: reports, the moderators' queue and actions, appeals, lawful
 * requests and their disclosures, and the public transparency report and log.
 *
 * A disclosure's schema is the whole of what a lawful request can ever produce: a phone number and
 * IP addresses with times. It admits no other field (`additionalProperties: false`), so message
 * text, files, contacts, memberships or keys cannot be put in one.
 *
 * @module
 */
import { Type as T, type Static } from '@sinclair/typebox';
import { Id, Media, UnixTime } from './entities.ts';
import { method } from './method-schema.ts';
import { BlockCategory } from './moderation-categories.ts';

const strict = { additionalProperties: false } as const;
const Note = T.String({ minLength: 1, maxLength: 2000 });

export const REPORT_REASONS = ['spam', 'violence', 'childAbuse', 'pornography', 'copyright', 'illegalGoods', 'terrorism', 'personalData', 'other'] as const;
export const ReportReason = T.Union(REPORT_REASONS.map((r) => T.Literal(r)));
export type ReportReason = (typeof REPORT_REASONS)[number];

/** What a report is about: a chat (public), a message (in a public chat, or one the reporter received), or a user. */
export const ReportTarget = T.Union([
  T.Object({ type: T.Literal('chat'), chatId: Id }, strict),
  T.Object({ type: T.Literal('message'), chatId: Id, messageId: Id }, strict),
  T.Object({ type: T.Literal('user'), userId: Id }, strict),
]);
export type ReportTarget = Static<typeof ReportTarget>;

/** Roles the operator grants from the command line, on the server's data folder. */
export const ROLES = ['moderator', 'legal'] as const;
export const Role = T.Union(ROLES.map((r) => T.Literal(r)));
export type Role = (typeof ROLES)[number];

/** What a moderator is shown of a report's target: for a message, that message and nothing else of its chat. */
export const ReportedContent = T.Object(
  {
    chatType: T.Union([T.Literal('private'), T.Literal('group'), T.Literal('channel'), T.Null()]),
    chatTitle: T.Union([T.String(), T.Null()]),
    chatUsername: T.Union([T.String(), T.Null()]),
    messageText: T.Union([T.String(), T.Null()]),
    messageMedia: T.Union([Media, T.Null()]),
    messageSenderId: T.Union([Id, T.Null()]),
    userDisplayName: T.Union([T.String(), T.Null()]),
    username: T.Union([T.String(), T.Null()]),
  },
  strict,
);
export type ReportedContent = Static<typeof ReportedContent>;

/** The open reports of one target, grouped. */
export const ModerationQueueItem = T.Object(
  {
    target: ReportTarget,
    reportCount: T.Integer({ minimum: 1 }),
    reporterCount: T.Integer({ minimum: 1 }),
    /** Reason → how many reports gave it. */
    reasons: T.Record(T.String(), T.Integer({ minimum: 1 })),
    /** The reporters' comments, newest first (at most 20). */
    comments: T.Array(T.String()),
    firstReportedAt: UnixTime,
    lastReportedAt: UnixTime,
    /** Reported automatically (a known-illegal file), not by a user. */
    isAutomatic: T.Boolean(),
    content: ReportedContent,
  },
  strict,
);
export type ModerationQueueItem = Static<typeof ModerationQueueItem>;

export const MODERATION_ACTIONS = ['dismiss', 'removeMessage', 'blockChat', 'banUser'] as const;
export const ModerationActionKind = T.Union(MODERATION_ACTIONS.map((a) => T.Literal(a)));
export type ModerationActionKind = (typeof MODERATION_ACTIONS)[number];

/** What an appeal is against. */
export const AppealSubject = T.Union([T.Object({ type: T.Literal('chatBlock'), chatId: Id }, strict), T.Object({ type: T.Literal('spamLimit') }, strict)]);
export type AppealSubject = Static<typeof AppealSubject>;

export const Appeal = T.Object(
  {
    id: Id,
    subject: AppealSubject,
    userId: Id,
    text: T.String(),
    createdAt: UnixTime,
    status: T.Union([T.Literal('pending'), T.Literal('upheld'), T.Literal('lifted')]),
    decidedBy: T.Union([Id, T.Null()]),
    decidedAt: T.Union([UnixTime, T.Null()]),
    note: T.Union([T.String(), T.Null()]),
  },
  strict,
);
export type Appeal = Static<typeof Appeal>;

/** The limits on an account, as its owner sees them. */
export const AccountRestrictions = T.Object(
  {
    /** Reported for spam by several users it wrote to unasked: until then it may message only its contacts. */
    spamLimitedUntil: T.Union([UnixTime, T.Null()]),
    appeal: T.Union([Appeal, T.Null()]),
  },
  strict,
);
export type AccountRestrictions = Static<typeof AccountRestrictions>;

export const LEGAL_CATEGORIES = ['terrorism', 'childAbuse', 'violentCrime', 'fraud', 'other'] as const;
export const LegalCategory = T.Union(LEGAL_CATEGORIES.map((c) => T.Literal(c)));
export type LegalCategory = (typeof LEGAL_CATEGORIES)[number];

export const LegalTarget = T.Union([
  T.Object({ type: T.Literal('phone'), phone: T.String({ minLength: 1, maxLength: 32 }) }, strict),
  T.Object({ type: T.Literal('username'), username: T.String({ minLength: 1, maxLength: 64 }) }, strict),
]);
export type LegalTarget = Static<typeof LegalTarget>;

export const LegalRequest = T.Object(
  {
    id: Id,
    /** ISO 3166-1 alpha-2. */
    country: T.String({ pattern: '^[A-Z]{2}$' }),
    authority: T.String({ minLength: 1, maxLength: 256 }),
    /** A court order number or the like. */
    legalReference: T.String({ minLength: 1, maxLength: 256 }),
    category: LegalCategory,
    target: LegalTarget,
    /** The date the authority issued the request. */
    requestDate: UnixTime,
    createdBy: Id,
    createdAt: UnixTime,
    status: T.Union([T.Literal('pending'), T.Literal('approved'), T.Literal('refused')]),
    /** The second legal-role account that approved or refused it (two-person rule). */
    decidedBy: T.Union([Id, T.Null()]),
    decidedAt: T.Union([UnixTime, T.Null()]),
    note: T.Union([T.String(), T.Null()]),
  },
  strict,
);
export type LegalRequest = Static<typeof LegalRequest>;

/** One IP address a session of the target used, within the retention window. */
export const IpRecord = T.Object({ ip: T.String(), firstSeenAt: UnixTime, lastSeenAt: UnixTime }, strict);
export type IpRecord = Static<typeof IpRecord>;

/**
 * Everything an approved lawful request can produce. Nothing else fits: the schema is closed.
 * `userId` and `phone` are null when no account matched the target.
 */
export const Disclosure = T.Object(
  {
    requestId: Id,
    userId: T.Union([Id, T.Null()]),
    phone: T.Union([T.String(), T.Null()]),
    ipAddresses: T.Array(IpRecord),
    disclosedAt: UnixTime,
  },
  strict,
);
export type Disclosure = Static<typeof Disclosure>;

/** `GET /transparency.json`: what was blocked and what was asked, in aggregate; no personal data. */
export const TransparencyReport = T.Object(
  {
    generatedAt: UnixTime,
    /** Per UTC day and category, public chats blocked. */
    blocks: T.Array(T.Object({ date: T.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), category: BlockCategory, count: T.Integer({ minimum: 1 }) }, strict)),
    /** Per country and quarter, lawful requests. */
    lawfulRequests: T.Array(
      T.Object(
        {
          country: T.String(),
          quarter: T.String({ pattern: '^\\d{4}-Q[1-4]$' }),
          received: T.Integer({ minimum: 0 }),
          approved: T.Integer({ minimum: 0 }),
          refused: T.Integer({ minimum: 0 }),
          usersAffected: T.Integer({ minimum: 0 }),
        },
        strict,
      ),
    ),
  },
  strict,
);
export type TransparencyReport = Static<typeof TransparencyReport>;

/**
 * One entry of the append-only transparency log (`GET /transparency/log`). `hash` is SHA-256 over
 * the canonical JSON of `{seq, prevHash, at, kind, body}`; `signature` is the operator's Ed25519
 * signature of `hash`; `prevHash` is the previous entry's `hash` (64 zeros for the first).
 */
export const TransparencyLogEntry = T.Object(
  {
    seq: Id,
    prevHash: T.String({ pattern: '^[0-9a-f]{64}$' }),
    at: UnixTime,
    kind: T.Union([T.Literal('block'), T.Literal('unblock'), T.Literal('disclosure')]),
    /** block: `{chatId, category, actionId}`; unblock: the same and `appealId`; disclosure: `{requestId, country, authority, legalReference, category, usersAffected}`. */
    body: T.Record(T.String(), T.Union([T.String(), T.Integer()])),
    hash: T.String({ pattern: '^[0-9a-f]{64}$' }),
    signature: T.String(),
  },
  strict,
);
export type TransparencyLogEntry = Static<typeof TransparencyLogEntry>;

/** `GET /transparency/log`: the operator's public key (Ed25519, base64) and every entry in order. */
export const TransparencyLog = T.Object({ publicKey: T.String(), entries: T.Array(TransparencyLogEntry) }, strict);
export type TransparencyLog = Static<typeof TransparencyLog>;

export const SAFETY_METHODS = {
  /** Reports a public chat, a message (public, or received by the reporter), or a user. Repeats are folded. */
  'reports.report': method(
    T.Object({ target: ReportTarget, reason: ReportReason, comment: T.Optional(T.String({ maxLength: 1000 })) }, strict),
    T.Object({ reportId: Id, isDuplicate: T.Boolean() }, strict),
  ),
  /** Moderators: open reports grouped by target, most reported first. */
  'moderation.getQueue': method(T.Object({ limit: T.Optional(T.Integer({ minimum: 1, maximum: 100 })) }, strict), T.Object({ items: T.Array(ModerationQueueItem) }, strict)),
  /**
   * Moderators: acts on a target's reports. `category` is required for every action but `dismiss`,
   * and is one of the fixed block categories.
   */
  'moderation.act': method(
    T.Object({ target: ReportTarget, action: ModerationActionKind, category: T.Optional(BlockCategory), note: Note }, strict),
    T.Object({ actionId: Id }, strict),
  ),
  /** The owner of a blocked chat, or a spam-limited user, appeals once. */
  'moderation.appeal': method(T.Object({ subject: AppealSubject, text: Note }, strict), T.Object({ appeal: Appeal }, strict)),
  'moderation.getAppeals': method(T.Object({}, strict), T.Object({ appeals: T.Array(Appeal) }, strict)),
  /** Moderators: decides an appeal; not the moderator who took the action appealed. */
  'moderation.decideAppeal': method(
    T.Object({ appealId: Id, decision: T.Union([T.Literal('upheld'), T.Literal('lifted')]), note: Note }, strict),
    T.Object({ appeal: Appeal }, strict),
  ),
  'account.getRestrictions': method(T.Object({}, strict), AccountRestrictions),
  /** Legal role: records a request from an authority; it waits for a second legal-role account. */
  'legal.createRequest': method(
    T.Object(
      {
        country: T.String({ pattern: '^[A-Z]{2}$' }),
        authority: T.String({ minLength: 1, maxLength: 256 }),
        legalReference: T.String({ minLength: 1, maxLength: 256 }),
        category: LegalCategory,
        target: LegalTarget,
        requestDate: UnixTime,
      },
      strict,
    ),
    T.Object({ request: LegalRequest }, strict),
  ),
  'legal.getRequests': method(T.Object({}, strict), T.Object({ requests: T.Array(LegalRequest) }, strict)),
  'legal.approve': method(T.Object({ requestId: Id }, strict), T.Object({ request: LegalRequest }, strict)),
  'legal.refuse': method(T.Object({ requestId: Id, note: Note }, strict), T.Object({ request: LegalRequest }, strict)),
  /** Legal role: the disclosure of an approved request: the target's phone number and recent IP addresses, nothing else. */
  'legal.disclose': method(T.Object({ requestId: Id }, strict), T.Object({ disclosure: Disclosure }, strict)),
} as const;
