import {
  assertNever,
  type AdminRights,
  type Chat,
  type ChatMember,
  type Media,
  type Message,
  type PresenceFrame,
  type ReactionCount,
  type ReplyMarkup,
  type Session,
  type TypingFrame,
  type Update,
  type User,
} from '@samizdat/protocol';

/**
 * Human-readable renderings. Everything that came from another user (names, titles, message text,
 * reactions) goes through {@link sanitize} first: a message must not be able to drive the reader's
 * terminal.
 */

// C0 and C1 control characters, except tab and newline which text legitimately contains.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Replaces terminal control characters (ESC and friends) with visible `\xNN` escapes. */
export function sanitize(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Sanitizes text and indents its continuation lines, so one message stays one visual block. */
export function formatText(text: string): string {
  return sanitize(text).replace(/\n/g, '\n    ');
}

/** `Alice (@alice)`, or `Alice` when the user has no username; a bot is marked: `Echo (bot) (@echo_bot)`. */
export function formatUser(user: User): string {
  const name = markBot(sanitize(user.displayName) || `user ${user.id}`, user);
  return user.username === null ? name : `${name} (@${user.username})`;
}

/** `name (bot)` for a bot, else the name as it is. `isBot` may be missing from a user an older server sent. */
function markBot(name: string, user: User): string {
  return user.isBot === true ? `${name} (bot)` : name;
}

/** A Unix time in the local zone as `YYYY-MM-DD HH:MM`. */
export function formatDate(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A user's display name, or `user 7` when it is unknown or empty. */
export function userName(userId: number, users: ReadonlyMap<number, User>): string {
  const user = users.get(userId);
  const name = (user === undefined ? '' : sanitize(user.displayName)) || `user ${userId}`;
  return user === undefined ? name : markBot(name, user);
}

/** The name shown for a message's sender: `You` for the user themself, else the display name. */
export function senderName(senderId: number, users: ReadonlyMap<number, User>, selfId: number): string {
  return senderId === selfId ? 'You' : userName(senderId, users);
}

/** A chat as sentences name it: `chat 3` for a private chat (or one not known yet), `group 5 "Team"`, `channel 7 "News"`. */
export function formatChatName(chatId: number, chat: Chat | null | undefined): string {
  if (chat === undefined || chat === null || chat.type === 'private') return `chat ${chatId}`;
  const title = sanitize(chat.title ?? '').replace(/\s+/g, ' ');
  return `${chat.type} ${chatId} "${title}"`;
}

/** The tag that opens every line about a chat: `[chat 3]`, `[group 5 "Team"]`, `[channel 7 "News"]`. */
export function formatChatLabel(chatId: number, chat: Chat | null | undefined): string {
  return `[${formatChatName(chatId, chat)}]`;
}

/** `👍 2 ❤️ 1` */
export function formatReactions(reactions: readonly ReactionCount[]): string {
  return reactions.map((reaction) => `${sanitize(reaction.emoji)} ${reaction.count}`).join(' ');
}

/** What a message has been through, as `[…]` markers: forward, reply, edit, pin, reactions, views. */
export function messageMarkers(message: Message, options: { isPinned?: boolean; hasViews?: boolean } = {}): string[] {
  const markers: string[] = [];
  if (message.media !== null) markers.push(formatMediaMarker(message.media));
  if (message.forward !== null) markers.push(`[forwarded from ${sanitize(message.forward.fromName) || 'unknown'}]`);
  if (message.replyToId !== null) markers.push(`[reply to #${message.replyToId}]`);
  if (message.editDate !== null) markers.push('[edited]');
  if (options.isPinned === true) markers.push('[pinned]');
  if (message.reactions.length > 0) markers.push(`[${formatReactions(message.reactions)}]`);
  if (message.views !== null && options.hasViews !== false) markers.push(`[${plural(message.views, 'view')}]`);
  return markers;
}

/** `[photo 640×480 cat.jpg, 1.2 MiB]`, `[voice 0:07, 12.0 KiB]`, `[document report.pdf, 3.0 MiB]`. */
export function formatMediaMarker(media: Media): string {
  const details: string[] = [];
  if (media.width !== null && media.height !== null) details.push(`${media.width}×${media.height}`);
  if (media.duration !== null) details.push(formatDuration(media.duration));
  const name = sanitize(media.file.name).replace(/\s+/g, ' ');
  if (name !== '' && media.kind !== 'voice') details.push(name);
  return `[${[media.kind, ...details].join(' ')}, ${formatBytes(media.file.size)}]`;
}

/** The sender with the message's markers: `Bob [reply to #3] [edited]`. */
function authorWithMarkers(
  message: Message,
  users: ReadonlyMap<number, User>,
  selfId: number,
  options: { isPinned?: boolean; hasViews?: boolean },
): string {
  return [senderName(message.senderId, users, selfId), ...messageMarkers(message, options)].join(' ');
}

/**
 * One line of `history` (and of `search --in`):
 * `#12 2024-05-01 10:00 Bob [reply to #3] [edited] [👍 2] [5 views]: hi`.
 */
export function formatHistoryLine(
  message: Message,
  users: ReadonlyMap<number, User>,
  selfId: number,
  options: { pinnedMessageId?: number | null } = {},
): string {
  const isPinned = options.pinnedMessageId === message.id;
  const line = withText(`#${message.id} ${formatDate(message.date)} ${authorWithMarkers(message, users, selfId, { isPinned })}`, message.text);
  return withReplyMarkup(line, message);
}

/** `head: text`, or just `head` for a file sent without a caption. */
function withText(head: string, text: string): string {
  return text === '' ? head : `${head}: ${formatText(text)}`;
}

/** What the `listen` lines need to name chats and users. */
export interface UpdateLineContext {
  chats: ReadonlyMap<number, Chat>;
  users: ReadonlyMap<number, User>;
  selfId: number;
}

/**
 * One line of `listen` for a new message: `[chat 3] Alice: hi`, `[group 5 "Team"] Alice [reply to #4]: hi`.
 * Without a view count, which a post just out does not have yet.
 */
export function formatIncomingLine(message: Message, context: UpdateLineContext): string {
  const author = authorWithMarkers(message, context.users, context.selfId, { hasViews: false });
  return withReplyMarkup(withText(`${formatChatLabel(message.chatId, context.chats.get(message.chatId))} ${author}`, message.text), message);
}

/** A bot message's buttons or keyboard, as lines under the message: see {@link formatReplyMarkup}. */
function withReplyMarkup(line: string, message: Message): string {
  const markup = message.replyMarkup === undefined ? [] : formatReplyMarkup(message.replyMarkup);
  return [line, ...markup].join('\n');
}

/** An inline button as `press` finds it: its number as printed (from 1, row by row) and where it is. */
export interface NumberedButton {
  number: number;
  text: string;
  callbackData: string | null;
  url: string | null;
}

/** The buttons under a message, numbered from 1 row by row, left to right; none for other markups. */
export function inlineButtons(markup: ReplyMarkup | undefined): NumberedButton[] {
  if (markup?.type !== 'inlineKeyboard') return [];
  return markup.rows.flat().map((button, index) => ({
    number: index + 1,
    text: button.text,
    callbackData: button.callbackData ?? null,
    url: button.url ?? null,
  }));
}

/**
 * The lines a bot's markup adds under its message, indented: inline buttons one row a line,
 * numbered for `press` (`  [1] Yes  [2] No`, a URL button with its url: `[3] Docs <https://…>`),
 * a reply keyboard as `  keyboard: [Yes] [No]` (rows split by `|`), and a note for the removal of
 * a keyboard or a request to reply.
 */
export function formatReplyMarkup(markup: ReplyMarkup): string[] {
  switch (markup.type) {
    case 'inlineKeyboard': {
      let number = 0;
      return markup.rows.map(
        (row) =>
          `  ${row
            .map((button) => {
              number += 1;
              const url = button.url === undefined || button.url === '' ? '' : ` <${sanitize(button.url)}>`;
              return `[${number}] ${buttonText(button.text)}${url}`;
            })
            .join('  ')}`,
      );
    }
    case 'replyKeyboard': {
      const rows = markup.rows.map((row) => row.map((button) => `[${buttonText(button.text)}]`).join(' ')).join(' | ');
      const placeholder = markup.placeholder === null || markup.placeholder === '' ? '' : ` (${buttonText(markup.placeholder)})`;
      return [`  keyboard: ${rows}${placeholder}`];
    }
    case 'removeKeyboard':
      return ['  keyboard removed'];
    case 'forceReply':
      return [markup.placeholder === null || markup.placeholder === '' ? '  reply requested' : `  reply requested: ${buttonText(markup.placeholder)}`];
    default:
      return assertNever(markup);
  }
}

/** A button's text on one line, without terminal controls. */
function buttonText(text: string): string {
  return sanitize(text).replace(/\s+/g, ' ');
}

/** One line of `listen` for any update, led by the chat's label. */
export function formatUpdateLine(update: Update, context: UpdateLineContext): string {
  const { chats, users, selfId } = context;
  if (update.type === 'newMessage') return formatIncomingLine(update.message, context);
  if (update.type === 'secretDevicesChanged') {
    const whose = update.userId === selfId ? 'your' : `${userName(update.userId, users)}'s`;
    return `[secret] ${whose} secret-chat devices changed: compare safety numbers again`;
  }
  const chatId = update.type === 'editMessage' ? update.message.chatId : update.chatId;
  const chat = chats.get(chatId);
  const label = formatChatLabel(chatId, chat);
  switch (update.type) {
    case 'editMessage':
      return withReplyMarkup(
        `${label} ${senderName(update.message.senderId, users, selfId)} edited #${update.message.id}: ${formatText(update.message.text)}`,
        update.message,
      );
    case 'deleteMessages':
      return `${label} deleted ${update.messageIds.map((id) => `#${id}`).join(', ')}`;
    case 'readHistoryInbox':
      return `${label} you read up to #${update.maxId}`;
    case 'readHistoryOutbox':
      return chat === undefined || chat.type === 'private'
        ? `${label} read by the other side up to #${update.maxId}`
        : `${label} your messages read up to #${update.maxId}`;
    case 'messageReactions':
      return update.reactions.length === 0
        ? `${label} no reactions on #${update.messageId} any more`
        : `${label} reactions on #${update.messageId}: ${formatReactions(update.reactions)}`;
    case 'pinnedMessage':
      return update.messageId === null ? `${label} unpinned the pinned message` : `${label} pinned #${update.messageId}`;
    case 'chatUpdated':
      return `${label} title, description or settings changed`;
    case 'chatMember':
      return update.userId === selfId
        ? `${label} you ${describeMembership(update.member, true)}`
        : `${label} ${userName(update.userId, users)} ${describeMembership(update.member, false)}`;
    case 'chatJoined':
      return `${label} you joined`;
    case 'chatLeft':
      return `${label} you left or were removed`;
    case 'draft':
      return update.draft === null ? `${label} draft cleared` : `${label} draft: ${formatText(update.draft.text)}`;
    case 'chatMuted':
      return update.mutedUntil === null ? `${label} unmuted` : `${label} muted until ${formatDate(update.mutedUntil)}`;
    case 'chatPinned':
      return update.pinnedAt === null ? `${label} unpinned` : `${label} pinned to the top`;
    default:
      return assertNever(update);
  }
}

/** A `listen --ephemeral` line: `[group 5 "Team"] Bob is typing`. */
export function formatTypingLine(frame: TypingFrame, context: Omit<UpdateLineContext, 'selfId'>): string {
  const doing = frame.action === 'typing' ? 'is typing' : 'stopped typing';
  return `${formatChatLabel(frame.chatId, context.chats.get(frame.chatId))} ${userName(frame.userId, context.users)} ${doing}`;
}

/** A `listen --ephemeral` line: `[user 4] Bob is online`, `… was last seen 2024-05-01 10:00`. */
export function formatPresenceLine(frame: PresenceFrame, users: ReadonlyMap<number, User>): string {
  const who = `[user ${frame.userId}] ${userName(frame.userId, users)}`;
  switch (frame.status.type) {
    case 'online':
      return `${who} is online`;
    case 'offline':
      return `${who} was last seen ${formatDate(frame.status.lastSeenAt)}`;
    case 'hidden':
      return `${who} hides when they are online`;
    default:
      return assertNever(frame.status);
  }
}

/** `is now an admin`, `left or was removed`; `are now an admin`, `left or were removed` for the user themself. */
function describeMembership(member: ChatMember | null, isSelf: boolean): string {
  const [is, was] = isSelf ? ['are', 'were'] : ['is', 'was'];
  if (member === null) return `left or ${was} removed`;
  if (member.role === 'owner') return `${is} the owner`;
  if (member.role === 'admin') return `${is} now an admin`;
  return member.mutedUntil === null ? `${is} a member` : `${is} a member, restricted until ${formatDate(member.mutedUntil)}`;
}

/**
 * One line of `chats`: `[chat 3] Alice (@alice) · 2 unread · You: hi`, or for groups and channels
 * `[channel 7 "News"] @news · 12 subscribers · You: hello`. A chat moderators blocked shows its
 * notice: `… · blocked: This channel can't be displayed because it was used to spread terrorist propaganda`.
 */
export function formatChatLine(chat: Chat, users: ReadonlyMap<number, User>, selfId: number): string {
  const parts: string[] = [];
  if (chat.type === 'private') {
    const peer = chat.peerUserId === null ? undefined : users.get(chat.peerUserId);
    const title = chat.peerUserId === selfId ? 'Saved messages' : peer === undefined ? `user ${chat.peerUserId ?? '?'}` : formatUser(peer);
    parts.push(`${formatChatLabel(chat.id, chat)} ${title}`);
  } else {
    parts.push(chat.username === null ? formatChatLabel(chat.id, chat) : `${formatChatLabel(chat.id, chat)} @${chat.username}`);
    parts.push(plural(chat.memberCount, chat.type === 'channel' ? 'subscriber' : 'member'));
    if (chat.myRole === null) parts.push('not a member');
  }
  if (chat.blocked !== null) parts.push(`blocked: ${sanitize(chat.blocked.notice)}`);
  // `pinnedAt` may be missing from a chat an older server sent.
  if (chat.pinnedAt != null) parts.push('pinned');
  if (chat.unreadCount > 0) parts.push(`${chat.unreadCount} unread`);
  if (chat.topMessage !== null) {
    const text = sanitize(chat.topMessage.text).replace(/\s+/g, ' ');
    const preview = text.length > 60 ? `${text.slice(0, 59)}…` : text;
    parts.push(`${senderName(chat.topMessage.senderId, users, selfId)}: ${preview}`);
  }
  return parts.join(' · ');
}

/** One line of a user list: `[user 4] Bob (@bob)`. */
export function formatUserLine(user: User): string {
  return `[user ${user.id}] ${formatUser(user)}`;
}

/** The names of the rights that are on: `deleteMessages, banUsers`. */
export function formatRights(rights: AdminRights): string {
  return (Object.keys(rights) as (keyof AdminRights)[]).filter((right) => rights[right]).join(', ');
}

/**
 * One line of `group members`: `[user 4] Bob (@bob) · admin: deleteMessages, banUsers`, or
 * `[user 5] Carol · member · restricted until 2024-05-01 10:00`.
 */
export function formatMemberLine(member: ChatMember, user: User | undefined): string {
  const name = user === undefined ? `[user ${member.userId}]` : formatUserLine(user);
  const role = member.role === 'admin' && member.rights !== null ? `admin: ${formatRights(member.rights) || 'no rights'}` : member.role;
  const parts = [name, role];
  if (member.mutedUntil !== null) parts.push(`restricted until ${formatDate(member.mutedUntil)}`);
  return parts.join(' · ');
}

/** One line of `sessions`: `* 4  laptop  signed in 2024-05-01 10:00, active 2024-05-02 09:00`. */
export function formatSessionLine(session: Session): string {
  const marker = session.isCurrent ? '*' : ' ';
  const device = sanitize(session.deviceName) || '(unnamed device)';
  return `${marker} ${session.id}  ${device}  signed in ${formatDate(session.createdAt)}, active ${formatDate(session.lastActiveAt)}`;
}

/** `1 member`, `3 members`. */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `512 B`, `1.5 KiB`, `3.0 MiB`, `2.00 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value.toFixed(value < 10 && unit >= 3 ? 2 : 1)} ${units[unit]}`;
}

/** `0:07`, `12:34`, `1:02:03`. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.ceil(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
}
