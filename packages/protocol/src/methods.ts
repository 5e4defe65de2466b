import { Type as T, type Static } from '@sinclair/typebox';
import { AdminRights, BotCommand, Chat, ChatAction, ChatMember, ChatType, Envelope, FileInfo, Id, MediaKind, OneTimePrekey, SignedPrekey, SecretDevice, PrekeyBundle, InviteLink, LastSeenVisibility, Message, MessageEntity, Peer, PhoneVisibility, Session, Update, UpdatesState, User, UserStatus, UnixTime } from './entities.ts';
import { method } from './method-schema.ts';
import { SAFETY_METHODS } from './safety.ts';
import { MAX_DIFFERENCE_SLICE, MAX_FILE_PART_BYTES, MAX_MESSAGE_LENGTH } from './version.ts';

const strict = { additionalProperties: false } as const;
const Empty = T.Object({}, strict);
const Ok = T.Object({ ok: T.Literal(true) }, strict);
const Phone = T.String({ minLength: 1, maxLength: 32 });
const PhoneCodeHash = T.String({ minLength: 1, maxLength: 64 });
const PhoneCode = T.String({ minLength: 1, maxLength: 16 });
const DeviceName = T.String({ maxLength: 128 });
const DisplayName = T.String({ maxLength: 256 });

/**
 * An update a call caused, with the sequence it belongs to: the caller's own (`chatId` null) or a
 * group's or channel's. The acting device applies these at once instead of waiting for the push.
 */
export const SequencedUpdate = T.Object({ chatId: T.Union([Id, T.Null()]), update: Update }, strict);
export type SequencedUpdate = Static<typeof SequencedUpdate>;
const Updates = T.Object({ updates: T.Array(SequencedUpdate) }, strict);
const Entities = T.Array(MessageEntity, { maxItems: 100 });
const Text = T.String({ maxLength: 65_536 });
const Title = T.String({ maxLength: 256 });
const About = T.String({ maxLength: 1024 });
const Username = T.String({ maxLength: 64 });
const ChatIdParams = T.Object({ chatId: Id }, strict);
const ChatResult = T.Object({ chat: Chat, users: T.Array(User), updates: T.Array(SequencedUpdate) }, strict);
/** A file to attach to a message. */
export const InputMedia = T.Object(
  {
    fileId: T.String({ maxLength: 64 }),
    kind: MediaKind,
    width: T.Optional(T.Integer({ minimum: 0, maximum: 100_000 })),
    height: T.Optional(T.Integer({ minimum: 0, maximum: 100_000 })),
    duration: T.Optional(T.Number({ minimum: 0, maximum: 1e7 })),
    waveform: T.Optional(T.String({ maxLength: 200 })),
  },
  strict,
);
export type InputMedia = Static<typeof InputMedia>;

/** An upload in progress: parts are sent by HTTP `PUT /files/uploads/<uploadId>/<index>`. */
const UploadState = T.Object(
  {
    uploadId: T.String(),
    size: T.Integer(),
    partSize: T.Integer(),
    partCount: T.Integer(),
    /** Indexes of the parts stored so far. */
    receivedParts: T.Array(T.Integer()),
    expiresAt: UnixTime,
  },
  strict,
);

const DifferenceResult = T.Union([
  T.Object(
    {
      type: T.Literal('difference'),
      updates: T.Array(Update),
      users: T.Array(User),
      state: UpdatesState,
      /** False when more updates wait: ask again from `state.pts`. */
      isFinal: T.Boolean(),
    },
    strict,
  ),
  T.Object({ type: T.Literal('tooLong'), state: UpdatesState }, strict),
]);

/** The answer to a successful sign-in or sign-up: this device's session token, shown once. */
export const Authorization = T.Object(
  { type: T.Literal('authorization'), token: T.String(), sessionId: Id, user: User },
  strict,
);
export type Authorization = Static<typeof Authorization>;


/**
 * Every method a client can call, with its parameter and result schemas. The server's handlers and
 * the SDK's `call` are both typed from this one map.
 */
export const METHODS = {
  'auth.sendCode': method(
    T.Object({ phone: Phone }, strict),
    T.Object({ phoneCodeHash: T.String(), timeoutSeconds: T.Integer() }, strict),
  ),
  'auth.signIn': method(
    T.Object({ phone: Phone, phoneCodeHash: PhoneCodeHash, code: PhoneCode, deviceName: T.Optional(DeviceName) }, strict),
    T.Union([Authorization, T.Object({ type: T.Literal('signUpRequired') }, strict)]),
  ),
  'auth.signUp': method(
    T.Object(
      {
        phone: Phone,
        phoneCodeHash: PhoneCodeHash,
        code: PhoneCode,
        displayName: DisplayName,
        deviceName: T.Optional(DeviceName),
      },
      strict,
    ),
    Authorization,
  ),
  'auth.logOut': method(Empty, Ok),
  'account.getSessions': method(Empty, T.Object({ sessions: T.Array(Session) }, strict)),
  'account.terminateSession': method(T.Object({ sessionId: Id }, strict), Ok),
  'account.updateProfile': method(T.Object({ displayName: DisplayName }, strict), T.Object({ user: User }, strict)),
  'account.setUsername': method(
    T.Object({ username: T.Union([T.String({ maxLength: 64 }), T.Null()]) }, strict),
    T.Object({ user: User }, strict),
  ),
  'account.setPrivacy': method(
    T.Object({ phoneVisibility: T.Optional(PhoneVisibility), lastSeenVisibility: T.Optional(LastSeenVisibility) }, strict),
    T.Object({ phoneVisibility: PhoneVisibility, lastSeenVisibility: LastSeenVisibility }, strict),
  ),
  'users.getSelf': method(Empty, T.Object({ user: User }, strict)),
  'users.getUsers': method(
    T.Object({ userIds: T.Array(Id, { minItems: 1, maxItems: 100 }) }, strict),
    T.Object({ users: T.Array(User) }, strict),
  ),
  'users.resolveUsername': method(T.Object({ username: T.String({ maxLength: 64 }) }, strict), T.Object({ user: User }, strict)),
  /** Makes a bot owned by the caller; `token` (shown once) is what its program passes to the Bot API. */
  'bots.create': method(
    T.Object({ username: Username, displayName: DisplayName }, strict),
    T.Object({ user: User, token: T.String() }, strict),
  ),
  /** Replaces the token of a bot of the caller's; the old one stops working at once. */
  'bots.revokeToken': method(T.Object({ botId: Id }, strict), T.Object({ token: T.String() }, strict)),
  /** The bots the caller owns. */
  'bots.getMine': method(Empty, T.Object({ bots: T.Array(User) }, strict)),
  /** What a bot shows a user: its command menu and description. */
  'bots.getInfo': method(
    T.Object({ botId: Id }, strict),
    T.Object({ commands: T.Array(BotCommand), description: T.String() }, strict),
  ),
  /**
   * Presses an inline button with callback data under a bot's message: the bot gets a callback
   * query, and its answer (a notice, an alert or a URL to open) comes back, or BOT_RESPONSE_TIMEOUT.
   */
  'messages.getBotCallbackAnswer': method(
    T.Object({ peer: Peer, messageId: Id, data: T.String({ minLength: 1, maxLength: 64 }) }, strict),
    T.Object({ message: T.Union([T.String(), T.Null()]), alert: T.Boolean(), url: T.Union([T.String(), T.Null()]) }, strict),
  ),
  'users.resolvePhone': method(T.Object({ phone: Phone }, strict), T.Object({ user: User }, strict)),
  'messages.send': method(
    T.Object(
      {
        peer: Peer,
        text: Text,
        randomId: T.String({ maxLength: 128 }),
        replyToId: T.Optional(Id),
        entities: T.Optional(Entities),
        /** A file uploaded with `files.completeUpload`; `text` is then its caption (may be empty). */
        media: T.Optional(InputMedia),
      },
      strict,
    ),
    T.Object({ message: Message, updates: T.Array(SequencedUpdate) }, strict),
  ),
  'messages.forward': method(
    T.Object(
      {
        fromPeer: Peer,
        messageIds: T.Array(Id, { minItems: 1, maxItems: 100 }),
        toPeer: Peer,
        /** One idempotency key per forwarded message, in the same order. */
        randomIds: T.Array(T.String({ maxLength: 128 }), { minItems: 1, maxItems: 100 }),
      },
      strict,
    ),
    T.Object({ messages: T.Array(Message), updates: T.Array(SequencedUpdate) }, strict),
  ),
  'messages.edit': method(
    T.Object({ peer: Peer, messageId: Id, text: Text, entities: T.Optional(Entities) }, strict),
    T.Object({ message: Message, updates: T.Array(SequencedUpdate) }, strict),
  ),
  'messages.delete': method(
    T.Object({ peer: Peer, messageIds: T.Array(Id, { minItems: 1, maxItems: 100 }), forEveryone: T.Boolean() }, strict),
    Updates,
  ),
  'messages.react': method(
    T.Object({ peer: Peer, messageId: Id, emoji: T.Union([T.String({ minLength: 1, maxLength: 16 }), T.Null()]) }, strict),
    Updates,
  ),
  'messages.pin': method(
    T.Object({ peer: Peer, messageId: T.Union([Id, T.Null()]), isSilent: T.Optional(T.Boolean()) }, strict),
    Updates,
  ),
  'messages.getReadParticipants': method(
    T.Object({ peer: Peer, messageId: Id }, strict),
    /** `userIds` only in chats of up to 100 members; `count` always. */
    T.Object({ userIds: T.Union([T.Array(Id), T.Null()]), count: T.Integer({ minimum: 0 }) }, strict),
  ),
  'messages.setTyping': method(T.Object({ peer: Peer, action: ChatAction }, strict), Ok),
  'messages.saveDraft': method(
    T.Object({ peer: Peer, text: T.String({ maxLength: MAX_MESSAGE_LENGTH }), replyToId: T.Optional(Id) }, strict),
    Updates,
  ),
  /** Pins a chat to the top of the user's own list (at most MAX_PINNED_CHATS), or unpins it, on every device. */
  'messages.setChatPinned': method(T.Object({ chatId: Id, pinned: T.Boolean() }, strict), Updates),
  'messages.search': method(
    T.Object(
      { peer: Peer, query: T.String({ minLength: 1, maxLength: 256 }), offsetId: T.Optional(Id), limit: T.Optional(T.Integer({ minimum: 1, maximum: 100 })) },
      strict,
    ),
    T.Object({ messages: T.Array(Message), users: T.Array(User) }, strict),
  ),
  'messages.getViews': method(
    T.Object({ peer: Peer, messageIds: T.Array(Id, { minItems: 1, maxItems: 100 }), increment: T.Boolean() }, strict),
    T.Object({ views: T.Array(T.Object({ messageId: Id, views: T.Integer({ minimum: 0 }) }, strict)) }, strict),
  ),
  'messages.getDiscussion': method(
    T.Object({ peer: Peer, messageId: Id }, strict),
    /** The discussion group and the message there whose replies are the post's comments. */
    T.Object({ chatId: Id, messageId: Id }, strict),
  ),
  'messages.getHistory': method(
    T.Object(
      {
        peer: Peer,
        /** Return messages with ids below this one; omit for the newest. */
        offsetId: T.Optional(Id),
        limit: T.Optional(T.Integer({ minimum: 1, maximum: 100 })),
        /** Only the replies to this message (a comment thread). */
        threadId: T.Optional(Id),
      },
      strict,
    ),
    T.Object({ messages: T.Array(Message), users: T.Array(User) }, strict),
  ),
  'messages.getChats': method(
    T.Object(
      {
        /** Return chats whose last activity is older than this date (and id, for ties). */
        offsetDate: T.Optional(UnixTime),
        offsetChatId: T.Optional(Id),
        limit: T.Optional(T.Integer({ minimum: 1, maximum: 500 })),
      },
      strict,
    ),
    T.Object({ chats: T.Array(Chat), users: T.Array(User) }, strict),
  ),
  'messages.readHistory': method(
    T.Object({ peer: Peer, maxId: Id }, strict),
    /** The `readHistoryInbox` update this read caused; none when it moved nothing. */
    Updates,
  ),
  'chats.createGroup': method(
    T.Object({ title: Title, userIds: T.Array(Id, { maxItems: 200 }) }, strict),
    ChatResult,
  ),
  'chats.createChannel': method(
    T.Object({ title: Title, about: T.Optional(About), username: T.Optional(Username) }, strict),
    ChatResult,
  ),
  'chats.get': method(ChatIdParams, T.Object({ chat: Chat, users: T.Array(User) }, strict)),
  'chats.editInfo': method(T.Object({ chatId: Id, title: T.Optional(Title), about: T.Optional(About) }, strict), Updates),
  'chats.setUsername': method(T.Object({ chatId: Id, username: T.Union([Username, T.Null()]) }, strict), Updates),
  'chats.setSettings': method(
    T.Object(
      {
        chatId: Id,
        slowModeSeconds: T.Optional(T.Integer({ minimum: 0, maximum: 3600 })),
        hasSignatures: T.Optional(T.Boolean()),
        hasNoForwards: T.Optional(T.Boolean()),
      },
      strict,
    ),
    Updates,
  ),
  'chats.setLinkedChat': method(T.Object({ chatId: Id, linkedChatId: T.Union([Id, T.Null()]) }, strict), Updates),
  'chats.addMembers': method(T.Object({ chatId: Id, userIds: T.Array(Id, { minItems: 1, maxItems: 200 }) }, strict), Updates),
  'chats.removeMember': method(T.Object({ chatId: Id, userId: Id }, strict), Updates),
  'chats.ban': method(T.Object({ chatId: Id, userId: Id, untilDate: T.Union([UnixTime, T.Null()]) }, strict), Updates),
  'chats.unban': method(T.Object({ chatId: Id, userId: Id }, strict), Updates),
  'chats.restrict': method(T.Object({ chatId: Id, userId: Id, mutedUntil: T.Union([UnixTime, T.Null()]) }, strict), Updates),
  'chats.setAdmin': method(T.Object({ chatId: Id, userId: Id, rights: T.Union([AdminRights, T.Null()]) }, strict), Updates),
  'chats.leave': method(ChatIdParams, Updates),
  'chats.join': method(ChatIdParams, ChatResult),
  'chats.resolveUsername': method(T.Object({ username: Username }, strict), T.Object({ chat: Chat }, strict)),
  'chats.exportInviteLink': method(
    T.Object({ chatId: Id, expireDate: T.Optional(UnixTime), usageLimit: T.Optional(T.Integer({ minimum: 1, maximum: 1_000_000 })) }, strict),
    T.Object({ invite: InviteLink }, strict),
  ),
  'chats.revokeInviteLink': method(T.Object({ chatId: Id, hash: T.String({ maxLength: 64 }) }, strict), T.Object({ invite: InviteLink }, strict)),
  'chats.getInviteLinks': method(ChatIdParams, T.Object({ invites: T.Array(InviteLink) }, strict)),
  'chats.checkInviteLink': method(
    T.Object({ hash: T.String({ maxLength: 64 }) }, strict),
    T.Object({ chatId: T.Union([Id, T.Null()]), type: ChatType, title: T.String(), about: T.String(), memberCount: T.Integer() }, strict),
  ),
  'chats.joinByLink': method(T.Object({ hash: T.String({ maxLength: 64 }) }, strict), ChatResult),
  'chats.getMembers': method(
    T.Object(
      {
        chatId: Id,
        filter: T.Optional(T.Union([T.Literal('all'), T.Literal('admins'), T.Literal('banned')])),
        offset: T.Optional(T.Integer({ minimum: 0 })),
        limit: T.Optional(T.Integer({ minimum: 1, maximum: 200 })),
      },
      strict,
    ),
    T.Object({ members: T.Array(ChatMember), users: T.Array(User), count: T.Integer({ minimum: 0 }) }, strict),
  ),
  'chats.search': method(
    T.Object({ query: T.String({ minLength: 1, maxLength: 64 }), limit: T.Optional(T.Integer({ minimum: 1, maximum: 50 })) }, strict),
    T.Object({ chats: T.Array(Chat), users: T.Array(User) }, strict),
  ),
  'account.setMute': method(T.Object({ peer: Peer, mutedUntil: T.Union([UnixTime, T.Null()]) }, strict), Updates),
  'contacts.add': method(T.Object({ userId: Id }, strict), Ok),
  'contacts.remove': method(T.Object({ userId: Id }, strict), Ok),
  'contacts.list': method(Empty, T.Object({ users: T.Array(User) }, strict)),
  'users.getStatuses': method(
    T.Object({ userIds: T.Array(Id, { minItems: 1, maxItems: 100 }) }, strict),
    T.Object({ statuses: T.Array(T.Object({ userId: Id, status: UserStatus }, strict)) }, strict),
  ),
  'updates.getChatDifference': method(
    T.Object({ chatId: Id, pts: T.Integer({ minimum: 0 }), limit: T.Optional(T.Integer({ minimum: 1, maximum: MAX_DIFFERENCE_SLICE })) }, strict),
    DifferenceResult,
  ),
  'files.startUpload': method(
    T.Object(
      {
        size: T.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
        /** A power of two from 1 KiB to 512 KiB. */
        partSize: T.Integer({ minimum: 1, maximum: 1 << 30 }),
        name: T.Optional(T.String({ maxLength: 255 })),
        mimeType: T.Optional(T.String({ maxLength: 127 })),
      },
      strict,
    ),
    UploadState,
  ),
  /** Where an upload stands: which parts the server has (to resume after a lost connection). */
  'files.getUpload': method(T.Object({ uploadId: T.String({ maxLength: 64 }) }, strict), UploadState),
  'files.completeUpload': method(
    T.Object({ uploadId: T.String({ maxLength: 64 }), sha256: T.String({ minLength: 64, maxLength: 64 }) }, strict),
    T.Object({ file: FileInfo }, strict),
  ),
  /** A slice of a file over the protocol; HTTP `GET /files/<id>` with Range does the same for players. */
  'files.getPart': method(
    T.Object({ fileId: T.String({ maxLength: 64 }), offset: T.Integer({ minimum: 0 }), limit: T.Integer({ minimum: 1, maximum: MAX_FILE_PART_BYTES }) }, strict),
    T.Object({ bytes: T.String(), size: T.Integer({ minimum: 0 }) }, strict),
  ),
  /** Lets these users read a file you uploaded: how a secret chat's encrypted attachment reaches the peer. */
  'files.grantAccess': method(T.Object({ fileId: T.String({ maxLength: 64 }), userIds: T.Array(Id, { minItems: 1, maxItems: 10 }) }, strict), Empty),
  /** Makes this session's device a secret-chat device with these public keys (again: replaces them). */
  'secret.registerDevice': method(
    T.Object(
      {
        identityKey: T.String({ minLength: 1, maxLength: 256 }),
        signedPrekey: SignedPrekey,
        pqPrekey: SignedPrekey,
        oneTimePrekeys: T.Array(OneTimePrekey, { maxItems: 100 }),
      },
      strict,
    ),
    T.Object({ deviceId: Id, oneTimePrekeyCount: T.Integer({ minimum: 0 }) }, strict),
  ),
  'secret.uploadPrekeys': method(
    T.Object({ oneTimePrekeys: T.Array(OneTimePrekey, { minItems: 1, maxItems: 100 }) }, strict),
    T.Object({ oneTimePrekeyCount: T.Integer({ minimum: 0 }) }, strict),
  ),
  'secret.getDevices': method(T.Object({ userId: Id }, strict), T.Object({ devices: T.Array(SecretDevice) }, strict)),
  'secret.getBundle': method(T.Object({ deviceId: Id }, strict), T.Object({ bundle: PrekeyBundle }, strict)),
  /**
   * Queues ciphertext for single devices. With `cover`, the server checks that `cover.deviceIds`
   * are exactly the current devices of `cover.userIds` (bar the sender's own), else answers
   * `SECRET_DEVICES_CHANGED`: a device added a moment ago is never left out unnoticed. A fan-out
   * split over several calls sends the same `cover` with each.
   */
  'secret.sendEnvelopes': method(
    T.Object(
      {
        envelopes: T.Array(T.Object({ deviceId: Id, ciphertext: T.String({ minLength: 1, maxLength: 48 * 1024 }) }, strict), { minItems: 1, maxItems: 20 }),
        cover: T.Optional(T.Object({ userIds: T.Array(Id, { minItems: 1, maxItems: 2 }), deviceIds: T.Array(Id, { maxItems: 500 }) }, strict)),
      },
      strict,
    ),
    T.Object({ count: T.Integer({ minimum: 0 }) }, strict),
  ),
  /** The envelopes waiting for this device, oldest first; they stay until acknowledged. */
  'secret.getEnvelopes': method(
    T.Object({ limit: T.Optional(T.Integer({ minimum: 1, maximum: 500 })) }, strict),
    T.Object({ envelopes: T.Array(Envelope) }, strict),
  ),
  /** Deletes this device's envelopes up to `qts`: the server keeps none once delivered. */
  'secret.ack': method(T.Object({ qts: T.Integer({ minimum: 0 }) }, strict), T.Object({ deleted: T.Integer({ minimum: 0 }) }, strict)),
  'updates.getState': method(Empty, UpdatesState),
  'updates.getDifference': method(
    T.Object(
      { pts: T.Integer({ minimum: 0 }), limit: T.Optional(T.Integer({ minimum: 1, maximum: MAX_DIFFERENCE_SLICE })) },
      strict,
    ),
    DifferenceResult,
  ),
  ...SAFETY_METHODS,
} as const;

export type MethodName = keyof typeof METHODS;
export type MethodParams<M extends MethodName> = Static<(typeof METHODS)[M]['params']>;
export type MethodResult<M extends MethodName> = Static<(typeof METHODS)[M]['result']>;
export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

/** Is `value` the name of a method? */
export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.hasOwn(METHODS, value);
}

