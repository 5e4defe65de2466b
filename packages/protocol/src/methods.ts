import { Type as T, type Static, type TSchema } from '@sinclair/typebox';
import { Chat, Id, Message, Peer, PhoneVisibility, Session, Update, UpdatesState, User, UnixTime } from './entities.ts';
import { MAX_DIFFERENCE_SLICE } from './version.ts';

const strict = { additionalProperties: false } as const;
const Empty = T.Object({}, strict);
const Ok = T.Object({ ok: T.Literal(true) }, strict);
const Phone = T.String({ minLength: 1, maxLength: 32 });
const PhoneCodeHash = T.String({ minLength: 1, maxLength: 64 });
const PhoneCode = T.String({ minLength: 1, maxLength: 16 });
const DeviceName = T.String({ maxLength: 128 });
const DisplayName = T.String({ maxLength: 256 });

/** The answer to a successful sign-in or sign-up: this device's session token, shown once. */
export const Authorization = T.Object(
  { type: T.Literal('authorization'), token: T.String(), sessionId: Id, user: User },
  strict,
);
export type Authorization = Static<typeof Authorization>;

function method<P extends TSchema, R extends TSchema>(params: P, result: R) {
  return { params, result };
}

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
    T.Object({ phoneVisibility: PhoneVisibility }, strict),
    T.Object({ phoneVisibility: PhoneVisibility }, strict),
  ),
  'users.getSelf': method(Empty, T.Object({ user: User }, strict)),
  'users.getUsers': method(
    T.Object({ userIds: T.Array(Id, { minItems: 1, maxItems: 100 }) }, strict),
    T.Object({ users: T.Array(User) }, strict),
  ),
  'users.resolveUsername': method(T.Object({ username: T.String({ maxLength: 64 }) }, strict), T.Object({ user: User }, strict)),
  'users.resolvePhone': method(T.Object({ phone: Phone }, strict), T.Object({ user: User }, strict)),
  'messages.send': method(
    T.Object(
      { peer: Peer, text: T.String({ maxLength: 65_536 }), randomId: T.String({ maxLength: 128 }) },
      strict,
    ),
    T.Object({ message: Message, pts: Id }, strict),
  ),
  'messages.getHistory': method(
    T.Object(
      {
        peer: Peer,
        /** Return messages with ids below this one; omit for the newest. */
        offsetId: T.Optional(Id),
        limit: T.Optional(T.Integer({ minimum: 1, maximum: 100 })),
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
    /** The `readHistoryInbox` update this read caused, or null when it moved nothing. */
    T.Object({ update: T.Union([Update, T.Null()]) }, strict),
  ),
  'updates.getState': method(Empty, UpdatesState),
  'updates.getDifference': method(
    T.Object(
      { pts: T.Integer({ minimum: 0 }), limit: T.Optional(T.Integer({ minimum: 1, maximum: MAX_DIFFERENCE_SLICE })) },
      strict,
    ),
    T.Union([
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
    ]),
  ),
} as const;

export type MethodName = keyof typeof METHODS;
export type MethodParams<M extends MethodName> = Static<(typeof METHODS)[M]['params']>;
export type MethodResult<M extends MethodName> = Static<(typeof METHODS)[M]['result']>;
export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

/** Is `value` the name of a method? */
export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.hasOwn(METHODS, value);
}

