import { RpcError, type Envelope, type MethodParams, type MethodResult, type PrekeyBundle, type SecretDevice } from '@samizdat/protocol';
import type { Kysely, Transaction } from 'kysely';
import { userTopic, type Bus } from '../bus/bus.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import { privateChatPeers } from '../chats/private-peers.ts';
import type { Database } from '../storage/database.ts';
import { appendUserUpdate, publish, type Delivery } from '../updates/sequences.ts';

/** Below this many one-time prekeys the device is asked for more. */
export const LOW_PREKEY_STOCK = 10;
/** Envelopes nobody fetched are dropped after this long. */
export const ENVELOPE_LIFETIME_SECONDS = 30 * 24 * 3600;

/**
 * The server's whole part in secret chats: it keeps each device's PUBLIC keys, hands each one-time
 * prekey out once, and relays ciphertext to single devices, deleting it once acknowledged. It never
 * has a private key or a plaintext, and could not use one.
 */
export class SecretRelay {
  constructor(private readonly deps: { db: Kysely<Database>; bus: Bus; clock: Clock }) {}

  async register(userId: number, deviceId: number, params: MethodParams<'secret.registerDevice'>): Promise<MethodResult<'secret.registerDevice'>> {
    const now = unixSeconds(this.deps.clock);
    await this.deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('secret_devices')
        .values({ device_id: deviceId, user_id: userId, identity_key: params.identityKey, signed_prekey: JSON.stringify(params.signedPrekey), pq_prekey: JSON.stringify(params.pqPrekey), registered_at: now, qts: 0 })
        .onConflict((oc) => oc.column('device_id').doUpdateSet({ identity_key: params.identityKey, signed_prekey: JSON.stringify(params.signedPrekey), pq_prekey: JSON.stringify(params.pqPrekey), registered_at: now }))
        .execute();
      // New identity, new prekeys: old one-time prekeys were made for the old one.
      await trx.deleteFrom('one_time_prekeys').where('device_id', '=', deviceId).execute();
      if (params.oneTimePrekeys.length > 0) {
        await trx.insertInto('one_time_prekeys').values(params.oneTimePrekeys.map((key) => ({ device_id: deviceId, key_id: key.id, public_key: key.publicKey }))).onConflict((oc) => oc.doNothing()).execute();
      }
    });
    await this.#announceDeviceChange(userId);
    return { deviceId, oneTimePrekeyCount: await this.#stock(deviceId) };
  }

  /**
   * Tells the user and everyone they have a private chat with that their devices changed, as an
   * update in each one's sequence: a device is never added or removed silently.
   */
  async #announceDeviceChange(userId: number): Promise<void> {
    // Every peer, not the most recent few: a device change must never go unannounced.
    const watchers = [userId, ...(await privateChatPeers(this.deps.db, userId))];
    const date = unixSeconds(this.deps.clock);
    const deliveries = await this.deps.db.transaction().execute(async (trx) => {
      const out: Delivery[] = [];
      for (const watcherId of watchers) {
        out.push(await appendUserUpdate(trx, watcherId, { type: 'secretDevicesChanged', chatId: 0, refId: userId, date }, (pts) => ({ type: 'secretDevicesChanged', pts, userId })));
      }
      return out;
    });
    publish(this.deps.bus, deliveries);
  }

  async uploadPrekeys(deviceId: number, params: MethodParams<'secret.uploadPrekeys'>): Promise<MethodResult<'secret.uploadPrekeys'>> {
    await this.#device(deviceId);
    await this.deps.db.insertInto('one_time_prekeys').values(params.oneTimePrekeys.map((key) => ({ device_id: deviceId, key_id: key.id, public_key: key.publicKey }))).onConflict((oc) => oc.doNothing()).execute();
    return { oneTimePrekeyCount: await this.#stock(deviceId) };
  }

  /** A user's devices; a change to this list is what clients show as "safety number changed". */
  async devices(userId: number): Promise<SecretDevice[]> {
    const rows = await this.deps.db.selectFrom('secret_devices').selectAll().where('user_id', '=', userId).orderBy('device_id').execute();
    return rows.map((row) => ({ deviceId: row.device_id, userId: row.user_id, identityKey: row.identity_key, registeredAt: row.registered_at }));
  }

  /** A device's bundle with one of its one-time prekeys, which is removed so nobody gets it again. */
  async bundle(deviceId: number): Promise<PrekeyBundle> {
    const device = await this.#device(deviceId);
    const oneTime = await this.deps.db.transaction().execute(async (trx) => {
      const key = await trx.selectFrom('one_time_prekeys').selectAll().where('device_id', '=', deviceId).orderBy('key_id').limit(1).executeTakeFirst();
      if (key !== undefined) await trx.deleteFrom('one_time_prekeys').where('device_id', '=', deviceId).where('key_id', '=', key.key_id).execute();
      return key;
    });
    const remaining = await this.#stock(deviceId);
    if (remaining < LOW_PREKEY_STOCK) this.deps.bus.publish(userTopic(device.user_id), { kind: 'prekeysLow', deviceId, frame: { type: 'prekeysLow', remaining } });
    return {
      deviceId,
      userId: device.user_id,
      identityKey: device.identity_key,
      signedPrekey: JSON.parse(device.signed_prekey),
      pqPrekey: JSON.parse(device.pq_prekey),
      oneTimePrekey: oneTime === undefined ? null : { id: oneTime.key_id, publicKey: oneTime.public_key },
    };
  }

  /** Queues ciphertext for each named device, in that device's own sequence, and pushes it to it. */
  async send(senderUserId: number, senderDeviceId: number, params: MethodParams<'secret.sendEnvelopes'>): Promise<MethodResult<'secret.sendEnvelopes'>> {
    await this.#device(senderDeviceId);
    const date = unixSeconds(this.deps.clock);
    const queued = await this.deps.db.transaction().execute(async (trx) => {
      if (params.cover !== undefined) await checkCoverage(trx, senderDeviceId, params.cover);
      const out: { deviceId: number; userId: number; envelope: Envelope }[] = [];
      for (const { deviceId, ciphertext } of params.envelopes) {
        const bumped = await trx.updateTable('secret_devices').set((eb) => ({ qts: eb('qts', '+', 1) })).where('device_id', '=', deviceId).returning(['qts', 'user_id']).executeTakeFirst();
        if (bumped === undefined) throw new RpcError('DEVICE_ID_INVALID', `Cannot send to device ${deviceId}: it is not registered for secret chats`);
        await trx.insertInto('envelopes').values({ device_id: deviceId, qts: bumped.qts, sender_user_id: senderUserId, sender_device_id: senderDeviceId, ciphertext, date }).execute();
        out.push({ deviceId, userId: bumped.user_id, envelope: { qts: bumped.qts, senderUserId, senderDeviceId, ciphertext, date } });
      }
      return out;
    });
    for (const { deviceId, userId, envelope } of queued) this.deps.bus.publish(userTopic(userId), { kind: 'envelope', deviceId, frame: { type: 'envelope', envelope } });
    return { count: queued.length };
  }

  async pending(deviceId: number, limit = 500): Promise<Envelope[]> {
    await this.#device(deviceId);
    const rows = await this.deps.db.selectFrom('envelopes').selectAll().where('device_id', '=', deviceId).orderBy('qts').limit(limit).execute();
    return rows.map((row) => ({ qts: row.qts, senderUserId: row.sender_user_id, senderDeviceId: row.sender_device_id, ciphertext: row.ciphertext, date: row.date }));
  }

  async ack(deviceId: number, qts: number): Promise<number> {
    const result = await this.deps.db.deleteFrom('envelopes').where('device_id', '=', deviceId).where('qts', '<=', qts).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Drops what waited longer than 30 days, and the keys of devices whose session is gone. */
  async sweep(): Promise<void> {
    const cutoff = unixSeconds(this.deps.clock) - ENVELOPE_LIFETIME_SECONDS;
    await this.deps.db.deleteFrom('envelopes').where('date', '<', cutoff).execute();
    const orphans = await this.deps.db
      .selectFrom('secret_devices as d')
      .leftJoin('sessions as s', 's.id', 'd.device_id')
      .select('d.device_id')
      .where('s.id', 'is', null)
      .execute();
    for (const { device_id: deviceId } of orphans) await this.forget(deviceId);
  }

  /** Removes a device that signed out: its keys and whatever still waited for it. */
  async forget(deviceId: number): Promise<void> {
    const device = await this.deps.db.selectFrom('secret_devices').select('user_id').where('device_id', '=', deviceId).executeTakeFirst();
    if (device === undefined) return;
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('envelopes').where('device_id', '=', deviceId).execute();
      await trx.deleteFrom('one_time_prekeys').where('device_id', '=', deviceId).execute();
      await trx.deleteFrom('secret_devices').where('device_id', '=', deviceId).execute();
    });
    await this.#announceDeviceChange(device.user_id);
  }

  async #device(deviceId: number) {
    const device = await this.deps.db.selectFrom('secret_devices').selectAll().where('device_id', '=', deviceId).executeTakeFirst();
    if (device === undefined) throw new RpcError('DEVICE_ID_INVALID', `Cannot use device ${deviceId}: it is not registered for secret chats`);
    return device;
  }

  async #stock(deviceId: number): Promise<number> {
    const { count } = await this.deps.db.selectFrom('one_time_prekeys').select((eb) => eb.fn.countAll<number>().as('count')).where('device_id', '=', deviceId).executeTakeFirstOrThrow();
    return Number(count);
  }
}

/** Refuses a fan-out made for another device list than the covered users' current one. */
async function checkCoverage(trx: Transaction<Database>, senderDeviceId: number, cover: { userIds: number[]; deviceIds: number[] }): Promise<void> {
  const rows = await trx.selectFrom('secret_devices').select('device_id').where('user_id', 'in', cover.userIds).execute();
  const current = new Set(rows.map((row) => row.device_id).filter((id) => id !== senderDeviceId));
  const believed = new Set(cover.deviceIds);
  const missing = [...current].filter((id) => !believed.has(id));
  const gone = [...believed].filter((id) => !current.has(id));
  if (missing.length > 0 || gone.length > 0) {
    throw new RpcError('SECRET_DEVICES_CHANGED', `Cannot send envelopes: devices ${missing.join(', ') || 'none'} are new and ${gone.join(', ') || 'none'} are gone`);
  }
}
