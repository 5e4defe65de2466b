import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeviceKeys, verifyTransparencyLog } from '@samizdat/crypto';
import { compiled, Disclosure, resultFault, TransparencyLog as TransparencyLogSchema } from '@samizdat/protocol';
import { ManualClock } from '../src/index.ts';
import { uploadBytes } from './file-helpers.ts';
import { RawClient, rejects, startTestServer, testUsers } from './harness.ts';
import { grantRole } from './safety-helpers.ts';

const DAY_MS = 24 * 3600 * 1000;
const start = Date.UTC(2026, 0, 1);
let randomIds = 0;
const rid = () => `legal-${++randomIds}-xxxxxxxx`;

/** A server with two legal-role officers and a plain user. */
async function setup(options: { clock?: ManualClock } = {}) {
  const clock = options.clock ?? new ManualClock(start);
  const t = await startTestServer({ clock });
  const users = testUsers(() => t.server.wsUrl, 5);
  const officer = await users.user('Officer One');
  const second = await users.user('Officer Two');
  grantRole(t.server.databasePath, officer.id, 'legal');
  grantRole(t.server.databasePath, second.id, 'legal');
  const request = (target: unknown, extra: Record<string, unknown> = {}) =>
    officer.call('legal.createRequest', { country: 'DE', authority: 'Bundeskriminalamt', legalReference: 'AZ 2 BGs 17/26', category: 'terrorism', target, requestDate: Math.floor(clock.nowMs() / 1000) - 86400, ...extra });
  return {
    t,
    clock,
    users,
    officer,
    second,
    request,
    async done() {
      users.closeAll();
      await t.stop();
    },
  };
}

test('[LR1] every lawful-request method needs the legal role: a plain user and a moderator get ROLE_REQUIRED', async () => {
  const s = await setup();
  try {
    const plain = await s.users.user('Plain');
    const moderator = await s.users.user('Moderator');
    grantRole(s.t.server.databasePath, moderator.id, 'moderator');
    const { request } = await s.request({ type: 'phone', phone: plain.phone });
    for (const user of [plain, moderator]) {
      await rejects(user.call('legal.createRequest', { country: 'DE', authority: 'A', legalReference: 'R', category: 'fraud', target: { type: 'phone', phone: plain.phone }, requestDate: 0 }), 'ROLE_REQUIRED');
      await rejects(user.call('legal.getRequests'), 'ROLE_REQUIRED');
      await rejects(user.call('legal.approve', { requestId: request.id }), 'ROLE_REQUIRED');
      await rejects(user.call('legal.refuse', { requestId: request.id, note: 'no' }), 'ROLE_REQUIRED');
      await rejects(user.call('legal.disclose', { requestId: request.id }), 'ROLE_REQUIRED');
    }
    await s.second.call('legal.approve', { requestId: request.id });
    await rejects(plain.call('legal.disclose', { requestId: request.id }), 'ROLE_REQUIRED');
  } finally {
    await s.done();
  }
});

test('[LR2][LR3] a request records country, authority, legal reference, category, target, date and creator; the creator cannot decide it, a second legal-role account can, once', async () => {
  const s = await setup();
  try {
    const requestDate = Math.floor(start / 1000) - 3 * 86400;
    const { request } = await s.request({ type: 'phone', phone: '+49 (151) 234-5678' }, { requestDate, category: 'fraud', country: 'FR', authority: 'Parquet de Paris', legalReference: 'RG 26/00042' });
    assert.deepEqual(request, {
      id: request.id,
      country: 'FR',
      authority: 'Parquet de Paris',
      legalReference: 'RG 26/00042',
      category: 'fraud',
      target: { type: 'phone', phone: '+491512345678' },
      requestDate,
      createdBy: s.officer.id,
      createdAt: Math.floor(start / 1000),
      status: 'pending',
      decidedBy: null,
      decidedAt: null,
      note: null,
    });

    await rejects(s.officer.call('legal.approve', { requestId: request.id }), 'TWO_PERSON_RULE');
    await rejects(s.officer.call('legal.refuse', { requestId: request.id, note: 'changed my mind' }), 'TWO_PERSON_RULE');
    s.clock.advance(3600_000);
    const approved = (await s.second.call('legal.approve', { requestId: request.id })).request;
    assert.equal(approved.status, 'approved');
    assert.equal(approved.decidedBy, s.second.id);
    assert.equal(approved.decidedAt, Math.floor(start / 1000) + 3600);
    await rejects(s.second.call('legal.approve', { requestId: request.id }), 'LEGAL_REQUEST_INVALID');
    await rejects(s.second.call('legal.refuse', { requestId: request.id, note: 'too late' }), 'LEGAL_REQUEST_INVALID');

    const other = (await s.request({ type: 'username', username: '@Some_User' })).request;
    assert.deepEqual(other.target, { type: 'username', username: 'some_user' });
    const refused = (await s.second.call('legal.refuse', { requestId: other.id, note: 'Political speech: not a crime here' })).request;
    assert.deepEqual([refused.status, refused.decidedBy, refused.note], ['refused', s.second.id, 'Political speech: not a crime here']);
    await rejects(s.second.call('legal.approve', { requestId: other.id }), 'LEGAL_REQUEST_INVALID');

    const listed = (await s.second.call('legal.getRequests')).requests;
    assert.deepEqual(listed.map((r: { id: number; status: string }) => [r.id, r.status]), [[other.id, 'refused'], [request.id, 'approved']]);

    await rejects(s.second.call('legal.approve', { requestId: 999_999 }), 'LEGAL_REQUEST_INVALID');
    await rejects(s.request({ type: 'phone', phone: 'call me' }), 'LEGAL_REQUEST_INVALID');
    await rejects(s.request({ type: 'username', username: 'x' }), 'LEGAL_REQUEST_INVALID');
    await rejects(s.request({ type: 'phone', phone: '+491512345678' }, { authority: '   ' }), 'LEGAL_REQUEST_INVALID');
    await rejects(s.request({ type: 'phone', phone: '+491512345678' }, { requestDate: Math.floor(start / 1000) + 30 * 86400 }), 'LEGAL_REQUEST_INVALID');
  } finally {
    await s.done();
  }
});

test('[LR4] only an approved request discloses, once; a pending or refused one gets LEGAL_REQUEST_INVALID', async () => {
  const s = await setup();
  try {
    const target = await s.users.user('Target');
    const pending = (await s.request({ type: 'phone', phone: target.phone })).request;
    await rejects(s.officer.call('legal.disclose', { requestId: pending.id }), 'LEGAL_REQUEST_INVALID');
    await rejects(s.second.call('legal.disclose', { requestId: pending.id }), 'LEGAL_REQUEST_INVALID');
    const refused = (await s.request({ type: 'phone', phone: target.phone })).request;
    await s.second.call('legal.refuse', { requestId: refused.id, note: 'insufficient grounds' });
    await rejects(s.officer.call('legal.disclose', { requestId: refused.id }), 'LEGAL_REQUEST_INVALID');
    await rejects(s.officer.call('legal.disclose', { requestId: 424_242 }), 'LEGAL_REQUEST_INVALID');

    await s.second.call('legal.approve', { requestId: pending.id });
    const { disclosure } = await s.officer.call('legal.disclose', { requestId: pending.id });
    assert.equal(disclosure.userId, target.id);
    await rejects(s.officer.call('legal.disclose', { requestId: pending.id }), 'LEGAL_REQUEST_INVALID');
    await rejects(s.second.call('legal.disclose', { requestId: pending.id }), 'LEGAL_REQUEST_INVALID');
  } finally {
    await s.done();
  }
});

test('[LR4] a disclosure is the phone number and the IP addresses with times, nothing else: not the messages, files, contacts, groups or keys the target has', async () => {
  const s = await setup();
  try {
    const marker = `LR4MARKER${Date.now()}`;
    const target = await s.users.user(`Target ${marker}`);
    const friend = await s.users.user('Friend');
    await target.call('account.setUsername', { username: 'lr4target' });
    await target.call('contacts.add', { userId: friend.id });
    await target.call('messages.send', { peer: { type: 'user', userId: friend.id }, text: `${marker} private text`, randomId: rid() });
    const group = (await target.call('chats.createGroup', { title: `${marker} group`, userIds: [friend.id] })).chat;
    await target.call('messages.send', { peer: { type: 'chat', chatId: group.id }, text: `${marker} group text`, randomId: rid() });
    const file = await uploadBytes(target.call, s.t.server.httpUrl, target.token, new TextEncoder().encode(`${marker} file body`), { name: `${marker}.txt`, mimeType: 'text/plain' });
    await target.call('messages.send', { peer: { type: 'user', userId: friend.id }, text: `${marker} caption`, randomId: rid(), media: { fileId: file.id, kind: 'document' } });
    const keys = DeviceKeys.generate({ oneTimePrekeyCount: 3 });
    const bundle = keys.publicBundle();
    await target.call('secret.registerDevice', bundle);

    // Two addresses over two sessions, one of them seen again a day later.
    s.clock.advance(DAY_MS);
    const laptop = s.users.track(await RawClient.open(s.t.server.wsUrl, { localAddress: '127.0.0.3' }));
    await laptop.hello(target.token);

    const { request } = await s.request({ type: 'username', username: 'lr4target' });
    await s.second.call('legal.approve', { requestId: request.id });
    const { disclosure } = await s.officer.call('legal.disclose', { requestId: request.id });

    assert.deepEqual(Object.keys(disclosure).sort(), ['disclosedAt', 'ipAddresses', 'phone', 'requestId', 'userId']);
    for (const record of disclosure.ipAddresses) assert.deepEqual(Object.keys(record).sort(), ['firstSeenAt', 'ip', 'lastSeenAt']);
    const now = Math.floor(s.clock.nowMs() / 1000);
    assert.deepEqual(disclosure, {
      requestId: request.id,
      userId: target.id,
      phone: target.phone,
      ipAddresses: [
        { ip: '127.0.0.3', firstSeenAt: now, lastSeenAt: now },
        { ip: '127.0.0.1', firstSeenAt: Math.floor(start / 1000), lastSeenAt: Math.floor(start / 1000) },
      ],
      disclosedAt: now,
    });
    assert.equal(resultFault('legal.disclose', { disclosure }), null);
    // The exact comparison above already rules out anything else; this says what "anything" was.
    const text = JSON.stringify(disclosure);
    for (const secret of [marker, 'lr4target', bundle.identityKey, bundle.signedPrekey.publicKey, file.id, friend.phone]) {
      assert.equal(text.includes(secret), false, `the disclosure holds ${secret}`);
    }
  } finally {
    await s.done();
  }
});

test('[LR6] the Disclosure schema is closed: an extra field such as messages, contacts or a nested extra is refused', () => {
  const valid = { requestId: 1, userId: 2, phone: '+4915112345678', ipAddresses: [{ ip: '192.0.2.1', firstSeenAt: 1, lastSeenAt: 2 }], disclosedAt: 3 };
  const check = compiled(Disclosure);
  assert.equal(check.Check(valid), true);
  assert.equal(check.Check({ ...valid, messages: [{ text: 'hello' }] }), false);
  assert.equal(check.Check({ ...valid, contacts: [] }), false);
  assert.equal(check.Check({ ...valid, ipAddresses: [{ ip: '192.0.2.1', firstSeenAt: 1, lastSeenAt: 2, deviceName: 'phone' }] }), false);
  assert.notEqual(resultFault('legal.disclose', { disclosure: { ...valid, messages: [] } }), null);
  assert.notEqual(resultFault('legal.disclose', { disclosure: valid, chats: [] }), null);
});

test('[LR5] a target that matches no account discloses nothing: null user and phone, no addresses, no user affected', async () => {
  const s = await setup();
  try {
    const { request } = await s.request({ type: 'phone', phone: '+15550100999' });
    await s.second.call('legal.approve', { requestId: request.id });
    const { disclosure } = await s.second.call('legal.disclose', { requestId: request.id });
    assert.deepEqual(disclosure, { requestId: request.id, userId: null, phone: null, ipAddresses: [], disclosedAt: Math.floor(start / 1000) });
    const report = await (await fetch(`${s.t.server.httpUrl}/transparency.json`)).json();
    assert.deepEqual(report.lawfulRequests, [{ country: 'DE', quarter: '2026-Q1', received: 1, approved: 1, refused: 0, usersAffected: 0 }]);
  } finally {
    await s.done();
  }
});

test('[LR5][IP3] a disclosure discloses only the addresses within the retention window', async () => {
  const s = await setup();
  try {
    const target = await s.users.user('Target');
    s.clock.advance(20 * DAY_MS);
    const phone = s.users.track(await RawClient.open(s.t.server.wsUrl, { localAddress: '127.0.0.4' }));
    await phone.hello(target.token);
    s.clock.advance(11 * DAY_MS);
    // Not purged yet: the window still holds back what is older than it.
    const { request } = await s.request({ type: 'phone', phone: target.phone });
    await s.second.call('legal.approve', { requestId: request.id });
    const { disclosure } = await s.officer.call('legal.disclose', { requestId: request.id });
    const seen = Math.floor((start + 20 * DAY_MS) / 1000);
    assert.deepEqual(disclosure.ipAddresses, [{ ip: '127.0.0.4', firstSeenAt: seen, lastSeenAt: seen }]);
  } finally {
    await s.done();
  }
});

test('[LR7][TR2] each disclosure is an entry of the signed log with what was asked — no phone number, no address — and refusals are counted in the report', async () => {
  const s = await setup();
  try {
    const target = await s.users.user('Target');
    const { request } = await s.request({ type: 'phone', phone: target.phone });
    await s.second.call('legal.approve', { requestId: request.id });
    await s.officer.call('legal.disclose', { requestId: request.id });
    const refused = (await s.request({ type: 'phone', phone: target.phone }, { country: 'RU', authority: 'Roskomnadzor', legalReference: '149-FZ', category: 'other' })).request;
    await s.second.call('legal.refuse', { requestId: refused.id, note: 'Requests content and political speech' });

    const log = await (await fetch(`${s.t.server.httpUrl}/transparency/log`)).json();
    assert.equal(compiled(TransparencyLogSchema).Check(log), true);
    assert.deepEqual(verifyTransparencyLog(log), { ok: true, count: 1 });
    const [entry] = log.entries;
    assert.equal(entry.kind, 'disclosure');
    assert.deepEqual(entry.body, { requestId: request.id, country: 'DE', authority: 'Bundeskriminalamt', legalReference: 'AZ 2 BGs 17/26', category: 'terrorism', usersAffected: 1 });
    const text = JSON.stringify(log);
    for (const secret of [target.phone, target.phone.slice(1), '127.0.0.1', '"userId"', '"phone"', '"ip']) {
      assert.equal(text.includes(secret), false, `the log holds ${secret}`);
    }

    const report = await (await fetch(`${s.t.server.httpUrl}/transparency.json`)).json();
    assert.deepEqual(report.lawfulRequests, [
      { country: 'DE', quarter: '2026-Q1', received: 1, approved: 1, refused: 0, usersAffected: 1 },
      { country: 'RU', quarter: '2026-Q1', received: 1, approved: 0, refused: 1, usersAffected: 0 },
    ]);
  } finally {
    await s.done();
  }
});
