/**
 * Every error the server can answer with, in Telegram's UPPER_SNAKE style. Each code has the HTTP
 * status it maps to (for the HTTP APIs that come later) and the sentence a client shows when the
 * server sent none more specific.
 */
export const ERROR_CATALOG = {
  FRAME_INVALID: { httpStatus: 400, message: 'The frame is not valid JSON of a known shape' },
  METHOD_INVALID: { httpStatus: 400, message: 'The method is not known' },
  PARAMS_INVALID: { httpStatus: 400, message: 'The parameters do not match the method' },
  PROTOCOL_VERSION_UNSUPPORTED: { httpStatus: 400, message: 'The protocol version is not supported' },
  HELLO_REQUIRED: { httpStatus: 400, message: 'The first frame must be hello' },
  PHONE_NUMBER_INVALID: { httpStatus: 400, message: 'The phone number is not valid' },
  PHONE_NUMBER_FLOOD: { httpStatus: 420, message: 'Too many codes were requested for this number' },
  PHONE_NUMBER_UNOCCUPIED: { httpStatus: 400, message: 'No account uses this phone number' },
  PHONE_NUMBER_OCCUPIED: { httpStatus: 400, message: 'An account already uses this phone number' },
  PHONE_NUMBER_BANNED: { httpStatus: 403, message: 'The account of this phone number was banned by moderators' },
  PHONE_CODE_INVALID: { httpStatus: 400, message: 'The code is wrong' },
  PHONE_CODE_EXPIRED: { httpStatus: 400, message: 'The code has expired or was used up; request a new one' },
  PHONE_CODE_HASH_INVALID: { httpStatus: 400, message: 'The code request is not known' },
  CODE_DELIVERY_FAILED: { httpStatus: 502, message: 'The code could not be delivered' },
  FIRST_NAME_INVALID: { httpStatus: 400, message: 'The display name is empty or too long' },
  USERNAME_INVALID: { httpStatus: 400, message: 'The username is not valid' },
  USERNAME_OCCUPIED: { httpStatus: 400, message: 'The username is taken' },
  USERNAME_NOT_OCCUPIED: { httpStatus: 400, message: 'No user has this username' },
  AUTH_KEY_UNREGISTERED: { httpStatus: 401, message: 'The session is not valid; sign in again' },
  ALREADY_AUTHORIZED: { httpStatus: 400, message: 'This connection is already signed in' },
  SESSION_NOT_FOUND: { httpStatus: 400, message: 'No such session' },
  PEER_ID_INVALID: { httpStatus: 400, message: 'The peer is not valid' },
  CHAT_ID_INVALID: { httpStatus: 400, message: 'The chat is not known' },
  MESSAGE_EMPTY: { httpStatus: 400, message: 'The message is empty' },
  MESSAGE_TOO_LONG: { httpStatus: 400, message: 'The message is too long' },
  RANDOM_ID_INVALID: { httpStatus: 400, message: 'The random id is not valid' },
  PTS_INVALID: { httpStatus: 400, message: 'The sequence number is ahead of the server' },
  CHAT_ADMIN_REQUIRED: { httpStatus: 403, message: 'This needs admin rights in the chat' },
  CHAT_WRITE_FORBIDDEN: { httpStatus: 403, message: 'You cannot write in this chat' },
  CHANNEL_PRIVATE: { httpStatus: 403, message: 'The chat is private, or you were removed from it' },
  USER_BANNED_IN_CHANNEL: { httpStatus: 403, message: 'You are banned from this chat' },
  USER_RESTRICTED: { httpStatus: 403, message: 'You may not send messages here until the restriction ends' },
  SLOWMODE_WAIT: { httpStatus: 420, message: 'Slow mode is on; wait before sending again' },
  USER_ALREADY_PARTICIPANT: { httpStatus: 400, message: 'The user is already in the chat' },
  USER_NOT_PARTICIPANT: { httpStatus: 400, message: 'The user is not in the chat' },
  USERS_TOO_MUCH: { httpStatus: 400, message: 'The chat is full' },
  CHAT_TITLE_EMPTY: { httpStatus: 400, message: 'The chat title is empty or too long' },
  CHAT_NOT_MODIFIED: { httpStatus: 400, message: 'Nothing changed' },
  INVITE_HASH_INVALID: { httpStatus: 400, message: 'The invite link is not valid' },
  INVITE_HASH_EXPIRED: { httpStatus: 400, message: 'The invite link has expired, was revoked or is used up' },
  MESSAGE_ID_INVALID: { httpStatus: 400, message: 'No such message in this chat' },
  MESSAGE_AUTHOR_REQUIRED: { httpStatus: 403, message: 'Only the author may do this to the message' },
  MESSAGE_EDIT_TIME_EXPIRED: { httpStatus: 400, message: 'Messages can be edited for 48 hours' },
  MESSAGE_NOT_MODIFIED: { httpStatus: 400, message: 'The message is unchanged' },
  ENTITY_BOUNDS_INVALID: { httpStatus: 400, message: 'A text entity lies outside the text' },
  REACTION_INVALID: { httpStatus: 400, message: 'The reaction is not an emoji' },
  REACTIONS_TOO_MANY: { httpStatus: 400, message: 'A message has at most 11 distinct reactions' },
  CHAT_FORWARDS_RESTRICTED: { httpStatus: 403, message: 'Messages from this chat cannot be forwarded' },
  LINKED_CHAT_INVALID: { httpStatus: 400, message: 'Only a group can be a channel’s discussion group' },
  FILE_TOO_BIG: { httpStatus: 400, message: 'The file is larger than this server accepts' },
  FILE_PART_SIZE_INVALID: { httpStatus: 400, message: 'Parts are a power of two from 1 KiB to 512 KiB' },
  FILE_PART_INVALID: { httpStatus: 400, message: 'The part number or its size does not fit the upload' },
  FILE_PART_HASH_INVALID: { httpStatus: 400, message: 'The part does not match its SHA-256' },
  FILE_PARTS_MISSING: { httpStatus: 400, message: 'Some parts of the upload have not arrived' },
  FILE_HASH_INVALID: { httpStatus: 400, message: 'The file does not match its SHA-256' },
  UPLOAD_ID_INVALID: { httpStatus: 400, message: 'The upload is unknown or has expired' },
  FILE_ID_INVALID: { httpStatus: 404, message: 'No such file, or not one you may read' },
  MEDIA_INVALID: { httpStatus: 400, message: 'The media does not fit the message' },
  MEDIA_CAPTION_TOO_LONG: { httpStatus: 400, message: 'A caption has at most 1024 characters' },
  DEVICE_NOT_REGISTERED: { httpStatus: 400, message: 'This device has not registered its keys for secret chats' },
  DEVICE_ID_INVALID: { httpStatus: 400, message: 'No such device' },
  SECRET_DEVICES_CHANGED: { httpStatus: 409, message: 'The envelopes do not cover the current devices of a user; refetch them and resend' },
  ROLE_REQUIRED: { httpStatus: 403, message: 'This needs a role (moderator, legal) the operator grants' },
  REPORT_TARGET_INVALID: { httpStatus: 400, message: 'That cannot be reported: not public, not yours to see, or not there' },
  CHAT_BLOCKED: { httpStatus: 403, message: 'This chat was blocked by moderators' },
  SPAM_LIMITED: { httpStatus: 403, message: 'Reported for spam: until the limit ends you can message only your contacts; you may appeal' },
  MEDIA_BLOCKED: { httpStatus: 403, message: 'This file matches a known illegal file and cannot be posted in public' },
  MODERATION_CATEGORY_REQUIRED: { httpStatus: 400, message: 'This action needs one of the fixed block categories' },
  APPEAL_INVALID: { httpStatus: 400, message: 'No such appeal, nothing to appeal, or appealed already' },
  TWO_PERSON_RULE: { httpStatus: 403, message: 'A second, different legal-role account must decide this request' },
  LEGAL_REQUEST_INVALID: { httpStatus: 400, message: 'No such request, or not in a state that allows this' },
  PINNED_CHATS_TOO_MUCH: { httpStatus: 400, message: 'At most 10 chats can be pinned' },
  SEARCH_QUERY_EMPTY: { httpStatus: 400, message: 'The search query is empty' },
  BOT_INVALID: { httpStatus: 400, message: 'The user is not a bot, or not a bot of yours' },
  BOT_USERNAME_INVALID: { httpStatus: 400, message: 'A bot username ends in “bot” and follows the username rules' },
  BOTS_TOO_MUCH: { httpStatus: 400, message: 'A user may own at most 20 bots' },
  BOT_RESPONSE_TIMEOUT: { httpStatus: 400, message: 'The bot did not answer in time' },
  DATA_INVALID: { httpStatus: 400, message: 'The button is not on that message' },
  USER_IS_BOT: { httpStatus: 400, message: 'Bots use the Bot API, not this protocol' },
  FLOOD_WAIT: { httpStatus: 420, message: 'Too many requests; retry later' },
  INTERNAL: { httpStatus: 500, message: 'Internal server error' },
} as const satisfies Record<string, { httpStatus: number; message: string }>;

/** A code from {@link ERROR_CATALOG}. */
export type ErrorCode = keyof typeof ERROR_CATALOG;

/** All error codes, for schemas and checks. */
export const ERROR_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

/** Is `value` one of the catalog's codes? */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOG, value);
}

/**
 * An expected failure with its wire code, thrown by handlers and by the SDK alike. Bugs are plain
 * `Error`s; these are the values a caller is meant to handle.
 */
export class RpcError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message?: string, options: { retryAfterSeconds?: number } = {}) {
    super(message ?? ERROR_CATALOG[code].message);
    this.name = 'RpcError';
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
