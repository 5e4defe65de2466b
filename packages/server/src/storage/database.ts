import type { Generated } from 'kysely';

/** Table and column types as stored; rows are read through these and nothing else. */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  phone_codes: PhoneCodesTable;
  contacts: ContactsTable;
  chats: ChatsTable;
  chat_members: ChatMembersTable;
  chat_bans: ChatBansTable;
  invite_links: InviteLinksTable;
  messages: MessagesTable;
  message_reactions: MessageReactionsTable;
  message_views: MessageViewsTable;
  hidden_messages: HiddenMessagesTable;
  discussion_threads: DiscussionThreadsTable;
  updates: UpdatesTable;
  chat_updates: ChatUpdatesTable;
  uploads: UploadsTable;
  files: FilesTable;
  message_media: MessageMediaTable;
  file_grants: FileGrantsTable;
  user_roles: UserRolesTable;
  reports: ReportsTable;
  moderation_actions: ModerationActionsTable;
  appeals: AppealsTable;
  blocked_file_hashes: BlockedFileHashesTable;
  spam_limits: SpamLimitsTable;
  legal_requests: LegalRequestsTable;
  session_ips: SessionIpsTable;
  transparency_log: TransparencyLogTable;
  secret_devices: SecretDevicesTable;
  one_time_prekeys: OneTimePrekeysTable;
  envelopes: EnvelopesTable;
  bots: BotsTable;
  bot_updates: BotUpdatesTable;
  callback_queries: CallbackQueriesTable;
  chat_bots: ChatBotsTable;
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
  last_seen_visibility: Generated<'everybody' | 'contacts' | 'nobody'>;
  /** When the user's last connection closed; null while never seen. */
  last_seen_at: number | null;
  /** The last number of this user's update sequence. */
  pts: number;
  created_at: number;
  /** Banned by a moderator: no sessions, no sign-in. */
  banned_at: number | null;
  /** A bot (see `bots`): no phone, no sessions; it acts through the Bot API. */
  is_bot: Generated<number>;
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

export interface ContactsTable {
  owner_id: number;
  contact_id: number;
  created_at: number;
}

export type ChatKind = 'private' | 'group' | 'channel';

export interface ChatsTable {
  id: Generated<number>;
  type: ChatKind;
  /** Set by moderators (a fixed BlockCategory): out of search and links, no new posts delivered. */
  blocked_category: string | null;
  blocked_at: number | null;
  /** Private chats: the two members, smaller id first (equal for saved messages); null otherwise. */
  user_low: number | null;
  user_high: number | null;
  /** Per-chat data key, wrapped by the master key. */
  wrapped_key: Uint8Array;
  last_message_id: number;
  last_message_date: number;
  created_at: number;
  /** Groups and channels: the last number of the chat's own update sequence. */
  pts: Generated<number>;
  title: string | null;
  about: Generated<string>;
  username: string | null;
  username_lower: string | null;
  creator_id: number | null;
  member_count: Generated<number>;
  pinned_message_id: number | null;
  slow_mode_seconds: Generated<number>;
  has_signatures: Generated<number>;
  has_no_forwards: Generated<number>;
  linked_chat_id: number | null;
  /** Groups and channels: the highest message id some member has read. */
  read_outbox_max_id: Generated<number>;
  /** How many members are bots (kept by triggers on chat_members): 0 means no bot needs to hear of a change. */
  bot_count: Generated<number>;
}

export type MemberRole = 'owner' | 'admin' | 'member';

export interface ChatMembersTable {
  chat_id: number;
  user_id: number;
  role: Generated<MemberRole>;
  /** Admin rights as JSON (`AdminRights`), null for others. */
  rights: string | null;
  /** Restricted: may not send until then. */
  muted_until: number | null;
  joined_at: number;
  /** For slow mode. */
  last_sent_at: number | null;
  read_inbox_max_id: Generated<number>;
  read_outbox_max_id: Generated<number>;
  /** The member's own notification setting. */
  notify_muted_until: number | null;
  /** The member's draft as JSON (`Draft`). */
  draft: string | null;
  /** When the member pinned the chat to the top of their list; null when not pinned. */
  pinned_at: number | null;
}

export interface ChatBansTable {
  chat_id: number;
  user_id: number;
  /** Null: for good. */
  until_date: number | null;
  banned_by: number;
  created_at: number;
}

export interface InviteLinksTable {
  hash: string;
  chat_id: number;
  creator_id: number;
  expire_date: number | null;
  usage_limit: number | null;
  usage_count: number;
  is_revoked: number;
  created_at: number;
}

export interface MessagesTable {
  chat_id: number;
  id: number;
  sender_id: number;
  random_id: string;
  /** The sender's own update number for the send (user or chat sequence), returned again to a retried send. */
  sender_pts: number;
  date: number;
  /** AES-256-GCM of `{text, entities}` under the chat's data key: nonce ‖ ciphertext ‖ tag. */
  text_sealed: Uint8Array;
  reply_to_id: number | null;
  /** The top message of the thread a reply belongs to (comments on a channel post). */
  thread_id: number | null;
  /** `ForwardOrigin` as JSON. */
  forward: string | null;
  edit_date: number | null;
  /** `ReactionCount[]` as JSON, kept in step with message_reactions. */
  reactions: Generated<string>;
  views: number | null;
  signature: string | null;
  is_deleted: Generated<number>;
}

export interface MessageReactionsTable {
  chat_id: number;
  message_id: number;
  user_id: number;
  emoji: string;
  date: number;
}

export interface MessageViewsTable {
  chat_id: number;
  message_id: number;
  user_id: number;
}

export interface HiddenMessagesTable {
  user_id: number;
  chat_id: number;
  message_id: number;
}

export interface DiscussionThreadsTable {
  channel_id: number;
  post_id: number;
  group_id: number;
  group_message_id: number;
}

export type UpdateRowType =
  | 'newMessage'
  | 'editMessage'
  | 'deleteMessages'
  | 'readHistoryInbox'
  | 'readHistoryOutbox'
  | 'messageReactions'
  | 'pinnedMessage'
  | 'chatUpdated'
  | 'chatMember'
  | 'chatJoined'
  | 'chatLeft'
  | 'draft'
  | 'chatMuted'
  | 'chatPinned'
  | 'secretDevicesChanged';

/** One update of a user's sequence. */
export interface UpdatesTable {
  user_id: number;
  pts: number;
  type: UpdateRowType;
  chat_id: number;
  /** The message id for message updates, the read-up-to id for read updates, else 0. */
  ref_id: number;
  /** Whatever else the update carries, as JSON (deleted ids, a draft, a member). */
  payload: string | null;
  date: number;
}

/** One update of a group's or channel's sequence. */
export interface ChatUpdatesTable {
  chat_id: number;
  pts: number;
  type: UpdateRowType;
  ref_id: number;
  payload: string | null;
  date: number;
}

export interface SchemaMigrationsTable {
  version: number;
  applied_at: number;
}

/** An upload in progress; its parts wait as files under `<data>/uploads/<id>/`. */
export interface UploadsTable {
  id: string;
  owner_id: number;
  size: number;
  part_size: number;
  part_count: number;
  name: string;
  mime_type: string;
  created_at: number;
  expires_at: number;
  /** Set once finished: the file it became, so a repeated complete answers the same. */
  file_id: string | null;
}

/** A named file; its bytes are the content-addressed blob `sha256`, shared by every file with the same bytes. */
export interface FilesTable {
  id: string;
  sha256: string;
  size: number;
  name: string;
  mime_type: string;
  owner_id: number;
  created_at: number;
  /** Photos, measured once by the server. */
  width: number | null;
  height: number | null;
  thumbnail_id: string | null;
}

/** Which messages carry which files, so that reading a file can be checked against reading a chat. */
export interface MessageMediaTable {
  file_id: string;
  chat_id: number;
  message_id: number;
}

/** A user allowed to read a file by its uploader (the encrypted attachments of secret chats). */
export interface FileGrantsTable {
  file_id: string;
  user_id: number;
}

/** A session's device registered for secret chats: public keys only; private keys never leave the device. */
export interface SecretDevicesTable {
  /** The session's id: each signed-in device is its own cryptographic identity. */
  device_id: number;
  user_id: number;
  identity_key: string;
  /** `{id, publicKey, signature}` as JSON. */
  signed_prekey: string;
  pq_prekey: string;
  registered_at: number;
  /** The last number of this device's envelope sequence (Telegram's qts). */
  qts: number;
}

export interface OneTimePrekeysTable {
  device_id: number;
  key_id: number;
  public_key: string;
}

/** Ciphertext waiting for one device; deleted as soon as that device acknowledges it, or after 30 days. */
export interface EnvelopesTable {
  device_id: number;
  qts: number;
  sender_user_id: number;
  sender_device_id: number;
  ciphertext: string;
  date: number;
}

/** Roles the operator granted (`samizdat admin grant`). */
export interface UserRolesTable {
  user_id: number;
  role: 'moderator' | 'legal';
  granted_at: number;
}

/** One report. `target` is the ReportTarget as JSON, `target_key` its canonical string for grouping. */
export interface ReportsTable {
  id: Generated<number>;
  /** Null for automatic reports (a known-illegal file). */
  reporter_id: number | null;
  target_key: string;
  target: string;
  reason: string;
  comment: string | null;
  /**
   * For a message of a private chat or a non-public group: that message (ReportedContent JSON),
   * sealed under the server's master key, taken when it was reported; nothing else of the chat.
   */
  evidence: string | null;
  created_at: number;
  /** The moderation action that closed it; null while open. */
  resolved_by_action_id: number | null;
  /** The account it is about: the user reported, or the sender of the message reported; null for a chat. */
  account_id: number | null;
}

export interface ModerationActionsTable {
  id: Generated<number>;
  moderator_id: number;
  target_key: string;
  target: string;
  action: 'dismiss' | 'removeMessage' | 'blockChat' | 'banUser';
  category: string | null;
  note: string;
  created_at: number;
}

export interface AppealsTable {
  id: Generated<number>;
  user_id: number;
  /** AppealSubject as JSON, and a canonical key: one appeal per subject and action. */
  subject: string;
  subject_key: string;
  /** The action appealed (a block); null for a spam limit. */
  action_id: number | null;
  text: string;
  created_at: number;
  status: 'pending' | 'upheld' | 'lifted';
  decided_by: number | null;
  decided_at: number | null;
  note: string | null;
}

/** SHA-256 (hex) of files known to be illegal: refused in public chats. */
export interface BlockedFileHashesTable {
  sha256: string;
  added_at: number;
}

/** Accounts reported for spam by several users they wrote to unasked: contacts only until `until`. */
export interface SpamLimitsTable {
  user_id: number;
  until: number;
  created_at: number;
}

export interface LegalRequestsTable {
  id: Generated<number>;
  country: string;
  authority: string;
  legal_reference: string;
  category: string;
  /** LegalTarget as JSON. */
  target: string;
  request_date: number;
  created_by: number;
  created_at: number;
  status: 'pending' | 'approved' | 'refused';
  decided_by: number | null;
  decided_at: number | null;
  note: string | null;
  /** Accounts a disclosure covered (0 or 1), for the transparency report. */
  users_affected: number;
  /** The legal-role account that made the disclosure, and when; null until then. A request discloses once. */
  disclosed_by: number | null;
  disclosed_at: number | null;
}

/** The IP addresses a session used, kept for the retention window only (default 30 days). */
export interface SessionIpsTable {
  session_id: number;
  user_id: number;
  ip: string;
  first_seen_at: number;
  last_seen_at: number;
}

/** The append-only, hash-chained and signed log of blocks and disclosures. */
export interface TransparencyLogTable {
  seq: number;
  prev_hash: string;
  at: number;
  kind: 'block' | 'unblock' | 'disclosure';
  /** JSON object of strings and integers. */
  body: string;
  hash: string;
  signature: string;
}

/** A bot's settings; its account is the `users` row with the same id. */
export interface BotsTable {
  user_id: number;
  owner_id: number;
  /** SHA-256 of the token, hex: what a Bot API call is checked against. */
  token_hash: string;
  /** The token sealed under a key derived from the master key, so @BotFather can show it to the owner again. */
  token_sealed: Uint8Array;
  /** In groups, hear only commands and replies to the bot (unless it is an admin), as on Telegram. */
  privacy_mode: Generated<number>;
  /** `BotCommand[]` as JSON. */
  commands: Generated<string>;
  description: Generated<string>;
  webhook_url: string | null;
  /** The secret_token sent with each webhook call, sealed like the token. */
  webhook_secret_sealed: Uint8Array | null;
  webhook_max_connections: Generated<number>;
  /** Telegram's update kinds as a JSON array; null means the default (all but chat_member). */
  allowed_updates: string | null;
  webhook_last_error_date: number | null;
  webhook_last_error_message: string | null;
  created_at: number;
}

/** An update waiting for a bot to take it (getUpdates) or for its webhook to accept it; kept at most 24 h. */
export interface BotUpdatesTable {
  update_id: Generated<number>;
  bot_id: number;
  kind: string;
  chat_id: number;
  message_id: number | null;
  /** The Bot API update (without its id) as JSON, sealed under the chat's key. */
  payload_sealed: Uint8Array;
  created_at: number;
  attempts: Generated<number>;
  /** Webhooks: not before this time (ms) after a failed delivery. */
  next_attempt_at: Generated<number>;
}

/** A press of an inline button, waiting for the bot's answerCallbackQuery. */
export interface CallbackQueriesTable {
  id: string;
  bot_id: number;
  user_id: number;
  chat_id: number;
  message_id: number;
  created_at: number;
  answered_at: number | null;
}

/** Which bots are in which chat, kept by triggers on chat_members. */
export interface ChatBotsTable {
  chat_id: number;
  bot_id: number;
}
