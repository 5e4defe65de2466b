import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { acceptSession, decrypt, DeviceKeys, encrypt, initiateSession, RatchetError, type Session } from '@samizdat/crypto';
import { RawClient, startTestServer, testUsers } from './harness.ts';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (value: string) => new TextEncoder().encode(value);

test('[E2E-S5] messages between devices encrypted with @samizdat/crypto reach every device, tampering is refused, and no plaintext reaches the server: not its database, WAL, logs or any frame it received', async () => {
  const t = await startTestServer();
  const users = testUsers(() => t.server.wsUrl, 9);
  try {
    const alice = await users.user('Alice');
    const bobPhone = await users.user('Bob');
    const bobLaptop = users.track(await RawClient.open(t.server.wsUrl));
    await bobLaptop.hello();
    const code = await bobLaptop.call('auth.sendCode', { phone: '+9996690002' });
    await bobLaptop.call('auth.signIn', { phone: '+9996690002', phoneCodeHash: code.phoneCodeHash, code: '99999', deviceName: 'laptop' });
    const devices = [
      { name: 'alice', client: alice.client, keys: DeviceKeys.generate({ oneTimePrekeyCount: 5 }) },
      { name: 'bob phone', client: bobPhone.client, keys: DeviceKeys.generate({ oneTimePrekeyCount: 5 }) },
      { name: 'bob laptop', client: bobLaptop, keys: DeviceKeys.generate({ oneTimePrekeyCount: 5 }) },
    ];
    const ids = new Map<string, number>();
    for (const device of devices) ids.set(device.name, (await device.client.call('secret.registerDevice', device.keys.publicBundle())).deviceId);

    const marker = `SECRET-MARKER-${Date.now()}`;
    // Alice starts a session with each of Bob's devices, from the bundles the server hands out.
    const bobDevices = (await alice.call('secret.getDevices', { userId: bobPhone.id })).devices;
    assert.equal(bobDevices.length, 2);
    const aliceSessions = new Map<number, Session>();
    const envelopes = [];
    for (const device of bobDevices) {
      const { bundle } = await alice.call('secret.getBundle', { deviceId: device.deviceId });
      const session = initiateSession(devices[0]!.keys, { ...bundle, oneTimePrekeys: bundle.oneTimePrekey === null ? [] : [bundle.oneTimePrekey] });
      aliceSessions.set(device.deviceId, session);
      envelopes.push({ deviceId: device.deviceId, ciphertext: encrypt(session, bytes(`${marker} hello Bob`)) });
    }
    await alice.call('secret.sendEnvelopes', { envelopes });

    const bobSessions = new Map<string, Session>();
    for (const device of devices.slice(1)) {
      const [envelope] = (await device.client.call('secret.getEnvelopes', {})).envelopes;
      const tampered = envelope.ciphertext.slice(0, -8) + (envelope.ciphertext.at(-8) === 'A' ? 'B' : 'A') + envelope.ciphertext.slice(-7);
      assert.throws(() => acceptSession(device.keys, tampered), (error: unknown) => error instanceof RatchetError || (error as Error).name.endsWith('Error'));
      const accepted = acceptSession(device.keys, envelope.ciphertext);
      assert.equal(text(accepted.plaintext), `${marker} hello Bob`, `${device.name} reads it`);
      bobSessions.set(device.name, accepted.session);
      await device.client.call('secret.ack', { qts: envelope.qts });
    }

    // Bob answers from his phone; Alice reads it; a replayed envelope is refused.
    const reply = encrypt(bobSessions.get('bob phone')!, bytes(`${marker} hi Alice`));
    await bobPhone.call('secret.sendEnvelopes', { envelopes: [{ deviceId: ids.get('alice')!, ciphertext: reply }] });
    const [received] = (await alice.call('secret.getEnvelopes', {})).envelopes;
    assert.equal(text(decrypt(aliceSessions.get(ids.get('bob phone')!)!, received.ciphertext)), `${marker} hi Alice`);
    assert.throws(() => decrypt(aliceSessions.get(ids.get('bob phone')!)!, received.ciphertext), RatchetError);
    await alice.call('secret.ack', { qts: received.qts });

    const places: [string, Buffer][] = [];
    for (const name of ['samizdat.db', 'samizdat.db-wal']) {
      const path = join(t.dataDir, name);
      if (!existsSync(path)) continue;
      copyFileSync(path, `${path}.copy`);
      places.push([name, readFileSync(`${path}.copy`)]);
    }
    assert.ok(places.some(([name]) => name.endsWith('-wal')));
    places.push(['server log', Buffer.from(t.logger.lines.join('\n'))]);
    for (const device of devices) places.push([`frames sent by ${device.name}`, Buffer.from(device.client.sent.join('\n'))]);
    for (const [place, content] of places) {
      assert.equal(content.indexOf(Buffer.from('SECRET-MARKER')), -1, `${place} holds secret-chat plaintext`);
    }
  } finally {
    users.closeAll();
    await t.stop();
  }
});
