import { RpcError, type Role } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/database.ts';

/** Who holds a role the operator granted: moderators and the legal team. */
export class Roles {
  constructor(private readonly db: Kysely<Database>) {}

  /** Grants `role` to a user (the operator does this from the command line, on the data folder). */
  async grant(userId: number, role: Role, nowSeconds: number): Promise<void> {
    await this.db.insertInto('user_roles').values({ user_id: userId, role, granted_at: nowSeconds }).onConflict((oc) => oc.doNothing()).execute();
  }

  async revoke(userId: number, role: Role): Promise<void> {
    await this.db.deleteFrom('user_roles').where('user_id', '=', userId).where('role', '=', role).execute();
  }

  async has(userId: number, role: Role): Promise<boolean> {
    const row = await this.db.selectFrom('user_roles').select('user_id').where('user_id', '=', userId).where('role', '=', role).executeTakeFirst();
    return row !== undefined;
  }

  /** Fails with `ROLE_REQUIRED` unless the user holds `role`. */
  async require(userId: number, role: Role, what: string): Promise<void> {
    if (!(await this.has(userId, role))) throw new RpcError('ROLE_REQUIRED', `Cannot ${what}: it needs the ${role} role`);
  }
}
