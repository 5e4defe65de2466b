import { Type as T, type Static } from '@sinclair/typebox';
import { MAX_MESSAGE_LENGTH } from './version.ts';

const strict = { additionalProperties: false } as const;

/** A positive integer id (users, chats, sessions, messages within a chat). */
export const Id = T.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** Seconds since the Unix epoch, as Telegram sends dates. */
export const UnixTime = T.Integer({ minimum: 0 });

/** Who may see a user's phone number. */
export const PhoneVisibility = T.Union([T.Literal('everybody'), T.Literal('nobody')]);
export type PhoneVisibility = Static<typeof PhoneVisibility>;

/** A user as another user sees them: the phone only where its owner allows it, or to the owner. */
export const User = T.Object(
  {
    id: Id,
    displayName: T.String(),
    username: T.Union([T.String(), T.Null()]),
    phone: T.Union([T.String(), T.Null()]),
    isSelf: T.Boolean(),
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

/** One message. Ids count up from 1 within each chat, so history pages by id. */
export const Message = T.Object(
  {
    chatId: Id,
    id: Id,
    senderId: Id,
    date: UnixTime,
    text: T.String({ maxLength: MAX_MESSAGE_LENGTH }),
    randomId: T.String(),
  },
  strict,
);
export type Message = Static<typeof Message>;

/** A chat as it shows in one user's chat list. */
export const Chat = T.Object(
  {
    id: Id,
    type: T.Literal('private'),
    /** The other member of a private chat; the user themself for their saved messages. */
    peerUserId: Id,
    topMessage: T.Union([Message, T.Null()]),
    unreadCount: T.Integer({ minimum: 0 }),
    /** Highest message id this user has read. */
    readInboxMaxId: T.Integer({ minimum: 0 }),
    /** Highest message id of this user's that the other side has read. */
    readOutboxMaxId: T.Integer({ minimum: 0 }),
  },
  strict,
);
export type Chat = Static<typeof Chat>;

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
 * A change a user must see. Each carries `pts`, the next number of that user's sequence, so
 * every device can tell whether it missed one.
 */
export const Update = T.Union([
  T.Object({ type: T.Literal('newMessage'), pts: Id, message: Message }, strict),
  /** This user read the chat up to `maxId` (on any of their devices). */
  T.Object({ type: T.Literal('readHistoryInbox'), pts: Id, chatId: Id, maxId: Id }, strict),
  /** The other side read this user's messages up to `maxId`. */
  T.Object({ type: T.Literal('readHistoryOutbox'), pts: Id, chatId: Id, maxId: Id }, strict),
]);
export type Update = Static<typeof Update>;
export type UpdateType = Update['type'];

/** Where a user's sequence stands. */
export const UpdatesState = T.Object({ pts: T.Integer({ minimum: 0 }), date: UnixTime }, strict);
export type UpdatesState = Static<typeof UpdatesState>;
