import type { FileInfo, Media, Message, MessageEntity, ReplyMarkup } from '@samizdat/protocol';
import type { ChatKind } from '../storage/database.ts';

/**
 * Samizdat's objects as the Bot API shows them, with Telegram's field names and types
 * (https://core.telegram.org/bots/api#available-types): snake_case, integer ids, Unix times, and
 * optional fields left out rather than null.
 */
export type TgObject = Record<string, unknown>;

/** What the Bot API needs of a user to show them. */
export interface UserFacts {
  id: number;
  displayName: string;
  username: string | null;
  isBot: boolean;
}

/** What the Bot API needs of a chat to show it; for a private chat, `peer` is the other side as the bot sees it. */
export interface ChatFacts {
  id: number;
  type: ChatKind;
  title: string | null;
  username: string | null;
  peer: UserFacts | null;
}

/** Groups and channels get ids below this (Telegram's "-100…" form), so they never meet a user's id. */
const CHANNEL_ID_BASE = 1_000_000_000_000;

/**
 * The chat id a bot sees: a private chat is the other user's id, as on Telegram; a group or channel
 * is `-100<id>` written as one negative number.
 */
export function telegramChatId(chat: { id: number; type: ChatKind }, peerUserId: number | null): number {
  if (chat.type === 'private') return peerUserId ?? chat.id;
  return -(CHANNEL_ID_BASE + chat.id);
}

/** The other way: a private chat with a user, or a group or channel by its own id. */
export function fromTelegramChatId(id: number): { type: 'user'; userId: number } | { type: 'chat'; chatId: number } | null {
  if (!Number.isSafeInteger(id) || id === 0) return null;
  if (id > 0) return { type: 'user', userId: id };
  const chatId = -id > CHANNEL_ID_BASE ? -id - CHANNEL_ID_BASE : -id;
  return chatId > 0 ? { type: 'chat', chatId } : null;
}

export function renderTgUser(user: UserFacts): TgObject {
  return { id: user.id, is_bot: user.isBot, first_name: user.displayName, ...(user.username === null ? {} : { username: user.username }) };
}

export function renderTgChat(chat: ChatFacts): TgObject {
  if (chat.type === 'private') {
    const peer = chat.peer;
    return { id: peer?.id ?? chat.id, type: 'private', first_name: peer?.displayName ?? '', ...(peer?.username ? { username: peer.username } : {}) };
  }
  return {
    id: telegramChatId(chat, null),
    type: chat.type === 'channel' ? 'channel' : 'supergroup',
    title: chat.title ?? '',
    ...(chat.username === null ? {} : { username: chat.username }),
  };
}

const ENTITY_TYPES_OUT: Record<MessageEntity['type'], string> = {
  bold: 'bold', italic: 'italic', underline: 'underline', strikethrough: 'strikethrough', spoiler: 'spoiler', code: 'code', pre: 'pre',
  textUrl: 'text_link', url: 'url', mention: 'mention', hashtag: 'hashtag', botCommand: 'bot_command', email: 'email', blockquote: 'blockquote',
};
const ENTITY_TYPES_IN = Object.fromEntries(Object.entries(ENTITY_TYPES_OUT).map(([ours, theirs]) => [theirs, ours])) as Record<string, MessageEntity['type']>;

export function renderTgEntities(entities: readonly MessageEntity[]): TgObject[] {
  return entities.map((e) => ({
    type: ENTITY_TYPES_OUT[e.type],
    offset: e.offset,
    length: e.length,
    ...(e.url === undefined ? {} : { url: e.url }),
    ...(e.language === undefined ? {} : { language: e.language }),
  }));
}

/** Entities a bot gave in Telegram's form; kinds Samizdat does not show (custom emoji, text mentions) are dropped. */
export function readTgEntities(value: unknown): MessageEntity[] {
  if (!Array.isArray(value)) throw new BotApiInputError('entities must be an array of MessageEntity');
  const entities: MessageEntity[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null) throw new BotApiInputError('an entity must be an object');
    const { type, offset, length, url, language } = item as Record<string, unknown>;
    if (typeof type !== 'string' || !Number.isInteger(offset) || !Number.isInteger(length) || (offset as number) < 0 || (length as number) < 1) {
      throw new BotApiInputError("can't parse entities: each needs type, offset and length");
    }
    const ours = ENTITY_TYPES_IN[type];
    if (ours === undefined) continue;
    entities.push({
      type: ours,
      offset: offset as number,
      length: length as number,
      ...(typeof url === 'string' ? { url } : {}),
      ...(typeof language === 'string' && language !== '' ? { language: language.slice(0, 32) } : {}),
    });
  }
  return entities;
}

/** Telegram's reply_markup in its JSON form, read into ours; anything malformed is a Bad Request. */
export function readTgReplyMarkup(value: unknown): ReplyMarkup {
  if (typeof value !== 'object' || value === null) throw new BotApiInputError("can't parse reply keyboard markup JSON object");
  const markup = value as Record<string, unknown>;
  if (Array.isArray(markup.inline_keyboard)) {
    const rows = (markup.inline_keyboard as unknown[]).map((row) => {
      if (!Array.isArray(row)) throw new BotApiInputError('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
      return row.map((button: unknown) => {
        if (typeof button !== 'object' || button === null) throw new BotApiInputError("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
        const { text, callback_data: data, url } = button as Record<string, unknown>;
        if (typeof text !== 'string' || text === '') throw new BotApiInputError("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        if (typeof data === 'string') {
          if (data === '' || new TextEncoder().encode(data).length > 64) throw new BotApiInputError('BUTTON_DATA_INVALID');
          return { text: text.slice(0, 128), callbackData: data };
        }
        if (typeof url === 'string') {
          if (!/^(https?|tg):\/\//i.test(url)) throw new BotApiInputError('inline keyboard button URL is invalid: Wrong HTTP URL');
          return { text: text.slice(0, 128), url };
        }
        throw new BotApiInputError("can't parse inline keyboard button: a button needs callback_data or url");
      });
    });
    return { type: 'inlineKeyboard', rows: rows.filter((row) => row.length > 0) };
  }
  if (Array.isArray(markup.keyboard)) {
    const rows = (markup.keyboard as unknown[]).map((row) => {
      if (!Array.isArray(row)) throw new BotApiInputError('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays');
      return row.map((button: unknown) => {
        const text = typeof button === 'string' ? button : typeof button === 'object' && button !== null ? (button as { text?: unknown }).text : undefined;
        if (typeof text !== 'string' || text === '') throw new BotApiInputError("can't parse keyboard button: KeyboardButton must be a String or an Object with text");
        return { text: text.slice(0, 128) };
      });
    }).filter((row) => row.length > 0);
    if (rows.length === 0) throw new BotApiInputError('keyboard must be non-empty');
    return {
      type: 'replyKeyboard',
      rows,
      resize: markup.resize_keyboard === true,
      oneTime: markup.one_time_keyboard === true,
      placeholder: typeof markup.input_field_placeholder === 'string' ? markup.input_field_placeholder.slice(0, 64) : null,
    };
  }
  if (markup.remove_keyboard === true) return { type: 'removeKeyboard' };
  if (markup.force_reply === true) {
    return { type: 'forceReply', placeholder: typeof markup.input_field_placeholder === 'string' ? markup.input_field_placeholder.slice(0, 64) : null };
  }
  throw new BotApiInputError("can't find field \"inline_keyboard\", \"keyboard\", \"remove_keyboard\" or \"force_reply\" in reply_markup");
}

/** Only an inline keyboard shows on a message in the Bot API; reply keyboards belong to the recipient's input field. */
export function renderTgInlineMarkup(markup: ReplyMarkup | undefined): TgObject | undefined {
  if (markup?.type !== 'inlineKeyboard') return undefined;
  return {
    inline_keyboard: markup.rows.map((row) =>
      row.map((button) => ({ text: button.text, ...(button.callbackData === undefined ? {} : { callback_data: button.callbackData }), ...(button.url === undefined ? {} : { url: button.url }) })),
    ),
  };
}

/** A stable id per content, as Telegram's `file_unique_id` is per file whoever sends it. */
function fileUniqueId(file: FileInfo): string {
  return Buffer.from(file.sha256.slice(0, 24), 'hex').toString('base64url');
}

function renderFileFields(file: FileInfo): TgObject {
  return { file_id: file.id, file_unique_id: fileUniqueId(file), file_size: file.size };
}

function renderMedia(media: Media): TgObject {
  switch (media.kind) {
    case 'photo': {
      const sizes: TgObject[] = [];
      if (media.thumbnail !== null) sizes.push({ ...renderFileFields(media.thumbnail), width: Math.min(320, media.width ?? 320), height: Math.min(320, media.height ?? 320) });
      sizes.push({ ...renderFileFields(media.file), width: media.width ?? 0, height: media.height ?? 0 });
      return { photo: sizes };
    }
    case 'document':
      return { document: { ...renderFileFields(media.file), file_name: media.file.name, mime_type: media.file.mimeType } };
    case 'voice':
      return { voice: { ...renderFileFields(media.file), duration: Math.round(media.duration ?? 0), mime_type: media.file.mimeType } };
    case 'video':
      return {
        video: {
          ...renderFileFields(media.file),
          width: media.width ?? 0,
          height: media.height ?? 0,
          duration: Math.round(media.duration ?? 0),
          file_name: media.file.name,
          mime_type: media.file.mimeType,
        },
      };
  }
}

/** Everything one message needs to be shown to a bot. */
export interface MessageFacts {
  message: Message;
  chat: ChatFacts;
  sender: UserFacts;
  /** The message it replies to, shown one level deep as Telegram does. */
  replyTo: { message: Message; sender: UserFacts } | null;
}

export function renderTgMessage(facts: MessageFacts): TgObject {
  const { message, chat } = facts;
  const isChannel = chat.type === 'channel';
  const textFields =
    message.media === null
      ? { text: message.text, ...(message.entities.length > 0 ? { entities: renderTgEntities(message.entities) } : {}) }
      : message.text === ''
        ? {}
        : { caption: message.text, ...(message.entities.length > 0 ? { caption_entities: renderTgEntities(message.entities) } : {}) };
  const markup = renderTgInlineMarkup(message.replyMarkup);
  return {
    message_id: message.id,
    // Channel posts are signed by the channel, not by the admin who posted.
    ...(isChannel ? { sender_chat: renderTgChat(chat) } : { from: renderTgUser(facts.sender) }),
    date: message.date,
    chat: renderTgChat(chat),
    ...(message.forward === null ? {} : { forward_origin: renderForwardOrigin(message.forward) }),
    ...(facts.replyTo === null ? {} : { reply_to_message: renderTgMessage({ message: facts.replyTo.message, chat, sender: facts.replyTo.sender, replyTo: null }) }),
    ...(message.editDate === null ? {} : { edit_date: message.editDate }),
    ...(message.signature === null ? {} : { author_signature: message.signature }),
    ...textFields,
    ...(message.media === null ? {} : renderMedia(message.media)),
    ...(markup === undefined ? {} : { reply_markup: markup }),
  };
}

function renderForwardOrigin(origin: NonNullable<Message['forward']>): TgObject {
  if (origin.fromChatId !== null) {
    return {
      type: 'channel',
      chat: { id: telegramChatId({ id: origin.fromChatId, type: 'channel' }, null), type: 'channel', title: origin.fromName },
      message_id: origin.fromMessageId ?? 0,
      date: origin.date,
    };
  }
  if (origin.fromUserId !== null) return { type: 'user', sender_user: { id: origin.fromUserId, is_bot: false, first_name: origin.fromName }, date: origin.date };
  return { type: 'hidden_user', sender_user_name: origin.fromName, date: origin.date };
}

/** A Bad Request the bot's own input caused; the Bot API answers 400 with this description. */
export class BotApiInputError extends Error {}
