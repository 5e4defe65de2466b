import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { ManualClock } from '../src/index.ts';
import { RawClient, signUpTestUser, startTestServer, rejects } from './harness.ts';

/** How many codes each log has given so far. */
const codesTaken = new WeakMap<string[], number>();

/**
 * The next code the log delivery wrote, in order. A cluster's workers log through its primary, so
 * the line may arrive a moment after the answer to `auth.sendCode`.
 */
async function loggedCode(lines: string[]): Promise<string> {
  const taken = codesTaken.get(lines) ?? 0;
  const deadline = Date.now() + 5000;
  for (;;) {
    const codes = lines.map((line) => line.match(/ auth\.code .*code=(\d{5})/)?.[1]).filter((code) => code !== undefined);
    if (codes.length > taken) {
      codesTaken.set(lines, taken + 1);
      return codes[taken]!;
    }
    assert.ok(Date.now() < deadline, `no new code in the log: ${lines.join('\n')}`);
    await new Promise((done) => setTimeout(done, 5));
  }
}

describe('accounts', () => {
  const stops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const stop of stops) await stop();
  });

  async function server(options: Parameters<typeof startTestServer>[0] = {}) {
    const t = await startTestServer(options);
    stops.push(() => t.stop());
    return t;
  }

  test('[ACC1][ACC5] a new number signs up with the code written to the server log, with its phone masked', async () => {
    const t = await server({ testNumbers: false });
    const client = await RawClient.open(t.server.wsUrl);
    await client.hello();
    const phone = '+4915112345678';
    const { phoneCodeHash } = await client.call('auth.sendCode', { phone: '+49 151 1234-5678' });
    const code = await loggedCode(t.logger.lines);
    assert.ok(!t.logger.lines.some((line) => line.includes(phone)), 'the full phone number must not be logged');
    const signIn = await client.call('auth.signIn', { phone, phoneCodeHash, code });
    assert.deepEqual(signIn, { type: 'signUpRequired' });
    await rejects(client.call('auth.signUp', { phone, phoneCodeHash, code, displayName: '   ' }), 'FIRST_NAME_INVALID');
    const auth = await client.call('auth.signUp', { phone, phoneCodeHash, code, displayName: ' Alice ' });
    assert.equal(auth.type, 'authorization');
    assert.equal(auth.user.displayName, 'Alice');
    assert.equal(auth.user.phone, phone);
    assert.ok(auth.token.length >= 40);
    const self = await client.call('users.getSelf');
    assert.equal(self.user.id, auth.user.id);
    // A used code signs nobody in again.
    const other = await RawClient.open(t.server.wsUrl);
    await other.hello();
    await rejects(other.call('auth.signIn', { phone, phoneCodeHash, code }), 'PHONE_CODE_HASH_INVALID');
    client.close();
    other.close();
  });

  test('[ACC1] an existing number signs in to the same account with a new session', async () => {
    const t = await server({ testNumbers: false });
    const first = await RawClient.open(t.server.wsUrl);
    await first.hello();
    const phone = '+4915100000001';
    let sent = await first.call('auth.sendCode', { phone });
    const auth1 = await first.call('auth.signUp', { phone, phoneCodeHash: sent.phoneCodeHash, code: await loggedCode(t.logger.lines), displayName: 'A' });
    const second = await RawClient.open(t.server.wsUrl);
    await second.hello();
    sent = await second.call('auth.sendCode', { phone });
    const auth2 = await second.call('auth.signIn', { phone, phoneCodeHash: sent.phoneCodeHash, code: await loggedCode(t.logger.lines) });
    assert.equal(auth2.type, 'authorization');
    assert.equal(auth2.user.id, auth1.user.id);
    assert.notEqual(auth2.sessionId, auth1.sessionId);
    assert.notEqual(auth2.token, auth1.token);
    first.close();
    second.close();
  });

  test('[ACC1] a phone number that is not E.164 is refused with PHONE_NUMBER_INVALID', async () => {
    const t = await server();
    const client = await RawClient.open(t.server.wsUrl);
    await client.hello();
    for (const phone of ['12345', '+0123456789', '+12ab345678', '+1234567890123456']) {
      await rejects(client.call('auth.sendCode', { phone }), 'PHONE_NUMBER_INVALID');
    }
    client.close();
  });

  test('[ACC2] a code expires after 5 minutes', async () => {
    const clock = new ManualClock();
    const t = await server({ testNumbers: false, clock });
    const client = await RawClient.open(t.server.wsUrl);
    await client.hello();
    const phone = '+4915100000002';
    const { phoneCodeHash } = await client.call('auth.sendCode', { phone });
    const code = await loggedCode(t.logger.lines);
    clock.advance(299_000);
    assert.deepEqual(await client.call('auth.signIn', { phone, phoneCodeHash, code }), { type: 'signUpRequired' });
    clock.advance(1_000);
    await rejects(client.call('auth.signIn', { phone, phoneCodeHash, code }), 'PHONE_CODE_EXPIRED');
    client.close();
  });

  test('[ACC2] a code is used up after 5 wrong tries, even the right one then fails', async () => {
    const t = await server({ testNumbers: false });
    const client = await RawClient.open(t.server.wsUrl);
    await client.hello();
    const phone = '+4915100000003';
    const { phoneCodeHash } = await client.call('auth.sendCode', { phone });
    const code = await loggedCode(t.logger.lines);
    const wrong = code === '00000' ? '11111' : '00000';
    for (let i = 0; i < 5; i++) await rejects(client.call('auth.signIn', { phone, phoneCodeHash, code: wrong }), 'PHONE_CODE_INVALID');
    await rejects(client.call('auth.signIn', { phone, phoneCodeHash, code }), 'PHONE_CODE_EXPIRED');
    client.close();
  });

  test('[ACC3] code requests are limited per number and per IP with FLOOD_WAIT and a retry-after', async () => {
    const clock = new ManualClock();
    const t = await server({
      testNumbers: false,
      clock,
      authLimits: { codesPerPhone: { limit: 2, windowMs: 600_000 }, codesPerIp: { limit: 4, windowMs: 3_600_000 } },
    });
    const client = await RawClient.open(t.server.wsUrl);
    await client.hello();
    await client.call('auth.sendCode', { phone: '+4915100000004' });
    clock.advance(60_000);
    await client.call('auth.sendCode', { phone: '+4915100000004' });
    const perPhone = await rejects(client.call('auth.sendCode', { phone: '+4915100000004' }), 'FLOOD_WAIT');
    assert.equal(perPhone.retryAfterSeconds, 540);
    await client.call('auth.sendCode', { phone: '+4915100000005' });
    const perIp = await rejects(client.call('auth.sendCode', { phone: '+4915100000006' }), 'FLOOD_WAIT');
    assert.ok(perIp.retryAfterSeconds > 3000, `retry after ${perIp.retryAfterSeconds}`);
    clock.advance(3_600_000);
    await client.call('auth.sendCode', { phone: '+4915100000004' });
    client.close();
  });

  test('[ACC3] sign-in tries are limited per IP across codes', async () => {
    const t = await server({ testNumbers: false, authLimits: { signInsPerIp: { limit: 3, windowMs: 3_600_000 } } });
    const client = await RawClient.open(t.server.wsUrl);
    await client.hello();
    const phone = '+4915100000007';
    const { phoneCodeHash } = await client.call('auth.sendCode', { phone });
    for (let i = 0; i < 3; i++) await rejects(client.call('auth.signIn', { phone, phoneCodeHash, code: '99999x' }), 'PHONE_CODE_INVALID');
    await rejects(client.call('auth.signIn', { phone, phoneCodeHash, code: await loggedCode(t.logger.lines) }), 'FLOOD_WAIT');
    client.close();
  });

  test('[ACC4] with test numbers on, +99966XYYYY signs in with XXXXX and nothing is delivered', async () => {
    const t = await server({ testNumbers: true });
    const client = await RawClient.open(t.server.wsUrl);
    await client.hello();
    const { phoneCodeHash } = await client.call('auth.sendCode', { phone: '+9996671234' });
    assert.ok(!t.logger.lines.some((line) => line.includes('auth.code')), 'a test number code must not be delivered');
    await rejects(client.call('auth.signIn', { phone: '+9996671234', phoneCodeHash, code: '12345' }), 'PHONE_CODE_INVALID');
    const result = await client.call('auth.signUp', { phone: '+9996671234', phoneCodeHash, code: '77777', displayName: 'Tester' });
    assert.equal(result.type, 'authorization');
    client.close();
  });

  test('[ACC4] without test numbers, +99966XYYYY is an ordinary number whose fixed code fails', async () => {
    const t = await server({ testNumbers: false });
    const client = await RawClient.open(t.server.wsUrl);
    await client.hello();
    const { phoneCodeHash } = await client.call('auth.sendCode', { phone: '+9996671234' });
    const code = await loggedCode(t.logger.lines);
    if (code !== '77777') await rejects(client.call('auth.signIn', { phone: '+9996671234', phoneCodeHash, code: '77777' }), 'PHONE_CODE_INVALID');
    assert.deepEqual(await client.call('auth.signIn', { phone: '+9996671234', phoneCodeHash, code }), { type: 'signUpRequired' });
    client.close();
  });

  test('[ACC1] a configured webhook receives the code for an SMS gateway, and its failure is CODE_DELIVERY_FAILED', async () => {
    const received: { phone: string; code: string }[] = [];
    let status = 200;
    const gateway = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push(JSON.parse(body));
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((done) => gateway.listen(0, '127.0.0.1', done));
    stops.push(() => new Promise((done) => gateway.close(() => done())));
    const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/sms`;
    const t = await server({ testNumbers: false, codeWebhookUrl: url });
    const client = await RawClient.open(t.server.wsUrl);
    await client.hello();
    const { phoneCodeHash } = await client.call('auth.sendCode', { phone: '+4915100000008' });
    assert.equal(received.length, 1);
    assert.equal(received[0]!.phone, '+4915100000008');
    assert.ok(!t.logger.lines.some((line) => line.includes('auth.code ')), 'webhook delivery does not also log the code');
    assert.deepEqual(await client.call('auth.signIn', { phone: '+4915100000008', phoneCodeHash, code: received[0]!.code }), { type: 'signUpRequired' });
    status = 500;
    await rejects(client.call('auth.sendCode', { phone: '+4915100000009' }), 'CODE_DELIVERY_FAILED');
    client.close();
  });

  test('[ACC6] usernames are validated, unique ignoring case, resolvable and clearable', async () => {
    const t = await server();
    const alice = await RawClient.open(t.server.wsUrl);
    const bob = await RawClient.open(t.server.wsUrl);
    const a = await signUpTestUser(alice, '+9996610001', 'Alice');
    await signUpTestUser(bob, '+9996620002', 'Bob');
    for (const bad of ['abcd', '1abcde', 'ab-cde', 'a'.repeat(33), 'alice bob']) {
      await rejects(alice.call('account.setUsername', { username: bad }), 'USERNAME_INVALID');
    }
    const set = await alice.call('account.setUsername', { username: 'Alice_W' });
    assert.equal(set.user.username, 'Alice_W');
    await rejects(bob.call('account.setUsername', { username: 'alice_w' }), 'USERNAME_OCCUPIED');
    const found = await bob.call('users.resolveUsername', { username: '@ALICE_W' });
    assert.equal(found.user.id, a.user.id);
    assert.equal(found.user.isSelf, false);
    await alice.call('account.setUsername', { username: null });
    await rejects(bob.call('users.resolveUsername', { username: 'alice_w' }), 'USERNAME_NOT_OCCUPIED');
    await bob.call('account.setUsername', { username: 'alice_w' });
    alice.close();
    bob.close();
  });

  test('[ACC7] a phone number is hidden from others unless its owner allows it', async () => {
    const t = await server();
    const alice = await RawClient.open(t.server.wsUrl);
    const bob = await RawClient.open(t.server.wsUrl);
    const a = await signUpTestUser(alice, '+9996610003', 'Alice');
    await signUpTestUser(bob, '+9996620004', 'Bob');
    const byPhone = await bob.call('users.resolvePhone', { phone: '+999 661 0003' });
    assert.equal(byPhone.user.id, a.user.id);
    assert.equal(byPhone.user.phone, null);
    assert.equal((await bob.call('users.getUsers', { userIds: [a.user.id] })).users[0].phone, null);
    assert.deepEqual(await alice.call('account.setPrivacy', {}), { phoneVisibility: 'nobody', lastSeenVisibility: 'everybody' }, 'an empty change changes nothing');
    await alice.call('account.setPrivacy', { phoneVisibility: 'everybody' });
    assert.equal((await bob.call('users.getUsers', { userIds: [a.user.id] })).users[0].phone, '+9996610003');
    await rejects(bob.call('users.resolvePhone', { phone: '+9996699999' }), 'PHONE_NUMBER_UNOCCUPIED');
    alice.close();
    bob.close();
  });

  test('[ACC8] sessions are listed per device; ending one tells its connection AUTH_KEY_UNREGISTERED and closes it', async () => {
    const t = await server();
    const laptop = await RawClient.open(t.server.wsUrl);
    const phone = await RawClient.open(t.server.wsUrl);
    const first = await signUpTestUser(laptop, '+9996630001', 'Carol');
    const second = await signUpTestUser(phone, '+9996630001', 'Carol');
    const { sessions } = await laptop.call('account.getSessions');
    assert.equal(sessions.length, 2);
    assert.deepEqual(sessions.map((s: { isCurrent: boolean; id: number }) => [s.id, s.isCurrent]).sort(), [[first.sessionId, true], [second.sessionId, false]].sort());
    await laptop.call('account.terminateSession', { sessionId: second.sessionId });
    const closed = await phone.closed();
    assert.equal(closed.code, 4001);
    assert.ok(phone.frames.some((f) => f.type === 'error' && f.id === null && f.code === 'AUTH_KEY_UNREGISTERED'));
    const again = await RawClient.open(t.server.wsUrl);
    const hello = await again.hello(second.token);
    assert.equal(hello.type, 'error');
    assert.equal((hello as { code: string }).code, 'AUTH_KEY_UNREGISTERED');
    await rejects(again.call('users.getSelf'), 'AUTH_KEY_UNREGISTERED');
    const resumed = await RawClient.open(t.server.wsUrl);
    const welcome = await resumed.hello(first.token);
    assert.equal(welcome.type, 'result');
    assert.equal((await resumed.call('users.getSelf')).user.id, first.user.id);
    await rejects(laptop.call('account.terminateSession', { sessionId: 999 }), 'SESSION_NOT_FOUND');
    await resumed.call('auth.logOut');
    await rejects(resumed.call('users.getSelf'), 'AUTH_KEY_UNREGISTERED');
    for (const c of [laptop, again, resumed]) c.close();
  });
});
