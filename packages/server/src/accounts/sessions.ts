import { createHash, randomBytes } from 'node:crypto';
import { RpcError, type Session } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import type { IpRecords } from '../safety/ip-records.ts';
import type { Database } from '../storage/database.ts';

/** How a token (a session's, a bot's) is kept: its SHA-256, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Device sessions. Each device gets its own random token, returned once and stored only as its
 * SHA-256, so a copy of the database signs nobody in. Every address a session is used from is
 * noted in the IP records, which keep it for the retention window only (SPEC [IP1]).
 */
export class Sessions {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ips: IpRecords,
  ) {}

  async create(userId: number, options: { deviceName: string; ip: string; nowSeconds: number }): Promise<{ id: number; token: string }> {
    const token = randomBytes(32).toString('base64url');
    const row = await this.db
      .insertInto('sessions')
      .values({
        user_id: userId,
        token_hash: hashToken(token),
        device_name: options.deviceName.trim().slice(0, 128) || 'Unknown device',
        ip: options.ip,
        created_at: options.nowSeconds,
        last_active_at: options.nowSeconds,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.ips.record(row.id, userId, options.ip, options.nowSeconds);
    return { id: row.id, token };
  }

  /** The session a token belongs to, marking it active now; null for an unknown or ended one. */
  async authenticate(token: string, options: { ip: string; nowSeconds: number }): Promise<{ userId: number; sessionId: number } | null> {
    const row = await this.db
      .selectFrom('sessions')
      .select(['id', 'user_id', 'last_active_at', 'ip'])
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (row === undefined) return null;
    // A minute is precise enough for "last active", and spares a disk sync per request (4,096 for a 2 GB upload).
    if (options.nowSeconds - row.last_active_at >= 60 || row.ip !== options.ip) {
      await this.db.updateTable('sessions').set({ last_active_at: options.nowSeconds, ip: options.ip }).where('id', '=', row.id).execute();
      await this.ips.record(row.id, row.user_id, options.ip, options.nowSeconds);
    }
    return { userId: row.user_id, sessionId: row.id };
  }

  async list(userId: number, currentSessionId: number): Promise<Session[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('last_active_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      deviceName: row.device_name,
      createdAt: row.created_at,
      lastActiveAt: row.last_active_at,
      isCurrent: row.id === currentSessionId,
    }));
  }

  /** Ends one of the user's own sessions; another user's session id is "not found", not "forbidden". */
  async terminate(userId: number, sessionId: number): Promise<void> {
    const result = await this.db
      .deleteFrom('sessions')
      .where('id', '=', sessionId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new RpcError('SESSION_NOT_FOUND', `Cannot end session ${sessionId}: no such session`);
  }
}
