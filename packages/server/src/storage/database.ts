import type { Generated } from 'kysely';

/** Table and column types as stored; rows are read through these and nothing else. */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  phone_codes: PhoneCodesTable;
  chats: ChatsTable;
  chat_members: ChatMembersTable;
  messages: MessagesTable;
  updates: UpdatesTable;
  schema_migrations: SchemaMigrationsTable;
}

export interface UsersTable {
  id: Generated<number>;
  phone: string;
  display_name: string;
  username: string | null;
  /** Lower-cased username, unique, so look-ups ignore case. */
  username_lower: string | null;
  phone_visibility: 'everybody' | 'nobody';
  /** The last number of this user's update sequence. */
  pts: number;
  created_at: number;
}

export interface SessionsTable {
  id: Generated<number>;
  user_id: number;
  /** SHA-256 of the session token, hex; the token itself is never stored. */
  token_hash: string;
  device_name: string;
  ip: string;
  created_at: number;
  last_active_at: number;
}

export interface PhoneCodesTable {
  /** The `phoneCodeHash` the client echoes back: a random handle for this code request. */
  handle: string;
  phone: string;
  /** HMAC of the code under a server key, so a copy of the database does not sign anyone in. */
  code_mac: string;
  expires_at_ms: number;
  attempts_left: number;
  created_at_ms: number;
}

export interface ChatsTable {
  id: Generated<number>;
  type: 'private';
  /** The two members of a private chat, smaller id first (equal for saved messages). */
  user_low: number;
  user_high: number;
  /** Per-chat data key, wrapped by the master key. */
  wrapped_key: Uint8Array;
  last_message_id: number;
  last_message_date: number;
  created_at: number;
}

export interface ChatMembersTable {
  chat_id: number;
  user_id: number;
  read_inbox_max_id: number;
  read_outbox_max_id: number;
}

export interface MessagesTable {
  chat_id: number;
  id: number;
  sender_id: number;
  random_id: string;
  /** The number of the sender's own `newMessage` update, returned again to a retried send. */
  sender_pts: number;
  date: number;
  /** AES-256-GCM of the text under the chat's data key: nonce ‖ ciphertext ‖ tag. */
  text_sealed: Uint8Array;
}

export type UpdateRowType = 'newMessage' | 'readHistoryInbox' | 'readHistoryOutbox';

export interface UpdatesTable {
  user_id: number;
  pts: number;
  type: UpdateRowType;
  chat_id: number;
  /** The message id for `newMessage`, the read-up-to id for read updates. */
  ref_id: number;
  date: number;
}

export interface SchemaMigrationsTable {
  version: number;
  applied_at: number;
}
