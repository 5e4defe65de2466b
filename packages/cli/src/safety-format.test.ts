import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Disclosure, LegalRequest, ModerationQueueItem, TransparencyReport } from '@samizdat/protocol';
import { formatDate } from './format.ts';
import { actionsFor, formatDisclosureLines, formatLegalRequestLine, formatQueueItem, formatRestrictionLines, formatTransparencyReport, totalBlocks } from './safety-format.ts';

const at = 1_767_261_600; // 2026-01-01 10:00 UTC
const noContent: ModerationQueueItem['content'] = {
  chatType: null, chatTitle: null, chatUsername: null, messageText: null, messageMedia: null, messageSenderId: null, userDisplayName: null, username: null,
};

test('a queue block names the target as mod act takes it, with counts, reasons, comments and content, one line each', () => {
  const channel: ModerationQueueItem = {
    target: { type: 'chat', chatId: 12 },
    reportCount: 3,
    reporterCount: 2,
    reasons: { spam: 1, terrorism: 2 },
    comments: ['recruits\nfor an armed group', 'see post 5\u001b[2J'],
    firstReportedAt: at,
    lastReportedAt: at + 60,
    isAutomatic: false,
    content: { ...noContent, chatType: 'channel', chatTitle: 'News', chatUsername: 'news_room' },
  };
  assert.deepEqual(formatQueueItem(channel), [
    `[channel 12 "News" @news_room] 3 reports from 2 users · terrorism 2, spam 1 · first ${formatDate(at)} · last ${formatDate(at + 60)}`,
    '  comment: recruits for an armed group',
    '  comment: see post 5\\x1b[2J',
    '  act: samizdat mod act 12 dismiss|block --category CATEGORY --note TEXT',
  ]);
  const message: ModerationQueueItem = {
    ...channel,
    target: { type: 'message', chatId: 4, messageId: 9 },
    reportCount: 1,
    reporterCount: 1,
    reasons: { spam: 1 },
    comments: [],
    content: { ...noContent, chatType: 'private', messageText: 'buy now', messageSenderId: 7 },
  };
  const lines = formatQueueItem(message);
  assert.match(lines[0]!, /^\[message 9 in private 4\] 1 report from 1 user · spam 1 · /);
  assert.equal(lines[1], '  from user 7: buy now');
  assert.equal(lines.at(-1), '  act: samizdat mod act 4:9 dismiss|remove --category CATEGORY --note TEXT');
  const user: ModerationQueueItem = { ...message, target: { type: 'user', userId: 7 }, isAutomatic: true, content: { ...noContent, userDisplayName: 'Spammer', username: 'spam_king' } };
  assert.match(formatQueueItem(user)[0]!, /^\[user 7\] Spammer \(@spam_king\) 1 report .* · reported automatically \(known illegal file\)$/);
  assert.deepEqual(actionsFor({ type: 'user', userId: 7 }), ['dismiss', 'ban']);
});

const request: LegalRequest = {
  id: 4, country: 'DE', authority: 'Bundeskriminalamt', legalReference: 'AZ 2 BGs 17/26', category: 'terrorism',
  target: { type: 'phone', phone: '+15551234567' }, requestDate: Date.UTC(2026, 0, 1) / 1000, createdBy: 3, createdAt: at,
  status: 'pending', decidedBy: null, decidedAt: null, note: null,
};

test('legal list lines show the request and, once decided, who decided', () => {
  assert.equal(
    formatLegalRequestLine(request),
    `#4 pending · DE · Bundeskriminalamt · ref AZ 2 BGs 17/26 · terrorism · target +15551234567 · dated 2026-01-01 · recorded by user 3 on ${formatDate(at)}`,
  );
  const refused = formatLegalRequestLine({ ...request, target: { type: 'username', username: 'bob_1' }, status: 'refused', decidedBy: 5, decidedAt: at, note: 'no basis' });
  assert.match(refused, / · target @bob_1 · .* · refused by user 5 on .*: no basis$/);
});

test('a disclosure prints the phone number and the IP addresses with times, and nothing else', () => {
  const disclosure: Disclosure = {
    requestId: 4, userId: 7, phone: '+15551234567', disclosedAt: at, ipAddresses: [{ ip: '203.0.113.5', firstSeenAt: at - 3600, lastSeenAt: at - 60 }],
  };
  assert.deepEqual(formatDisclosureLines(disclosure), [
    `Disclosure for request #4, ${formatDate(at)}`,
    'phone +15551234567 (user 7)',
    `ip 203.0.113.5 · first seen ${formatDate(at - 3600)} · last seen ${formatDate(at - 60)}`,
  ]);
  assert.deepEqual(formatDisclosureLines({ requestId: 4, userId: null, phone: null, ipAddresses: [], disclosedAt: at }).slice(1), [
    'No account matched the target: no phone number, no IP addresses',
  ]);
});

test('restrictions say whether the account is limited and how its appeal stands', () => {
  assert.deepEqual(formatRestrictionLines({ spamLimitedUntil: null, appeal: null }), ['No restrictions on your account']);
  const limited = formatRestrictionLines({ spamLimitedUntil: at, appeal: null });
  assert.match(limited[0]!, /^Limited until .*: reported for spam/);
  assert.equal(limited[1], 'You can appeal once: samizdat appeal spam TEXT');
  const appealed = formatRestrictionLines({
    spamLimitedUntil: at,
    appeal: { id: 3, subject: { type: 'spamLimit' }, userId: 1, text: 't', createdAt: at, status: 'pending', decidedBy: null, decidedAt: null, note: null },
  });
  assert.equal(appealed.length, 2);
  assert.match(appealed[1]!, /^Your appeal #3 of .*: pending$/);
});

test('the transparency report prints blocks per day and category with their total, and requests per country and quarter', () => {
  const report: TransparencyReport = {
    generatedAt: at,
    blocks: [
      { date: '2026-01-01', category: 'fraud', count: 1 },
      { date: '2026-01-01', category: 'terrorism', count: 2 },
    ],
    lawfulRequests: [{ country: 'DE', quarter: '2026-Q1', received: 3, approved: 2, refused: 1, usersAffected: 1 }],
  };
  assert.equal(totalBlocks(report), 3);
  assert.deepEqual(formatTransparencyReport('http://h:1', report), [
    'Transparency report of http://h:1, generated 2026-01-01T10:00:00Z',
    'Public groups and channels blocked, per day (UTC): 3 in all',
    '  2026-01-01  fraud      1',
    '  2026-01-01  terrorism  2',
    'Lawful requests, per country and quarter received:',
    '  2026-Q1  DE  received 3 · approved 2 · refused 1 · users affected 1',
  ]);
  assert.deepEqual(formatTransparencyReport('http://h:1', { generatedAt: at, blocks: [], lawfulRequests: [] }).slice(1), [
    'Public groups and channels blocked, per day (UTC): 0 in all',
    '  none',
    'Lawful requests, per country and quarter received:',
    '  none',
  ]);
});
