import { Type as T, type Static } from '@sinclair/typebox';
import { ChatBlock } from './moderation-categories.ts';
import { MAX_MESSAGE_LENGTH } from './version.ts';

const strict = { additionalProperties: false } as const;

/** A positive integer id (users, chats, sessions, messages within a chat). */
export const Id = T.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** Seconds since the Unix epoch, as Telegram sends dates. */
export const UnixTime = T.Integer({ minimum: 0 });

/** Who may see a user's phone number. */
export const PhoneVisibility = T.Union([T.Literal('everybody'), T.Literal('nobody')]);
export type PhoneVisibility = Static<typeof PhoneVisibility>;

/** Who may see when a user is online or was last seen. */
export const LastSeenVisibility = T.Union([T.Literal('everybody'), T.Literal('contacts'), T.Literal('nobody')]);
export type LastSeenVisibility = Static<typeof LastSeenVisibility>;

/** A user as another user sees them: the phone only where its owner allows it, or to the owner. */
export const User = T.Object(
  {
    id: Id,
    displayName: T.String(),
    username: T.Union([T.String(), T.Null()]),
    phone: T.Union([T.String(), T.Null()]),
    isSelf: T.Boolean(),
    /** Whether this user is in the viewer's contacts. */
    isContact: T.Boolean(),
    /** A bot: an account driven by a program through the Bot API, made with `bots.create` or @BotFather. */
    isBot: T.Boolean(),
  },
  strict,
);
export type User = Static<typeof User>;

/** Whom a request is about: a user (the private chat with them) or a chat by id. */
export const Peer = T.Union([
  T.Object({ type: T.Literal('user'), userId: Id }, strict),
  T.Object({ type: T.Literal('chat'), chatId: Id }, strict),
]);
export type Peer = Static<typeof Peer>;

/** Kinds of chat: private (two users), group (members talk), channel (admins post, subscribers read). */
export const ChatType = T.Union([T.Literal('private'), T.Literal('group'), T.Literal('channel')]);
export type ChatType = Static<typeof ChatType>;

/** A styled or linked span of a message's text, in UTF-16 code units as Telegram counts them. */
export const MessageEntity = T.Object(
  {
    type: T.Union([
      T.Literal('bold'), T.Literal('italic'), T.Literal('underline'), T.Literal('strikethrough'), T.Literal('spoiler'),
      T.Literal('code'), T.Literal('pre'), T.Literal('textUrl'), T.Literal('url'), T.Literal('mention'),
      T.Literal('hashtag'), T.Literal('botCommand'), T.Literal('email'), T.Literal('blockquote'),
    ]),
    offset: T.Integer({ minimum: 0, maximum: MAX_MESSAGE_LENGTH }),
    length: T.Integer({ minimum: 1, maximum: MAX_MESSAGE_LENGTH }),
    /** For `textUrl`: where it links. */
    url: T.Optional(T.String({ maxLength: 2048 })),
    /** For `pre`: the code's language. */
    language: T.Optional(T.String({ maxLength: 32 })),
  },
  strict,
);
export type MessageEntity = Static<typeof MessageEntity>;

/** Where a forwarded message first came from. */
export const ForwardOrigin = T.Object(
  {
    /** The original chat when it is a channel (so readers can open it), else null. */
    fromChatId: T.Union([Id, T.Null()]),
    fromMessageId: T.Union([Id, T.Null()]),
    fromUserId: T.Union([Id, T.Null()]),
    /** The name shown: the channel's title or the original sender's name. */
    fromName: T.String(),
    date: UnixTime,
  },
  strict,
);
export type ForwardOrigin = Static<typeof ForwardOrigin>;

/**
 * How many people reacted with one emoji. `isChosen` is whether the viewer's own reaction is this
 * one: set in what is rendered for one viewer (history, search, the chat list), absent in updates
 * shared by every member of a chat.
 */
export const ReactionCount = T.Object(
  { emoji: T.String({ maxLength: 16 }), count: T.Integer({ minimum: 1 }), isChosen: T.Optional(T.Boolean()) },
  strict,
);
export type ReactionCount = Static<typeof ReactionCount>;

/** A stored file: bytes kept once per content, named per upload. */
export const FileInfo = T.Object(
  {
    /** Unguessable id; reading still needs the right to (the uploader, or a reader of a chat where it was sent). */
    id: T.String(),
    size: T.Integer({ minimum: 0 }),
    mimeType: T.String(),
    name: T.String(),
    sha256: T.String(),
  },
  strict,
);
export type FileInfo = Static<typeof FileInfo>;

export const MediaKind = T.Union([T.Literal('photo'), T.Literal('video'), T.Literal('voice'), T.Literal('document')]);
export type MediaKind = Static<typeof MediaKind>;

/** A file attached to a message, with what the kind needs to be shown before it is downloaded. */
export const Media = T.Object(
  {
    kind: MediaKind,
    file: FileInfo,
    /** Photos (measured by the server) and videos (as the sender says). */
    width: T.Union([T.Integer({ minimum: 0 }), T.Null()]),
    height: T.Union([T.Integer({ minimum: 0 }), T.Null()]),
    /** Videos and voice notes, in seconds. */
    duration: T.Union([T.Number({ minimum: 0 }), T.Null()]),
    /** Voice notes: amplitude samples 0–31, base64 of one byte each, at most 100. */
    waveform: T.Union([T.String({ maxLength: 200 }), T.Null()]),
    /** Photos: a small JPEG made by the server. */
    thumbnail: T.Union([FileInfo, T.Null()]),
  },
  strict,
);
export type Media = Static<typeof Media>;

/** A button under a bot's message: pressing it sends `callbackData` to the bot, or opens `url`. */
export const InlineButton = T.Object(
  {
    text: T.String({ minLength: 1, maxLength: 128 }),
    /** 1–64 bytes the bot gets back in a callback query when the button is pressed. */
    callbackData: T.Optional(T.String({ minLength: 1, maxLength: 64 })),
    url: T.Optional(T.String({ maxLength: 2048 })),
  },
  strict,
);
export type InlineButton = Static<typeof InlineButton>;

/** A button of a reply keyboard: pressing it sends its text as a message. */
export const KeyboardButton = T.Object({ text: T.String({ minLength: 1, maxLength: 128 }) }, strict);
export type KeyboardButton = Static<typeof KeyboardButton>;

/**
 * What a bot attaches to its message, as on Telegram: buttons under the message (`inlineKeyboard`),
 * a keyboard that replaces the recipient's until removed (`replyKeyboard`), its removal, or a
 * request to reply (`forceReply`).
 */
export const ReplyMarkup = T.Union([
  T.Object({ type: T.Literal('inlineKeyboard'), rows: T.Array(T.Array(InlineButton, { minItems: 1, maxItems: 8 }), { maxItems: 100 }) }, strict),
  T.Object(
    {
      type: T.Literal('replyKeyboard'),
      rows: T.Array(T.Array(KeyboardButton, { minItems: 1, maxItems: 12 }), { minItems: 1, maxItems: 100 }),
      resize: T.Boolean(),
      oneTime: T.Boolean(),
      placeholder: T.Union([T.String({ maxLength: 64 }), T.Null()]),
    },
    strict,
  ),
  T.Object({ type: T.Literal('removeKeyboard') }, strict),
  T.Object({ type: T.Literal('forceReply'), placeholder: T.Union([T.String({ maxLength: 64 }), T.Null()]) }, strict),
]);
export type ReplyMarkup = Static<typeof ReplyMarkup>;

/** A command of a bot's menu: `/command` and what it does. */
export const BotCommand = T.Object(
  { command: T.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9_]+$' }), description: T.String({ minLength: 1, maxLength: 256 }) },
  strict,
);
export type BotCommand = Static<typeof BotCommand>;

/** One message. Ids count up from 1 within each chat, so history pages by id. */
export const Message = T.Object(
  {
    chatId: Id,
    id: Id,
    /** The author; in a channel, the admin who posted (shown only as `signature` when signatures are on). */
    senderId: Id,
    date: UnixTime,
    text: T.String({ maxLength: MAX_MESSAGE_LENGTH }),
    randomId: T.String(),
    entities: T.Array(MessageEntity),
    replyToId: T.Union([Id, T.Null()]),
    forward: T.Union([ForwardOrigin, T.Null()]),
    /** Set once the text was edited. */
    editDate: T.Union([UnixTime, T.Null()]),
    reactions: T.Array(ReactionCount),
    /** Channel posts: how many distinct subscribers saw it. */
    views: T.Union([T.Integer({ minimum: 0 }), T.Null()]),
    /** Channel posts with signatures on: the posting admin's name. */
    signature: T.Union([T.String(), T.Null()]),
    /** An attached photo, video, voice note or document; `text` is then its caption. */
    media: T.Union([Media, T.Null()]),
    /** Messages of bots: buttons or a keyboard that come with the message. */
    replyMarkup: T.Optional(ReplyMarkup),
  },
  strict,
);
export type Message = Static<typeof Message>;

/** What an admin may do; the owner may do all of it. */
export const AdminRights = T.Object(
  {
    changeInfo: T.Boolean(),
    deleteMessages: T.Boolean(),
    banUsers: T.Boolean(),
    inviteUsers: T.Boolean(),
    pinMessages: T.Boolean(),
    addAdmins: T.Boolean(),
    /** Channels: post and edit posts. */
    postMessages: T.Boolean(),
  },
  strict,
);
export type AdminRights = Static<typeof AdminRights>;

export const MemberRole = T.Union([T.Literal('owner'), T.Literal('admin'), T.Literal('member')]);
export type MemberRole = Static<typeof MemberRole>;

/** A member of a group or channel as listed to other members. */
export const ChatMember = T.Object(
  {
    userId: Id,
    role: MemberRole,
    rights: T.Union([AdminRights, T.Null()]),
    /** A restricted member may read but not send until then. */
    mutedUntil: T.Union([UnixTime, T.Null()]),
    joinedAt: UnixTime,
  },
  strict,
);
export type ChatMember = Static<typeof ChatMember>;

/** A draft kept on the server so that every device of the user shows it. */
export const Draft = T.Object(
  { text: T.String({ maxLength: MAX_MESSAGE_LENGTH }), replyToId: T.Union([Id, T.Null()]), date: UnixTime },
  strict,
);
export type Draft = Static<typeof Draft>;

/** A chat as it shows in one user's chat list. */
export const Chat = T.Object(
  {
    id: Id,
    type: ChatType,
    /** Private chats: the other member; the user themself for their saved messages. Else null. */
    peerUserId: T.Union([Id, T.Null()]),
    /** Groups and channels. */
    title: T.Union([T.String(), T.Null()]),
    about: T.String(),
    username: T.Union([T.String(), T.Null()]),
    memberCount: T.Integer({ minimum: 0 }),
    /** Groups and channels: the last number of the chat's own update sequence; 0 for private chats. */
    pts: T.Integer({ minimum: 0 }),
    topMessage: T.Union([Message, T.Null()]),
    unreadCount: T.Integer({ minimum: 0 }),
    /** Highest message id this user has read. */
    readInboxMaxId: T.Integer({ minimum: 0 }),
    /** Highest message id of this user's that the other side (anyone, in groups) has read. */
    readOutboxMaxId: T.Integer({ minimum: 0 }),
    /** The viewer's role; null when not a member (a public chat seen from outside). */
    myRole: T.Union([MemberRole, T.Null()]),
    myRights: T.Union([AdminRights, T.Null()]),
    /** Until when the viewer may not send here (restricted), if at all. */
    myMutedUntil: T.Union([UnixTime, T.Null()]),
    pinnedMessageId: T.Union([Id, T.Null()]),
    /** Groups: seconds a member waits between messages; 0 is off. */
    slowModeSeconds: T.Integer({ minimum: 0 }),
    /** Channels: posts carry the posting admin's name. */
    hasSignatures: T.Boolean(),
    /** Messages may not be forwarded out of this chat. */
    hasNoForwards: T.Boolean(),
    /** A channel's discussion group, or the channel a discussion group belongs to. */
    linkedChatId: T.Union([Id, T.Null()]),
    /** When the chat last had a message (or was made): the chat list's order, and its paging cursor with `id`. */
    lastActivityDate: UnixTime,
    /** Notifications off until then (the viewer's setting). */
    mutedUntil: T.Union([UnixTime, T.Null()]),
    draft: T.Union([Draft, T.Null()]),
    /** When the viewer pinned the chat to the top of their list (pinned chats come first, newest pin first); null when not pinned. */
    pinnedAt: T.Union([UnixTime, T.Null()]),
    /** Set when moderators blocked this public chat: it is out of search and links, and shows this notice instead. */
    blocked: T.Union([ChatBlock, T.Null()]),
  },
  strict,
);
export type Chat = Static<typeof Chat>;

/** An invite link to a group or channel. */
export const InviteLink = T.Object(
  {
    link: T.String(),
    /** The part after `/+`, which `chats.joinByLink` takes. */
    hash: T.String(),
    creatorId: Id,
    expireDate: T.Union([UnixTime, T.Null()]),
    usageLimit: T.Union([T.Integer({ minimum: 1 }), T.Null()]),
    usageCount: T.Integer({ minimum: 0 }),
    isRevoked: T.Boolean(),
  },
  strict,
);
export type InviteLink = Static<typeof InviteLink>;

/** A signed-in device of the user. */
export const Session = T.Object(
  {
    id: Id,
    deviceName: T.String(),
    createdAt: UnixTime,
    lastActiveAt: UnixTime,
    isCurrent: T.Boolean(),
  },
  strict,
);
export type Session = Static<typeof Session>;

/**
 * A change a user must see. Each carries `pts`: in a `update` frame the next number of the user's
 * own sequence, in a `chatUpdate` frame the next number of that group's or channel's sequence, so
 * every device can tell whether it missed one.
 */
export const Update = T.Union([
  T.Object({ type: T.Literal('newMessage'), pts: Id, message: Message }, strict),
  T.Object({ type: T.Literal('editMessage'), pts: Id, message: Message }, strict),
  /** Deleted for everyone (chat sequences and private chats) or, in the user's own sequence, for this user only. */
  T.Object({ type: T.Literal('deleteMessages'), pts: Id, chatId: Id, messageIds: T.Array(Id) }, strict),
  /** This user read the chat up to `maxId` (on any of their devices). */
  T.Object({ type: T.Literal('readHistoryInbox'), pts: Id, chatId: Id, maxId: Id }, strict),
  /** The other side (in groups: someone) read this chat's messages up to `maxId`. */
  T.Object({ type: T.Literal('readHistoryOutbox'), pts: Id, chatId: Id, maxId: Id }, strict),
  T.Object({ type: T.Literal('messageReactions'), pts: Id, chatId: Id, messageId: Id, reactions: T.Array(ReactionCount) }, strict),
  /** A message was pinned (or, with null, the pin removed). */
  T.Object({ type: T.Literal('pinnedMessage'), pts: Id, chatId: Id, messageId: T.Union([Id, T.Null()]) }, strict),
  /** The chat's title, about, username or settings changed: refetch it. */
  T.Object({ type: T.Literal('chatUpdated'), pts: Id, chatId: Id }, strict),
  /** A member joined, left, was added, removed, promoted or restricted; `member` is null once they are gone. */
  T.Object({ type: T.Literal('chatMember'), pts: Id, chatId: Id, userId: Id, member: T.Union([ChatMember, T.Null()]) }, strict),
  /**
   * User sequence: this user is now in the group or channel and should follow its sequence from
   * `chatPts` (the chat's number right after the join), so a device that learns of it late misses nothing.
   */
  T.Object({ type: T.Literal('chatJoined'), pts: Id, chatId: Id, chatPts: Id }, strict),
  /** User sequence: this user left or was removed; stop following the chat. */
  T.Object({ type: T.Literal('chatLeft'), pts: Id, chatId: Id }, strict),
  /** User sequence: the draft of a chat changed on one of the user's devices. */
  T.Object({ type: T.Literal('draft'), pts: Id, chatId: Id, draft: T.Union([Draft, T.Null()]) }, strict),
  /**
   * User sequence: the secret-chat devices of `userId` (a peer, or this user) changed: a device was
   * added or removed. Clients refetch `secret.getDevices` and show the safety number as changed.
   */
  T.Object({ type: T.Literal('secretDevicesChanged'), pts: Id, userId: Id }, strict),
  /** User sequence: notifications of a chat muted until a date, or unmuted (null). */
  T.Object({ type: T.Literal('chatMuted'), pts: Id, chatId: Id, mutedUntil: T.Union([UnixTime, T.Null()]) }, strict),
  /** User sequence: the chat was pinned to the top of the user's list at `pinnedAt`, or unpinned (null). */
  T.Object({ type: T.Literal('chatPinned'), pts: Id, chatId: Id, pinnedAt: T.Union([UnixTime, T.Null()]) }, strict),
]);
export type Update = Static<typeof Update>;
export type UpdateType = Update['type'];

/** What a user is doing in a chat, shown to the others for a few seconds. Not stored: ephemeral. */
export const ChatAction = T.Union([T.Literal('typing'), T.Literal('cancel')]);
export type ChatAction = Static<typeof ChatAction>;

/** A device's public keys for end-to-end sessions, as the crypto package makes them (base64 strings). */
export const SignedPrekey = T.Object({ id: T.Integer({ minimum: 0 }), publicKey: T.String({ maxLength: 4096 }), signature: T.String({ maxLength: 256 }) }, strict);
export const OneTimePrekey = T.Object({ id: T.Integer({ minimum: 0 }), publicKey: T.String({ maxLength: 256 }) }, strict);

/** One device of a user that can take part in secret chats. */
export const SecretDevice = T.Object({ deviceId: Id, userId: Id, identityKey: T.String(), registeredAt: UnixTime }, strict);
export type SecretDevice = Static<typeof SecretDevice>;

/** What an initiator needs to start a session with a device; the one-time prekey is handed out once. */
export const PrekeyBundle = T.Object(
  {
    deviceId: Id,
    userId: Id,
    identityKey: T.String(),
    signedPrekey: SignedPrekey,
    pqPrekey: SignedPrekey,
    oneTimePrekey: T.Union([OneTimePrekey, T.Null()]),
  },
  strict,
);
export type PrekeyBundle = Static<typeof PrekeyBundle>;

/** An end-to-end encrypted envelope for one device; `qts` is that device's own sequence. */
export const Envelope = T.Object(
  { qts: Id, senderUserId: Id, senderDeviceId: Id, ciphertext: T.String(), date: UnixTime },
  strict,
);
export type Envelope = Static<typeof Envelope>;

/** Whether a user is online, or when they were last seen, as far as their privacy lets the viewer know. */
export const UserStatus = T.Union([
  T.Object({ type: T.Literal('online'), expiresAt: UnixTime }, strict),
  T.Object({ type: T.Literal('offline'), lastSeenAt: UnixTime }, strict),
  T.Object({ type: T.Literal('hidden') }, strict),
]);
export type UserStatus = Static<typeof UserStatus>;

/** Where a user's sequence stands. */
export const UpdatesState = T.Object({ pts: T.Integer({ minimum: 0 }), date: UnixTime }, strict);
export type UpdatesState = Static<typeof UpdatesState>;
