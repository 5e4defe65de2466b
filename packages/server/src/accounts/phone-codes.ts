import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { RpcError } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';

/** Rules for one-time sign-in codes. */
export interface PhoneCodePolicy {
  /** @default 300 */
  lifetimeSeconds: number;
  /** Wrong tries before the code is used up. @default 5 */
  maxAttempts: number;
  /** Accept `+99966XYYYY` with code `XXXXX` without delivery. @default false */
  acceptTestNumbers: boolean;
}

const TEST_NUMBER = /^\+99966(\d)\d{4}$/;

/** The fixed code of a test number, or null when `phone` is not one. */
export function testNumberCode(phone: string): string | null {
  const match = TEST_NUMBER.exec(phone);
  return match ? match[1]!.repeat(5) : null;
}

/**
 * Issues and checks one-time codes. A code is stored only as an HMAC under a server secret, and
 * each has a random handle (`phoneCodeHash`) that the client echoes back.
 */
export class PhoneCodes {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly policy: PhoneCodePolicy,
    private readonly macKey: Uint8Array,
  ) {}

  /** Makes a code for `phone`; `isTestNumber` says it must not be delivered. */
  async issue(phone: string): Promise<{ handle: string; code: string; isTestNumber: boolean }> {
    const fixed = this.policy.acceptTestNumbers ? testNumberCode(phone) : null;
    const code = fixed ?? String(randomInt(0, 100_000)).padStart(5, '0');
    const handle = randomBytes(16).toString('hex');
    const now = this.clock.nowMs();
    await this.db.deleteFrom('phone_codes').where('expires_at_ms', '<', now).execute();
    await this.db
      .insertInto('phone_codes')
      .values({
        handle,
        phone,
        code_mac: this.#mac(handle, code),
        expires_at_ms: now + this.policy.lifetimeSeconds * 1000,
        attempts_left: this.policy.maxAttempts,
        created_at_ms: now,
      })
      .execute();
    return { handle, code, isTestNumber: fixed !== null };
  }

  /**
   * Checks `code` against the request `handle` for `phone`. A wrong code costs an attempt; the last
   * attempt, or the lifetime running out, uses the code up. Does not consume a right code: `consume` does.
   */
  async verify(phone: string, handle: string, code: string): Promise<void> {
    const row = await this.db.selectFrom('phone_codes').selectAll().where('handle', '=', handle).executeTakeFirst();
    if (row === undefined || row.phone !== phone) throw new RpcError('PHONE_CODE_HASH_INVALID');
    if (row.expires_at_ms <= this.clock.nowMs() || row.attempts_left <= 0) {
      throw new RpcError('PHONE_CODE_EXPIRED');
    }
    const expected = Buffer.from(row.code_mac, 'hex');
    const given = Buffer.from(this.#mac(handle, code.trim()), 'hex');
    if (!timingSafeEqual(expected, given)) {
      await this.db
        .updateTable('phone_codes')
        .set({ attempts_left: row.attempts_left - 1 })
        .where('handle', '=', handle)
        .execute();
      throw new RpcError(
        'PHONE_CODE_INVALID',
        `Cannot sign in: the code is wrong, ${row.attempts_left - 1} attempts left`,
      );
    }
  }

  /** Uses the code up, once it has signed someone in. */
  async consume(handle: string): Promise<void> {
    await this.db.deleteFrom('phone_codes').where('handle', '=', handle).execute();
  }

  #mac(handle: string, code: string): string {
    return createHmac('sha256', this.macKey).update(`${handle}:${code}`).digest('hex');
  }
}
