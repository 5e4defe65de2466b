import type { BotCommand, InlineButton, Message, ReplyMarkup, User } from '@samizdat/protocol';

/** A reply keyboard as the composer shows it. */
export type ReplyKeyboard = Extract<ReplyMarkup, { type: 'replyKeyboard' }>;

/** The keyboard a bot put over the composer, with the message that carries it. */
export interface ActiveReplyKeyboard {
  messageId: number;
  keyboard: ReplyKeyboard;
}

/**
 * The reply keyboard in force in a chat ([WEB69]): the newest message of someone else (a bot) that
 * carries a `replyKeyboard` or a `removeKeyboard` decides — a keyboard stays until a later message
 * replaces or removes it, and messages without markup leave it alone. `messages` are in id order.
 */
export function activeReplyKeyboard(messages: readonly Message[], selfId: number): ActiveReplyKeyboard | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.senderId === selfId) continue;
    const markup = message.replyMarkup;
    if (markup === undefined) continue;
    if (markup.type === 'replyKeyboard') return { messageId: message.id, keyboard: markup };
    if (markup.type === 'removeKeyboard') return null;
  }
  return null;
}

/**
 * The message whose `forceReply` should put the composer in reply mode ([WEB70]): the newest
 * message of the chat when it is someone else's and asks for a reply; null once the user wrote after it.
 */
export function forceReplyTarget(messages: readonly Message[], selfId: number): Message | null {
  const newest = messages.at(-1);
  if (newest === undefined || newest.senderId === selfId) return null;
  return newest.replyMarkup?.type === 'forceReply' ? newest : null;
}

/** The composer's placeholder: the active keyboard's or forced reply's, else "Message". */
export function composerPlaceholder(keyboard: ActiveReplyKeyboard | null, isKeyboardShown: boolean, forceReply: Message | null): string {
  if (forceReply !== null && forceReply.replyMarkup?.type === 'forceReply' && forceReply.replyMarkup.placeholder) return forceReply.replyMarkup.placeholder;
  if (keyboard !== null && isKeyboardShown && keyboard.keyboard.placeholder) return keyboard.keyboard.placeholder;
  return 'Message';
}

/**
 * What the page remembers of a reply keyboard: hidden by the user's toggle, or used once when it
 * is `oneTime`. A new keyboard (another message) starts shown.
 */
export interface ReplyKeyboardView {
  messageId: number;
  isHidden: boolean;
}

/** Whether the keyboard shows, given what the page remembers of it. */
export function isReplyKeyboardShown(active: ActiveReplyKeyboard | null, view: ReplyKeyboardView | null): boolean {
  if (active === null) return false;
  return view === null || view.messageId !== active.messageId || !view.isHidden;
}

/** What pressing a reply keyboard's button leaves: a `oneTime` keyboard hides (the toggle brings it back). */
export function afterKeyboardPress(active: ActiveReplyKeyboard): ReplyKeyboardView | null {
  return active.keyboard.oneTime ? { messageId: active.messageId, isHidden: true } : null;
}

/**
 * The commands to suggest for the composer's text ([WEB71]): while it is "/" followed by a
 * command's start (no space yet), the commands that begin with it, in the bot's order.
 */
export function commandSuggestions(commands: readonly BotCommand[], text: string): BotCommand[] {
  const match = /^\/([a-zA-Z0-9_]*)$/.exec(text);
  if (match === null) return [];
  const prefix = match[1]!.toLowerCase();
  return commands.filter((command) => command.command.toLowerCase().startsWith(prefix) && `/${command.command}` !== text);
}

/** Whether a private chat's other user is a bot. */
export function isBotUser(user: User | undefined): boolean {
  return user?.isBot === true;
}

/** What pressing an inline button does: ask the bot, open a link, or nothing usable. */
export type InlineAction = { kind: 'callback'; data: string } | { kind: 'url'; url: string } | { kind: 'none' };

export function inlineAction(button: InlineButton): InlineAction {
  if (button.callbackData !== undefined) return { kind: 'callback', data: button.callbackData };
  if (button.url !== undefined) {
    const url = safeExternalUrl(button.url);
    if (url !== null) return { kind: 'url', url };
  }
  return { kind: 'none' };
}

/**
 * A link a bot or a message gives, made safe to open: http(s), mailto and tg links only (a bare
 * host gets `https://`); anything else (`javascript:`, `data:`…) is null.
 */
export function safeExternalUrl(raw: string): string | null {
  const text = raw.trim();
  if (text === '') return null;
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(text) ? text : `https://${text}`;
  try {
    const url = new URL(withScheme);
    if (!['http:', 'https:', 'mailto:', 'tg:'].includes(url.protocol)) return null;
    return url.href;
  } catch {
    return null;
  }
}

/** The text shown when a callback button's press fails ([WEB68]). */
export const BOT_NO_RESPONSE = 'The bot did not respond';

/** The words for a failed press: a bot that never answered, a button that no longer exists, else the error. */
export function callbackErrorText(code: string | null, fallback: string): string {
  if (code === 'BOT_RESPONSE_TIMEOUT' || code === 'REQUEST_TIMEOUT') return BOT_NO_RESPONSE;
  if (code === 'DATA_INVALID') return 'This button is no longer available';
  return fallback;
}

/** A reply keyboard's rows as plain texts (for tests and previews). */
export function keyboardTexts(keyboard: ReplyKeyboard): string[][] {
  return keyboard.rows.map((row) => row.map((button) => button.text));
}

/** Whether a bot's username is acceptable before asking the server: 5–32 letters, digits and `_`, ending in "bot" ([WEB73]). */
export function botUsernameProblem(username: string): string | null {
  if (!/^[a-zA-Z][a-zA-Z0-9_]{4,31}$/.test(username)) return 'A username has 5–32 letters, digits or underscores and starts with a letter';
  if (!username.toLowerCase().endsWith('bot')) return 'A bot’s username must end in “bot”, e.g. tetris_bot';
  return null;
}
