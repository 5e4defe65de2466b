/**
 * Human renderings of trust and safety: the moderators' queue, appeals, lawful requests and their
 * disclosures, an account's restrictions, and the public transparency report. Everything that came
 * from users or from the network goes through {@link sanitize}.
 *
 * @module
 */
import type {
  AccountRestrictions,
  Appeal,
  Disclosure,
  LegalRequest,
  ModerationQueueItem,
  ReportTarget,
  TransparencyReport,
} from '@samizdat/protocol';
import { formatDate, formatMediaMarker, sanitize } from './format.ts';
import { formatCalendarDate, MOD_ACTION_TARGET, type ModActionName } from './safety-arguments.ts';
import { formatTargetArgument } from './safety-target.ts';

/** Text on one line: control characters escaped, runs of white space (newlines too) one space, cut at `max`. */
export function oneLine(text: string, max = 200): string {
  const flat = sanitize(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `1 report`, `3 reports`. */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `channel 12 "News" @news`, from what the queue shows of a chat. */
function chatDescription(chatId: number, content: ModerationQueueItem['content']): string {
  const parts = [`${content.chatType ?? 'chat'} ${chatId}`];
  if (content.chatTitle !== null) parts.push(`"${oneLine(content.chatTitle, 80)}"`);
  if (content.chatUsername !== null) parts.push(`@${sanitize(content.chatUsername)}`);
  return parts.join(' ');
}

/** The actions that fit a target: `dismiss|block` for a chat, and so on. */
export function actionsFor(target: ReportTarget): ModActionName[] {
  return (Object.keys(MOD_ACTION_TARGET) as ModActionName[]).filter((action) => MOD_ACTION_TARGET[action] === null || MOD_ACTION_TARGET[action] === target.type);
}

/**
 * One target of `mod queue`, as a block of lines:
 *
 * ```
 * [channel 12 "News" @news] 3 reports from 2 users · terrorism 2, spam 1 · first 2026-01-01 10:00 · last 2026-01-01 11:00
 *   comment: recruits for an armed group
 *   act: samizdat mod act 12 dismiss|block --category CATEGORY --note TEXT
 * ```
 */
export function formatQueueItem(item: ModerationQueueItem): string[] {
  const { target, content } = item;
  let head: string;
  const details: string[] = [];
  switch (target.type) {
    case 'chat':
      head = `[${chatDescription(target.chatId, content)}]`;
      break;
    case 'message': {
      head = `[message ${target.messageId} in ${chatDescription(target.chatId, content)}]`;
      const from = content.messageSenderId === null ? 'unknown sender' : `user ${content.messageSenderId}`;
      const media = content.messageMedia === null ? '' : ` ${formatMediaMarker(content.messageMedia)}`;
      const text = content.messageText === null ? '(message gone)' : content.messageText === '' ? '' : `: ${oneLine(content.messageText, 500)}`;
      details.push(`  from ${from}${media}${text}`);
      break;
    }
    case 'user': {
      const name = content.userDisplayName === null ? '' : ` ${oneLine(content.userDisplayName, 80)}`;
      const username = content.username === null ? '' : ` (@${sanitize(content.username)})`;
      head = `[user ${target.userId}]${name}${username}`;
      break;
    }
  }
  const reasons = Object.entries(item.reasons)
    .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : 1))
    .map(([reason, count]) => `${sanitize(reason)} ${count}`)
    .join(', ');
  const summary = [
    `${plural(item.reportCount, 'report')} from ${plural(item.reporterCount, 'user')}`,
    reasons,
    `first ${formatDate(item.firstReportedAt)}`,
    `last ${formatDate(item.lastReportedAt)}`,
  ];
  if (item.isAutomatic) summary.push('reported automatically (known illegal file)');
  const lines = [`${head} ${summary.join(' · ')}`, ...details];
  for (const comment of item.comments) lines.push(`  comment: ${oneLine(comment, 500)}`);
  const actions = actionsFor(target).join('|');
  lines.push(`  act: samizdat mod act ${formatTargetArgument(target)} ${actions} --category CATEGORY --note TEXT`);
  return lines;
}

/** `block of chat 12`, `spam limit of your account`. */
function appealSubject(appeal: Appeal): string {
  return appeal.subject.type === 'chatBlock' ? `block of chat ${appeal.subject.chatId}` : 'spam limit';
}

/** How an appeal stands: `pending`, `lifted by user 9 on 2026-01-02 10:00: note`. */
function appealOutcome(appeal: Appeal): string {
  if (appeal.status === 'pending') return 'pending';
  const by = appeal.decidedBy === null ? '' : ` by user ${appeal.decidedBy}`;
  const when = appeal.decidedAt === null ? '' : ` on ${formatDate(appeal.decidedAt)}`;
  const note = appeal.note === null ? '' : `: ${oneLine(appeal.note)}`;
  return `${appeal.status}${by}${when}${note}`;
}

/** One line of `mod appeals`: `#3 pending · block of chat 12 · by user 5 on 2026-01-01 10:00: "please"`. */
export function formatAppealLine(appeal: Appeal): string {
  return `#${appeal.id} ${appealOutcome(appeal)} · ${appealSubject(appeal)} · by user ${appeal.userId} on ${formatDate(appeal.createdAt)}: ${oneLine(appeal.text, 500)}`;
}

/** `+15551234567`, `@name`. */
function legalTarget(request: LegalRequest): string {
  return request.target.type === 'phone' ? sanitize(request.target.phone) : `@${sanitize(request.target.username)}`;
}

/**
 * One line of `legal list`:
 * `#4 pending · DE · Bundeskriminalamt · ref AZ 17/26 · terrorism · target +15551234567 · dated 2026-01-01 · recorded by user 3 on 2026-01-02 10:00`,
 * then ` · approved by user 5 on …` or ` · refused by user 5 on …: note` once decided.
 */
export function formatLegalRequestLine(request: LegalRequest): string {
  const parts = [
    `#${request.id} ${request.status}`,
    request.country,
    oneLine(request.authority, 100),
    `ref ${oneLine(request.legalReference, 100)}`,
    request.category,
    `target ${legalTarget(request)}`,
    `dated ${formatCalendarDate(request.requestDate)}`,
    `recorded by user ${request.createdBy} on ${formatDate(request.createdAt)}`,
  ];
  if (request.status !== 'pending') {
    const by = request.decidedBy === null ? '' : ` by user ${request.decidedBy}`;
    const when = request.decidedAt === null ? '' : ` on ${formatDate(request.decidedAt)}`;
    const note = request.note === null ? '' : `: ${oneLine(request.note)}`;
    parts.push(`${request.status}${by}${when}${note}`);
  }
  return parts.join(' · ');
}

/**
 * `legal disclose`: the phone number and the IP addresses with times — all a disclosure has.
 *
 * ```
 * Disclosure for request #4, 2026-01-02 10:00
 * phone +15551234567 (user 7)
 * ip 203.0.113.5 · first seen 2026-01-01 09:00 · last seen 2026-01-02 08:00
 * ```
 */
export function formatDisclosureLines(disclosure: Disclosure): string[] {
  const lines = [`Disclosure for request #${disclosure.requestId}, ${formatDate(disclosure.disclosedAt)}`];
  if (disclosure.phone === null) {
    lines.push('No account matched the target: no phone number, no IP addresses');
    return lines;
  }
  lines.push(`phone ${sanitize(disclosure.phone)}${disclosure.userId === null ? '' : ` (user ${disclosure.userId})`}`);
  if (disclosure.ipAddresses.length === 0) lines.push('No IP addresses within the retention window');
  for (const record of disclosure.ipAddresses) {
    lines.push(`ip ${sanitize(record.ip)} · first seen ${formatDate(record.firstSeenAt)} · last seen ${formatDate(record.lastSeenAt)}`);
  }
  return lines;
}

/** `restrictions`: the spam limit, if any, and the appeal against it. */
export function formatRestrictionLines(restrictions: AccountRestrictions): string[] {
  const lines: string[] = [];
  if (restrictions.spamLimitedUntil === null) lines.push('No restrictions on your account');
  else {
    lines.push(
      `Limited until ${formatDate(restrictions.spamLimitedUntil)}: reported for spam by several users you wrote to first. ` +
        'Until then you can message in private chats only your mutual contacts; groups are not limited.',
    );
    if (restrictions.appeal === null) lines.push('You can appeal once: samizdat appeal spam TEXT');
  }
  if (restrictions.appeal !== null) lines.push(`Your appeal #${restrictions.appeal.id} of ${formatDate(restrictions.appeal.createdAt)}: ${appealOutcome(restrictions.appeal)}`);
  return lines;
}

/** How many public chats a report says were blocked, over all days and categories. */
export function totalBlocks(report: TransparencyReport): number {
  return report.blocks.reduce((sum, block) => sum + block.count, 0);
}

/**
 * `transparency show`: the two tables of the report.
 *
 * ```
 * Transparency report of http://host:8080, generated 2026-01-02T10:00:00Z
 * Public groups and channels blocked, per day (UTC): 3 in all
 *   2026-01-01  terrorism  2
 *   2026-01-01  fraud      1
 * Lawful requests, per country and quarter received:
 *   2026-Q1  DE  received 3 · approved 2 · refused 1 · users affected 1
 * ```
 */
export function formatTransparencyReport(url: string, report: TransparencyReport): string[] {
  const generated = new Date(report.generatedAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const lines = [`Transparency report of ${sanitize(url)}, generated ${generated}`];
  lines.push(`Public groups and channels blocked, per day (UTC): ${totalBlocks(report)} in all`);
  const width = Math.max(0, ...report.blocks.map((block) => sanitize(block.category).length));
  for (const block of report.blocks) lines.push(`  ${sanitize(block.date)}  ${sanitize(block.category).padEnd(width)}  ${block.count}`);
  if (report.blocks.length === 0) lines.push('  none');
  lines.push('Lawful requests, per country and quarter received:');
  for (const row of report.lawfulRequests) {
    lines.push(
      `  ${sanitize(row.quarter)}  ${sanitize(row.country)}  received ${row.received} · approved ${row.approved} · refused ${row.refused} · users affected ${row.usersAffected}`,
    );
  }
  if (report.lawfulRequests.length === 0) lines.push('  none');
  return lines;
}
