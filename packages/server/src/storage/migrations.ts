import { sql, type Kysely } from 'kysely';
import type { Database } from './database.ts';

type Migration = { version: number; up: (db: Kysely<Database>) => Promise<void> };

/**
 * Ordered schema changes. Each runs once, in its own transaction, and is recorded in
 * `schema_migrations`; a database made by an older server is brought forward at start.
 */
const MIGRATIONS: Migration[] = [
  {
    version: 1,
    async up(db) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('phone', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('username', 'text')
        .addColumn('username_lower', 'text', (c) => c.unique())
        .addColumn('phone_visibility', 'text', (c) => c.notNull().defaultTo('nobody'))
        .addColumn('pts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('device_name', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('last_active_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_by_user').on('sessions').column('user_id').execute();
      await db.schema
        .createTable('phone_codes')
        .addColumn('handle', 'text', (c) => c.primaryKey())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('code_mac', 'text', (c) => c.notNull())
        .addColumn('expires_at_ms', 'integer', (c) => c.notNull())
        .addColumn('attempts_left', 'integer', (c) => c.notNull())
        .addColumn('created_at_ms', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('chats')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('user_low', 'integer', (c) => c.notNull())
        .addColumn('user_high', 'integer', (c) => c.notNull())
        .addColumn('wrapped_key', 'blob', (c) => c.notNull())
        .addColumn('last_message_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_message_date', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addUniqueConstraint('chats_private_pair', ['user_low', 'user_high'])
        .execute();
      await db.schema
        .createTable('chat_members')
        .addColumn('chat_id', 'integer', (c) => c.notNull().references('chats.id'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
        .addColumn('read_inbox_max_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('read_outbox_max_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('chat_members_pk', ['chat_id', 'user_id'])
        .execute();
      await db.schema.createIndex('chat_members_by_user').on('chat_members').columns(['user_id', 'chat_id']).execute();
      await db.schema
        .createTable('messages')
        .addColumn('chat_id', 'integer', (c) => c.notNull())
        .addColumn('id', 'integer', (c) => c.notNull())
        .addColumn('sender_id', 'integer', (c) => c.notNull())
        .addColumn('random_id', 'text', (c) => c.notNull())
        .addColumn('sender_pts', 'integer', (c) => c.notNull())
        .addColumn('date', 'integer', (c) => c.notNull())
        .addColumn('text_sealed', 'blob', (c) => c.notNull())
        .addPrimaryKeyConstraint('messages_pk', ['chat_id', 'id'])
        .addUniqueConstraint('messages_idempotency', ['sender_id', 'random_id'])
        .modifyEnd(sql`without rowid`)
        .execute();
      await db.schema
        .createTable('updates')
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('pts', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('chat_id', 'integer', (c) => c.notNull())
        .addColumn('ref_id', 'integer', (c) => c.notNull())
        .addColumn('date', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('updates_pk', ['user_id', 'pts'])
        .modifyEnd(sql`without rowid`)
        .execute();
    },
  },
];

/** Brings the schema to the newest version. */
export async function migrate(db: Kysely<Database>, nowSeconds: number): Promise<number> {
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('applied_at', 'integer', (c) => c.notNull())
    .execute();
  const applied = await db.selectFrom('schema_migrations').select('version').execute();
  const done = new Set(applied.map((row) => row.version));
  for (const migration of MIGRATIONS) {
    if (done.has(migration.version)) continue;
    await db.transaction().execute(async (trx) => {
      await migration.up(trx);
      await trx.insertInto('schema_migrations').values({ version: migration.version, applied_at: nowSeconds }).execute();
    });
  }
  return MIGRATIONS.at(-1)!.version;
}
