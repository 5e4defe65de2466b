import { RpcError, type User } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/database.ts';
import type { Users } from './users.ts';

/** A user's address book on the server: whom they call contacts (for last-seen privacy, among others). */
export class Contacts {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly users: Users,
  ) {}

  async add(ownerId: number, contactId: number, nowSeconds: number): Promise<void> {
    if (ownerId === contactId) throw new RpcError('PEER_ID_INVALID', 'Cannot add yourself as a contact');
    if ((await this.users.byId(contactId)) === undefined) throw new RpcError('PEER_ID_INVALID', `Cannot add user ${contactId}: no such user`);
    await this.db.insertInto('contacts').values({ owner_id: ownerId, contact_id: contactId, created_at: nowSeconds }).onConflict((oc) => oc.doNothing()).execute();
  }

  async remove(ownerId: number, contactId: number): Promise<void> {
    await this.db.deleteFrom('contacts').where('owner_id', '=', ownerId).where('contact_id', '=', contactId).execute();
  }

  async list(ownerId: number): Promise<User[]> {
    const rows = await this.db.selectFrom('contacts').select('contact_id').where('owner_id', '=', ownerId).execute();
    return this.users.render(ownerId, rows.map((row) => row.contact_id));
  }

  /** Does `ownerId` have `contactId` in their contacts? */
  async has(ownerId: number, contactId: number): Promise<boolean> {
    const row = await this.db.selectFrom('contacts').select('owner_id').where('owner_id', '=', ownerId).where('contact_id', '=', contactId).executeTakeFirst();
    return row !== undefined;
  }
}
