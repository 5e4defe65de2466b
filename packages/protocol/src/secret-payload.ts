/**
 * What travels INSIDE a secret chat's end-to-end envelopes: a format between clients only. The
 * server never sees it (it relays ciphertext), but every client validates each decrypted payload
 * against this schema before use, as it would a frame from the network.
 *
 * @module
 */
import { Type as T, type Static } from '@sinclair/typebox';
import { Id, MediaKind, MessageEntity } from './entities.ts';
import { compiled } from './frames.ts';
import { MAX_MESSAGE_LENGTH } from './version.ts';

const strict = { additionalProperties: false } as const;

/** Version of the payload format. */
export const SECRET_PAYLOAD_VERSION = 1;

/** Self-destruct timers a secret chat may be set to, in seconds (0: off): 5 s to 1 week. */
export const SECRET_TTL_SECONDS_MIN = 5;
export const SECRET_TTL_SECONDS_MAX = 7 * 24 * 3600;

/** A secret message's id: chosen by its sender, random, the same on every device. */
export const SecretMessageId = T.String({ pattern: '^[A-Za-z0-9_-]{16,32}$' });

/** A file encrypted on the client: the key that opens it travels only here, inside the envelope. */
export const SecretFile = T.Object(
  {
    /** The server's id of the uploaded ciphertext. */
    fileId: T.String({ maxLength: 64 }),
    /**
     * The 32-byte file key, base64 (see `@samizdat/crypto` file cipher). Fresh per file, it also
     * authenticates every chunk, their order and the end, so no separate hash is needed.
     */
    key: T.String({ minLength: 44, maxLength: 44 }),
    /** Size of the plaintext in bytes. */
    size: T.Integer({ minimum: 0 }),
    name: T.String({ maxLength: 255 }),
    mimeType: T.String({ maxLength: 255 }),
    kind: MediaKind,
  },
  strict,
);
export type SecretFile = Static<typeof SecretFile>;

const Ttl = T.Union([T.Literal(0), T.Integer({ minimum: SECRET_TTL_SECONDS_MIN, maximum: SECRET_TTL_SECONDS_MAX })]);

/** One change to a secret chat. */
export const SecretBody = T.Union([
  T.Object(
    {
      type: T.Literal('message'),
      id: SecretMessageId,
      text: T.String({ maxLength: MAX_MESSAGE_LENGTH }),
      entities: T.Optional(T.Array(MessageEntity, { maxItems: 100 })),
      replyToId: T.Optional(SecretMessageId),
      file: T.Optional(SecretFile),
      /** The chat's self-destruct timer when it was sent; the countdown starts once the peer reads it. */
      ttlSeconds: Ttl,
    },
    strict,
  ),
  T.Object({ type: T.Literal('edit'), id: SecretMessageId, text: T.String({ maxLength: MAX_MESSAGE_LENGTH }), entities: T.Optional(T.Array(MessageEntity, { maxItems: 100 })) }, strict),
  T.Object({ type: T.Literal('delete'), ids: T.Array(SecretMessageId, { minItems: 1, maxItems: 100 }) }, strict),
  /** The sender's reaction to a message; null takes it back. */
  T.Object({ type: T.Literal('reaction'), id: SecretMessageId, emoji: T.Union([T.String({ minLength: 1, maxLength: 16 }), T.Null()]) }, strict),
  T.Object({ type: T.Literal('timer'), ttlSeconds: Ttl }, strict),
  /** The sender read these messages of the peer: their self-destruct countdown starts. */
  T.Object({ type: T.Literal('read'), ids: T.Array(SecretMessageId, { minItems: 1, maxItems: 500 }) }, strict),
]);
export type SecretBody = Static<typeof SecretBody>;

/** The plaintext of one envelope. */
export const SecretPayload = T.Object(
  {
    v: T.Literal(SECRET_PAYLOAD_VERSION),
    /**
     * The other user of the chat, from the sender's side. The sender's own other devices learn the
     * chat from it; the peer checks it names them.
     */
    chatWith: Id,
    /** When the sender made it, in milliseconds since the epoch (the sender's clock). */
    sentAt: T.Integer({ minimum: 0 }),
    body: SecretBody,
  },
  strict,
);
export type SecretPayload = Static<typeof SecretPayload>;

/** Parses and validates a decrypted payload. */
export function parseSecretPayload(text: string): { payload: SecretPayload } | { fault: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { fault: 'Cannot read secret payload: not JSON' };
  }
  if (compiled(SecretPayload).Check(value)) return { payload: value };
  const first = compiled(SecretPayload).Errors(value).First();
  return { fault: `Cannot read secret payload: ${first ? `${first.path || '/'} ${first.message}` : 'invalid'}` };
}
