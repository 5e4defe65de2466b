import { Type as T, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ChatAction, Envelope, Update, User, UserStatus, Id, UnixTime } from './entities.ts';
import { ERROR_CODES, type ErrorCode } from './errors.ts';
import { METHODS, type MethodName } from './methods.ts';

const strict = { additionalProperties: false } as const;
const RequestId = T.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** The first frame of every connection: which protocol the client speaks and, if it has one, its session token. */
export const HelloFrame = T.Object(
  {
    type: T.Literal('hello'),
    id: RequestId,
    protocolVersion: T.Integer(),
    token: T.Optional(T.String({ maxLength: 128 })),
  },
  strict,
);
export type HelloFrame = Static<typeof HelloFrame>;

/** A method call; `params` is checked against the method's own schema once the method is known. */
export const CallFrame = T.Object(
  { type: T.Literal('call'), id: RequestId, method: T.String({ maxLength: 64 }), params: T.Unknown() },
  strict,
);
export type CallFrame = Static<typeof CallFrame>;

/** Everything a client may send. */
export const ClientFrame = T.Union([HelloFrame, CallFrame]);
export type ClientFrame = Static<typeof ClientFrame>;

/** The server's answer to `hello`. `user` is null when the connection is not signed in. */
export const Welcome = T.Object(
  { protocolVersion: T.Integer(), serverTime: UnixTime, user: T.Union([User, T.Null()]), sessionId: T.Union([Id, T.Null()]) },
  strict,
);
export type Welcome = Static<typeof Welcome>;

export const ResultFrame = T.Object({ type: T.Literal('result'), id: RequestId, result: T.Unknown() }, strict);
export type ResultFrame = Static<typeof ResultFrame>;

const ErrorCodeSchema = T.Union(ERROR_CODES.map((code) => T.Literal(code)));

/** A typed failure; `id` is null when it answers no request (a frame that could not be read, a session ended). */
export const ErrorFrame = T.Object(
  {
    type: T.Literal('error'),
    id: T.Union([RequestId, T.Null()]),
    code: ErrorCodeSchema,
    message: T.String(),
    retryAfterSeconds: T.Optional(T.Integer({ minimum: 0 })),
  },
  strict,
);
export type ErrorFrame = Static<typeof ErrorFrame> & { code: ErrorCode };

/** An update pushed to every connected session of its user. */
export const UpdateFrame = T.Object({ type: T.Literal('update'), update: Update }, strict);
export type UpdateFrame = Static<typeof UpdateFrame>;

/** An update of a group's or channel's own sequence, pushed to its members that are online. */
export const ChatUpdateFrame = T.Object({ type: T.Literal('chatUpdate'), chatId: Id, update: Update }, strict);
export type ChatUpdateFrame = Static<typeof ChatUpdateFrame>;

/** Someone is typing in a chat; shown until `expiresAt` (6 s) unless renewed or cancelled. Not stored. */
export const TypingFrame = T.Object(
  { type: T.Literal('typing'), chatId: Id, userId: Id, action: ChatAction, expiresAt: UnixTime },
  strict,
);
export type TypingFrame = Static<typeof TypingFrame>;

/** A user's online status changed, as far as their privacy lets this user know. Not stored. */
export const PresenceFrame = T.Object({ type: T.Literal('presence'), userId: Id, status: UserStatus }, strict);
export type PresenceFrame = Static<typeof PresenceFrame>;

/** An end-to-end envelope pushed to the one device it is for. */
export const EnvelopeFrame = T.Object({ type: T.Literal('envelope'), envelope: Envelope }, strict);
export type EnvelopeFrame = Static<typeof EnvelopeFrame>;

/** This device's stock of one-time prekeys ran low: upload more. */
export const PrekeysLowFrame = T.Object({ type: T.Literal('prekeysLow'), remaining: T.Integer({ minimum: 0 }) }, strict);
export type PrekeysLowFrame = Static<typeof PrekeysLowFrame>;

/** Everything the server may send. */
export const ServerFrame = T.Union([ResultFrame, ErrorFrame, UpdateFrame, ChatUpdateFrame, TypingFrame, PresenceFrame, EnvelopeFrame, PrekeysLowFrame]);
export type ServerFrame = Static<typeof ServerFrame>;

const checkers = new Map<TSchema, TypeCheck<TSchema>>();

/** A compiled validator for `schema`, built once and reused. */
export function compiled<S extends TSchema>(schema: S): TypeCheck<S> {
  let checker = checkers.get(schema);
  if (checker === undefined) {
    checker = TypeCompiler.Compile(schema);
    checkers.set(schema, checker);
  }
  return checker as TypeCheck<S>;
}

/** Checks the parameters of a known method; returns a sentence naming the first fault, or null. */
export function paramsFault(method: MethodName, params: unknown): string | null {
  const checker = compiled(METHODS[method].params);
  if (checker.Check(params)) return null;
  const first = checker.Errors(params).First();
  return first === undefined ? 'Parameters are invalid' : `${first.path || 'params'}: ${first.message}`;
}

/** Checks a method's result (the SDK does so before trusting one). */
export function resultFault(method: MethodName, result: unknown): string | null {
  const checker = compiled(METHODS[method].result);
  if (checker.Check(result)) return null;
  const first = checker.Errors(result).First();
  return first === undefined ? 'Result is invalid' : `${first.path || 'result'}: ${first.message}`;
}

/** Parses a frame of text into a client frame, or returns why it cannot. */
export function parseClientFrame(text: string): { frame: ClientFrame } | { fault: string; id: number | null } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { fault: 'Cannot parse frame: not valid JSON', id: null };
  }
  if (compiled(ClientFrame).Check(value)) return { frame: value };
  const id =
    typeof value === 'object' && value !== null && 'id' in value && compiled(RequestId).Check(value.id)
      ? value.id
      : null;
  const first = compiled(ClientFrame).Errors(value).First();
  return { fault: `Cannot read frame: ${first ? `${first.path || 'frame'} ${first.message}` : 'unknown shape'}`, id };
}

/** Parses a frame of text into a server frame, or returns why it cannot. */
export function parseServerFrame(text: string): { frame: ServerFrame } | { fault: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { fault: 'Cannot parse server frame: not valid JSON' };
  }
  if (compiled(ServerFrame).Check(value)) return { frame: value };
  const first = compiled(ServerFrame).Errors(value).First();
  return { fault: `Cannot read server frame: ${first ? `${first.path} ${first.message}` : 'unknown shape'}` };
}
