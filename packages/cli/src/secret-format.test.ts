import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SecretMessage } from '@samizdat/client';
import type { User } from '@samizdat/protocol';
import { formatDate } from './format.ts';
import {
  formatSafetyNumberLines,
  formatSecretHistoryLine,
  formatSecretIncomingLine,
  formatTtl,
  printableSecretMessage,
  type SecretLineContext,
} from './secret-format.ts';

const self: User = { id: 1, displayName: 'Me', username: null, phone: null, isSelf: true, isContact: false, isBot: false };
const bob: User = { id: 2, displayName: 'Bob\u001b[2J', username: 'bobby', phone: null, isSelf: false, isContact: true, isBot: false };
const context: SecretLineContext = { peerUserId: 2, users: new Map([[1, self], [2, bob]]), selfId: 1 };
const sentAt = 1_700_000_000_000;
const date = formatDate(sentAt / 1000);

function message(fields: Partial<SecretMessage> = {}): SecretMessage {
  return {
    kind: 'message', id: '1a2b3c4d5e6f70819293a4b5c6d7e8f9', senderUserId: 2, senderDeviceId: 9, sentAt, text: 'hi', ttlSeconds: 0,
    readAt: null, expiresAt: null, editedAt: null, reactions: {}, ...fields,
  };
}

test('secret history lines show the short id, sender, markers and text, with control characters escaped', () => {
  assert.equal(formatSecretHistoryLine(message(), context, sentAt), `#1a2b3c4d ${date} Bob\\x1b[2J: hi`);
  const marked = message({
    senderUserId: 1,
    replyToId: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    editedAt: sentAt,
    reactions: { '2': '👍' },
    ttlSeconds: 30,
    expiresAt: sentAt + 25_000,
    file: { fileId: 'f', key: 'k'.repeat(44), size: 2048, name: 'plans.pdf', mimeType: 'application/pdf', kind: 'document' },
  });
  assert.equal(
    formatSecretHistoryLine(marked, context, sentAt),
    `#1a2b3c4d ${date} You [document plans.pdf, 2.0 KiB] [reply to #9f8e7d6c] [edited] [👍 Bob\\x1b[2J] [self-destructs in 25 s]: hi`,
  );
  assert.equal(formatSecretIncomingLine(message({ ttlSeconds: 60 }), context, sentAt), '[secret Bob\\x1b[2J] Bob\\x1b[2J [self-destructs 1 min after it is read]: hi');
});

test('service lines say when the chat started, who set the timer, and that the safety number changed', () => {
  const at = sentAt;
  assert.equal(formatSecretHistoryLine({ kind: 'service', at, action: { type: 'started' } }, context, at), `— ${date} secret chat started on this device`);
  assert.equal(
    formatSecretHistoryLine({ kind: 'service', at, action: { type: 'timerSet', ttlSeconds: 3600, byUserId: 2 } }, context, at),
    `— ${date} Bob\\x1b[2J set the self-destruct timer to 1 h`,
  );
  assert.equal(
    formatSecretHistoryLine({ kind: 'service', at, action: { type: 'devicesChanged', userId: 2, added: [7], removed: [] } }, context, at),
    `⚠ ${date} safety number changed: Bob\\x1b[2J's devices changed (+1 −0); run samizdat secret verify @bobby`,
  );
  assert.equal(
    formatSecretHistoryLine({ kind: 'service', at, action: { type: 'devicesChanged', userId: 1, added: [], removed: [3] } }, context, at),
    `⚠ ${date} safety number changed: your devices changed (+0 −1); run samizdat secret verify @bobby`,
  );
});

test('timers read as people say them', () => {
  assert.deepEqual([0, 5, 90, 300, 7200, 86_400, 172_800, 604_800].map(formatTtl), ['off', '5 s', '90 s', '5 min', '2 h', '1 day', '2 days', '1 week']);
});

test('the safety number is shown as three lines of four blocks of five digits', () => {
  const digits = '0123456789'.repeat(6);
  assert.deepEqual(formatSafetyNumberLines(digits), ['01234 56789 01234 56789', '01234 56789 01234 56789', '01234 56789 01234 56789']);
});

test('printed messages never carry the file key', () => {
  const withFile = message({ file: { fileId: 'f', key: 'k'.repeat(44), size: 1, name: 'a', mimeType: 'b', kind: 'document' } });
  assert.equal('key' in (printableSecretMessage(withFile).file ?? {}), false);
  assert.equal(withFile.file?.key, 'k'.repeat(44), 'the stored message is left alone');
});
