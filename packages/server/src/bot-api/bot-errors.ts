import { RpcError, type ErrorCode } from '@samizdat/protocol';
import { BodyTooLargeError } from './bot-request.ts';
import { BotApiInputError } from './telegram-types.ts';

/** A failed Bot API call as Telegram answers it: `{ok: false, error_code, description, parameters?}`. */
export class TelegramError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(description);
  }

  toJSON(): Record<string, unknown> {
    return {
      ok: false,
      error_code: this.errorCode,
      description: this.description,
      ...(this.retryAfter === undefined ? {} : { parameters: { retry_after: this.retryAfter } }),
    };
  }
}

export const badRequest = (what: string) => new TelegramError(400, `Bad Request: ${what}`);
export const forbidden = (what: string) => new TelegramError(403, `Forbidden: ${what}`);
export const tooManyRequests = (seconds: number) => new TelegramError(429, `Too Many Requests: retry after ${seconds}`, seconds);
export const unauthorized = () => new TelegramError(401, 'Unauthorized');
export const notFound = () => new TelegramError(404, 'Not Found');
export const conflict = (what: string) => new TelegramError(409, `Conflict: ${what}`);

/** Telegram's wording for the failures Samizdat's services report, so bot libraries recognise them. */
const DESCRIPTIONS: Partial<Record<ErrorCode, (message: string) => TelegramError>> = {
  PEER_ID_INVALID: (m) => (/initiate conversation/.test(m) ? forbidden("bot can't initiate conversation with a user") : badRequest('chat not found')),
  CHAT_ID_INVALID: () => badRequest('chat not found'),
  MESSAGE_ID_INVALID: () => badRequest('message not found'),
  MESSAGE_EMPTY: () => badRequest('message text is empty'),
  MESSAGE_TOO_LONG: () => badRequest('message is too long'),
  MEDIA_CAPTION_TOO_LONG: () => badRequest('message caption is too long'),
  MESSAGE_NOT_MODIFIED: () =>
    badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message'),
  MESSAGE_AUTHOR_REQUIRED: () => badRequest("message can't be edited"),
  MESSAGE_EDIT_TIME_EXPIRED: () => badRequest("message can't be edited"),
  CHAT_WRITE_FORBIDDEN: () => forbidden('bot is not a member of the supergroup chat'),
  CHANNEL_PRIVATE: () => forbidden('bot is not a member of the channel chat'),
  USER_BANNED_IN_CHANNEL: () => forbidden('bot was kicked from the supergroup chat'),
  USER_RESTRICTED: () => badRequest('not enough rights to send text messages to the chat'),
  CHAT_ADMIN_REQUIRED: () => badRequest('not enough rights'),
  USER_NOT_PARTICIPANT: () => badRequest('user not found'),
  FILE_ID_INVALID: () => badRequest('wrong file identifier/HTTP URL specified'),
  MEDIA_INVALID: (m) => badRequest(/as a photo/.test(m) ? 'IMAGE_PROCESS_FAILED' : m),
  ENTITY_BOUNDS_INVALID: (m) => badRequest(`can't parse entities: ${m}`),
  REACTION_INVALID: () => badRequest('REACTION_INVALID'),
  CHAT_FORWARDS_RESTRICTED: () => badRequest("message can't be forwarded"),
  CHAT_BLOCKED: () => forbidden('the chat was blocked by moderators'),
  FILE_TOO_BIG: () => badRequest('file is too big'),
};

/** Any failure of a call, as the bot will read it; bugs are logged by the caller and answered 500. */
export function toTelegramError(error: unknown): TelegramError | null {
  if (error instanceof TelegramError) return error;
  if (error instanceof BotApiInputError) return badRequest(error.message);
  if (error instanceof BodyTooLargeError) return new TelegramError(413, 'Request Entity Too Large');
  if (error instanceof RpcError) {
    if (error.code === 'FLOOD_WAIT' || error.code === 'SLOWMODE_WAIT') return tooManyRequests(error.retryAfterSeconds ?? 1);
    const known = DESCRIPTIONS[error.code];
    if (known !== undefined) return known(error.message);
    return badRequest(error.message);
  }
  return null;
}
