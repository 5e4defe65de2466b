import { claimingUsername } from '../shared/username-conflict.ts';
import { normalizeUsername, RpcError, type LastSeenVisibility, type PhoneVisibility, type User } from '@samizdat/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { Database, UsersTable } from '../storage/database.ts';

export type UserRow = Selectable<UsersTable>;

/** Longest display name, in UTF-16 code units. */
export const MAX_DISPLAY_NAME_LENGTH = 64;

/**
 * A user as `viewerId` may see them: the phone only to its owner or where the owner allows it.
 * `contactIds` are the viewer's contacts (see {@link Users.render}, which looks them up).
 */
export function renderUser(row: UserRow, viewerId: number, contactIds: ReadonlySet<number> = new Set()): User {
  const isSelf = row.id === viewerId;
  return {
    id: row.id,
    displayName: row.display_name,
    username: row.username,
    phone: isSelf || row.phone_visibility === 'everybody' ? row.phone : null,
    isSelf,
    isContact: contactIds.has(row.id),
    isBot: row.is_bot === 1,
  };
}

/** Trims a display name and checks its length, or throws `FIRST_NAME_INVALID`. */
export function checkDisplayName(input: string): string {
  const name = input.trim();
  if (name.length === 0 || name.length > MAX_DISPLAY_NAME_LENGTH) {
    throw new RpcError(
      'FIRST_NAME_INVALID',
      `Cannot set display name: it is ${name.length} characters, it must be 1 to ${MAX_DISPLAY_NAME_LENGTH}`,
    );
  }
  return name;
}

/** Profiles, usernames and look-ups of users. */
export class Users {
  constructor(private readonly db: Kysely<Database>) {}

  async byId(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byIds(ids: readonly number[]): Promise<UserRow[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    return this.db.selectFrom('users').selectAll().where('id', 'in', unique).execute();
  }

  /** The users `ids` as `viewerId` sees them, with whether each is the viewer's contact. */
  async render(viewerId: number, ids: readonly number[]): Promise<User[]> {
    const rows = await this.byIds(ids);
    if (rows.length === 0) return [];
    const contacts = await this.db
      .selectFrom('contacts')
      .select('contact_id')
      .where('owner_id', '=', viewerId)
      .where('contact_id', 'in', rows.map((row) => row.id))
      .execute();
    const contactIds = new Set(contacts.map((row) => row.contact_id));
    return rows.map((row) => renderUser(row, viewerId, contactIds));
  }

  async byPhone(phone: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('phone', '=', phone).executeTakeFirst();
  }

  async byUsername(input: string): Promise<UserRow> {
    const username = normalizeUsername(input);
    if (username === null) throw new RpcError('USERNAME_INVALID', `Cannot resolve username: "${input.slice(0, 64)}" is not a valid username`);
    const row = await this.db.selectFrom('users').selectAll().where('username_lower', '=', username).executeTakeFirst();
    if (row === undefined) throw new RpcError('USERNAME_NOT_OCCUPIED', `Cannot resolve username: nobody is @${username}`);
    return row;
  }

  async create(phone: string, displayName: string, nowSeconds: number): Promise<UserRow> {
    return this.db
      .insertInto('users')
      .values({ phone, display_name: displayName, phone_visibility: 'nobody', pts: 0, created_at: nowSeconds })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Sets or (with null) clears the username; unique regardless of case. */
  async setUsername(userId: number, input: string | null): Promise<UserRow> {
    // Users, groups and channels share one username namespace, as on Telegram.
    if (input === null || input.trim() === '') {
      return this.#update(userId, { username: null, username_lower: null });
    }
    const lower = normalizeUsername(input);
    if (lower === null) {
      throw new RpcError(
        'USERNAME_INVALID',
        `Cannot set username "${input.slice(0, 64)}": use 5 to 32 letters a-z, digits and _, starting with a letter`,
      );
    }
    const holder = await this.db.selectFrom('users').select('id').where('username_lower', '=', lower).executeTakeFirst();
    const chat = await this.db.selectFrom('chats').select('id').where('username_lower', '=', lower).executeTakeFirst();
    if ((holder !== undefined && holder.id !== userId) || chat !== undefined) throw new RpcError('USERNAME_OCCUPIED', `Cannot set username: @${lower} is taken`);
    const display = input.trim().replace(/^@/, '');
    return this.#update(userId, { username: display, username_lower: lower });
  }

  async setDisplayName(userId: number, input: string): Promise<UserRow> {
    return this.#update(userId, { display_name: checkDisplayName(input) });
  }

  async setPrivacy(userId: number, settings: { phoneVisibility?: PhoneVisibility | undefined; lastSeenVisibility?: LastSeenVisibility | undefined }): Promise<UserRow> {
    return this.#update(userId, {
      ...(settings.phoneVisibility === undefined ? {} : { phone_visibility: settings.phoneVisibility }),
      ...(settings.lastSeenVisibility === undefined ? {} : { last_seen_visibility: settings.lastSeenVisibility }),
    });
  }

  async #update(userId: number, values: Partial<Omit<UserRow, 'id'>>): Promise<UserRow> {
    // An update with nothing to set is not SQL; it changes nothing, so it answers the row as it is.
    if (Object.keys(values).length === 0) return (await this.byId(userId))!;
    return claimingUsername(() => this.db.updateTable('users').set(values).where('id', '=', userId).returningAll().executeTakeFirstOrThrow(), values.username_lower);
  }
}
