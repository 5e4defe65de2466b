import type { Kysely } from 'kysely';
import { sql } from './kysely-runtime.ts';
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
        .addColumn('last_seen_visibility', 'text', (c) => c.notNull().defaultTo('everybody'))
        .addColumn('last_seen_at', 'integer')
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
        .createTable('contacts')
        .addColumn('owner_id', 'integer', (c) => c.notNull())
        .addColumn('contact_id', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('contacts_pk', ['owner_id', 'contact_id'])
        .execute();
      await db.schema.createIndex('contacts_by_contact').on('contacts').columns(['contact_id', 'owner_id']).execute();
      await db.schema
        .createTable('chats')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('user_low', 'integer')
        .addColumn('user_high', 'integer')
        .addColumn('wrapped_key', 'blob', (c) => c.notNull())
        .addColumn('last_message_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_message_date', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('pts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('title', 'text')
        .addColumn('about', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('username', 'text')
        .addColumn('username_lower', 'text', (c) => c.unique())
        .addColumn('creator_id', 'integer')
        .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('pinned_message_id', 'integer')
        .addColumn('slow_mode_seconds', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('has_signatures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('has_no_forwards', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('linked_chat_id', 'integer')
        .addColumn('read_outbox_max_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addUniqueConstraint('chats_private_pair', ['user_low', 'user_high'])
        .execute();
      await db.schema
        .createTable('chat_members')
        .addColumn('chat_id', 'integer', (c) => c.notNull().references('chats.id'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
        .addColumn('role', 'text', (c) => c.notNull().defaultTo('member'))
        .addColumn('rights', 'text')
        .addColumn('muted_until', 'integer')
        .addColumn('joined_at', 'integer', (c) => c.notNull())
        .addColumn('last_sent_at', 'integer')
        .addColumn('read_inbox_max_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('read_outbox_max_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('notify_muted_until', 'integer')
        .addColumn('draft', 'text')
        .addPrimaryKeyConstraint('chat_members_pk', ['chat_id', 'user_id'])
        .modifyEnd(sql`without rowid`)
        .execute();
      await db.schema.createIndex('chat_members_by_user').on('chat_members').columns(['user_id', 'chat_id']).execute();
      await db.schema.createIndex('chat_members_by_role').on('chat_members').columns(['chat_id', 'role']).execute();
      await db.schema.createIndex('chat_members_by_read').on('chat_members').columns(['chat_id', 'read_inbox_max_id']).execute();
      await db.schema
        .createTable('chat_bans')
        .addColumn('chat_id', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('until_date', 'integer')
        .addColumn('banned_by', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('chat_bans_pk', ['chat_id', 'user_id'])
        .execute();
      await db.schema
        .createTable('invite_links')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('chat_id', 'integer', (c) => c.notNull())
        .addColumn('creator_id', 'integer', (c) => c.notNull())
        .addColumn('expire_date', 'integer')
        .addColumn('usage_limit', 'integer')
        .addColumn('usage_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_revoked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('invite_links_by_chat').on('invite_links').column('chat_id').execute();
      await db.schema
        .createTable('messages')
        .addColumn('chat_id', 'integer', (c) => c.notNull())
        .addColumn('id', 'integer', (c) => c.notNull())
        .addColumn('sender_id', 'integer', (c) => c.notNull())
        .addColumn('random_id', 'text', (c) => c.notNull())
        .addColumn('sender_pts', 'integer', (c) => c.notNull())
        .addColumn('date', 'integer', (c) => c.notNull())
        .addColumn('text_sealed', 'blob', (c) => c.notNull())
        .addColumn('reply_to_id', 'integer')
        .addColumn('thread_id', 'integer')
        .addColumn('forward', 'text')
        .addColumn('edit_date', 'integer')
        .addColumn('reactions', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('views', 'integer')
        .addColumn('signature', 'text')
        .addColumn('is_deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('messages_pk', ['chat_id', 'id'])
        .addUniqueConstraint('messages_idempotency', ['sender_id', 'random_id'])
        .modifyEnd(sql`without rowid`)
        .execute();
      await db.schema.createIndex('messages_by_thread').on('messages').columns(['chat_id', 'thread_id', 'id']).execute();
      await db.schema
        .createTable('message_reactions')
        .addColumn('chat_id', 'integer', (c) => c.notNull())
        .addColumn('message_id', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('emoji', 'text', (c) => c.notNull())
        .addColumn('date', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('message_reactions_pk', ['chat_id', 'message_id', 'user_id'])
        .modifyEnd(sql`without rowid`)
        .execute();
      await db.schema
        .createTable('message_views')
        .addColumn('chat_id', 'integer', (c) => c.notNull())
        .addColumn('message_id', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('message_views_pk', ['chat_id', 'message_id', 'user_id'])
        .modifyEnd(sql`without rowid`)
        .execute();
      await db.schema
        .createTable('hidden_messages')
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('chat_id', 'integer', (c) => c.notNull())
        .addColumn('message_id', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('hidden_messages_pk', ['user_id', 'chat_id', 'message_id'])
        .modifyEnd(sql`without rowid`)
        .execute();
      await db.schema
        .createTable('discussion_threads')
        .addColumn('channel_id', 'integer', (c) => c.notNull())
        .addColumn('post_id', 'integer', (c) => c.notNull())
        .addColumn('group_id', 'integer', (c) => c.notNull())
        .addColumn('group_message_id', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('discussion_threads_pk', ['channel_id', 'post_id'])
        .execute();
      for (const table of ['updates', 'chat_updates'] as const) {
        const owner = table === 'updates' ? 'user_id' : 'chat_id';
        let builder = db.schema.createTable(table).addColumn(owner, 'integer', (c) => c.notNull());
        builder = builder.addColumn('pts', 'integer', (c) => c.notNull()).addColumn('type', 'text', (c) => c.notNull());
        if (table === 'updates') builder = builder.addColumn('chat_id', 'integer', (c) => c.notNull());
        await builder
          .addColumn('ref_id', 'integer', (c) => c.notNull())
          .addColumn('payload', 'text')
          .addColumn('date', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, [owner, 'pts'] as never)
          .modifyEnd(sql`without rowid`)
          .execute();
      }
    },
  },
  {
    version: 2,
    async up(db) {
      await db.schema
        .createTable('uploads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner_id', 'integer', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('part_size', 'integer', (c) => c.notNull())
        .addColumn('part_count', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('mime_type', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'integer', (c) => c.notNull())
        .addColumn('file_id', 'text')
        .execute();
      await db.schema
        .createTable('files')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('mime_type', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('thumbnail_id', 'text')
        .execute();
      await db.schema.createIndex('files_by_sha256').on('files').column('sha256').execute();
      await db.schema.createIndex('files_by_thumbnail').on('files').column('thumbnail_id').execute();
      await db.schema
        .createTable('message_media')
        .addColumn('file_id', 'text', (c) => c.notNull())
        .addColumn('chat_id', 'integer', (c) => c.notNull())
        .addColumn('message_id', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('message_media_pk', ['file_id', 'chat_id', 'message_id'])
        .execute();
    },
  },
  {
    version: 3,
    async up(db) {
      await db.schema
        .createTable('secret_devices')
        .addColumn('device_id', 'integer', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('identity_key', 'text', (c) => c.notNull())
        .addColumn('signed_prekey', 'text', (c) => c.notNull())
        .addColumn('pq_prekey', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'integer', (c) => c.notNull())
        .addColumn('qts', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('secret_devices_by_user').on('secret_devices').column('user_id').execute();
      await db.schema
        .createTable('one_time_prekeys')
        .addColumn('device_id', 'integer', (c) => c.notNull())
        .addColumn('key_id', 'integer', (c) => c.notNull())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('one_time_prekeys_pk', ['device_id', 'key_id'])
        .execute();
      await db.schema
        .createTable('envelopes')
        .addColumn('device_id', 'integer', (c) => c.notNull())
        .addColumn('qts', 'integer', (c) => c.notNull())
        .addColumn('sender_user_id', 'integer', (c) => c.notNull())
        .addColumn('sender_device_id', 'integer', (c) => c.notNull())
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .addColumn('date', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('envelopes_pk', ['device_id', 'qts'])
        .execute();
    },
  },
  {
    version: 4,
    async up(db) {
      // A secret chat's attachment is ciphertext sent in no cloud chat: its uploader grants the peer access.
      await db.schema
        .createTable('file_grants')
        .addColumn('file_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('file_grants_pk', ['file_id', 'user_id'])
        .execute();
    },
  },
  {
    version: 5,
    async up(db) {
      // Trust and safety: roles, reports, moderation, appeals, lawful requests, IP records, the transparency log.
      await db.schema.alterTable('chats').addColumn('blocked_category', 'text').execute();
      await db.schema.alterTable('chats').addColumn('blocked_at', 'integer').execute();
      // A moderator's ban of an account: its sessions are ended and it cannot sign in again.
      await db.schema.alterTable('users').addColumn('banned_at', 'integer').execute();
      await db.schema
        .createTable('user_roles')
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('granted_at', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('user_roles_pk', ['user_id', 'role'])
        .execute();
      await db.schema
        .createTable('reports')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('reporter_id', 'integer')
        .addColumn('target_key', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('comment', 'text')
        .addColumn('evidence', 'text')
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('resolved_by_action_id', 'integer')
        .addColumn('account_id', 'integer')
        .execute();
      await db.schema.createIndex('reports_by_account').on('reports').columns(['account_id', 'reason', 'resolved_by_action_id']).execute();
      await db.schema.createIndex('reports_by_target').on('reports').columns(['target_key', 'resolved_by_action_id']).execute();
      await db.schema.createIndex('reports_by_reporter').on('reports').columns(['reporter_id', 'target_key']).execute();
      await db.schema
        .createTable('moderation_actions')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('moderator_id', 'integer', (c) => c.notNull())
        .addColumn('target_key', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('category', 'text')
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('moderation_actions_by_target').on('moderation_actions').columns(['target_key', 'action']).execute();
      await db.schema
        .createTable('appeals')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('subject_key', 'text', (c) => c.notNull())
        .addColumn('action_id', 'integer')
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'integer')
        .addColumn('decided_at', 'integer')
        .addColumn('note', 'text')
        .execute();
      await db.schema.createIndex('appeals_once').on('appeals').columns(['user_id', 'subject_key', 'action_id']).unique().execute();
      await db.schema.createTable('blocked_file_hashes').addColumn('sha256', 'text', (c) => c.primaryKey()).addColumn('added_at', 'integer', (c) => c.notNull()).execute();
      await db.schema
        .createTable('spam_limits')
        .addColumn('user_id', 'integer', (c) => c.primaryKey())
        .addColumn('until', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('legal_requests')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('country', 'text', (c) => c.notNull())
        .addColumn('authority', 'text', (c) => c.notNull())
        .addColumn('legal_reference', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('request_date', 'integer', (c) => c.notNull())
        .addColumn('created_by', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'integer')
        .addColumn('decided_at', 'integer')
        .addColumn('note', 'text')
        .addColumn('users_affected', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disclosed_by', 'integer')
        .addColumn('disclosed_at', 'integer')
        .execute();
      await db.schema
        .createTable('session_ips')
        .addColumn('session_id', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('first_seen_at', 'integer', (c) => c.notNull())
        .addColumn('last_seen_at', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('session_ips_pk', ['session_id', 'ip'])
        .execute();
      await db.schema.createIndex('session_ips_by_user').on('session_ips').column('user_id').execute();
      await db.schema.createIndex('session_ips_by_age').on('session_ips').column('last_seen_at').execute();
      await db.schema
        .createTable('transparency_log')
        .addColumn('seq', 'integer', (c) => c.primaryKey())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('at', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .execute();
    },
  },
  {
    version: 6,
    async up(db) {
      // Pinned chats: each member pins chats to the top of their own list.
      await db.schema.alterTable('chat_members').addColumn('pinned_at', 'integer').execute();
    },
  },
  {
    version: 7,
    async up(db) {
      // Bots: accounts driven through the Bot API by a token, owned by a user.
      await db.schema.alterTable('users').addColumn('is_bot', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('chats').addColumn('bot_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema
        .createTable('bots')
        .addColumn('user_id', 'integer', (c) => c.primaryKey())
        .addColumn('owner_id', 'integer', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('token_sealed', 'blob', (c) => c.notNull())
        .addColumn('privacy_mode', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('commands', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('webhook_url', 'text')
        .addColumn('webhook_secret_sealed', 'blob')
        .addColumn('webhook_max_connections', 'integer', (c) => c.notNull().defaultTo(40))
        .addColumn('allowed_updates', 'text')
        .addColumn('webhook_last_error_date', 'integer')
        .addColumn('webhook_last_error_message', 'text')
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('bots_by_owner').on('bots').column('owner_id').execute();
      await db.schema
        .createTable('bot_updates')
        .addColumn('update_id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('bot_id', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('chat_id', 'integer', (c) => c.notNull())
        .addColumn('message_id', 'integer')
        .addColumn('payload_sealed', 'blob', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('bot_updates_by_bot').on('bot_updates').columns(['bot_id', 'update_id']).execute();
      await db.schema.createIndex('bot_updates_by_message').on('bot_updates').columns(['chat_id', 'message_id']).execute();
      await db.schema.createIndex('bot_updates_by_age').on('bot_updates').column('created_at').execute();
      await db.schema
        .createTable('callback_queries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bot_id', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('chat_id', 'integer', (c) => c.notNull())
        .addColumn('message_id', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('answered_at', 'integer')
        .execute();
      await db.schema
        .createTable('chat_bots')
        .addColumn('chat_id', 'integer', (c) => c.notNull())
        .addColumn('bot_id', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('chat_bots_pk', ['chat_id', 'bot_id'])
        .execute();
      // Every path that adds or removes a member keeps the chat's bots in step, so a send to a chat
      // without bots costs nothing extra (bot_count is on the row it already reads).
      await sql`CREATE TRIGGER chat_bots_join AFTER INSERT ON chat_members
        WHEN (SELECT is_bot FROM users WHERE id = NEW.user_id) = 1
        BEGIN
          INSERT OR IGNORE INTO chat_bots (chat_id, bot_id) VALUES (NEW.chat_id, NEW.user_id);
          UPDATE chats SET bot_count = (SELECT count(*) FROM chat_bots WHERE chat_id = NEW.chat_id) WHERE id = NEW.chat_id;
        END`.execute(db);
      await sql`CREATE TRIGGER chat_bots_leave AFTER DELETE ON chat_members
        WHEN (SELECT is_bot FROM users WHERE id = OLD.user_id) = 1
        BEGIN
          DELETE FROM chat_bots WHERE chat_id = OLD.chat_id AND bot_id = OLD.user_id;
          UPDATE chats SET bot_count = (SELECT count(*) FROM chat_bots WHERE chat_id = OLD.chat_id) WHERE id = OLD.chat_id;
        END`.execute(db);
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
      // Several workers may start at once: the one that got here second finds it done.
      const already = await trx.selectFrom('schema_migrations').select('version').where('version', '=', migration.version).executeTakeFirst();
      if (already !== undefined) return;
      await migration.up(trx);
      await trx.insertInto('schema_migrations').values({ version: migration.version, applied_at: nowSeconds }).execute();
    });
  }
  return MIGRATIONS.at(-1)!.version;
}
