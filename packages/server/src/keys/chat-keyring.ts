import { hkdfSync } from 'node:crypto';
import { open, randomKey, seal } from './sealing.ts';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** How many unwrapped chat keys stay in memory; the rest are unwrapped again when needed. */
const CACHE_LIMIT = 50_000;

/**
 * Makes, wraps and unwraps per-chat data keys. Each chat's text is sealed under its own random key;
 * only that key, wrapped by the master key, is stored beside the chat.
 */
export class ChatKeyring {
  readonly #masterKey: Uint8Array;
  readonly #evidenceKey: Uint8Array;
  readonly #secretsKey: Uint8Array;
  readonly #cache = new Map<number, Uint8Array>();

  constructor(masterKey: Uint8Array) {
    if (masterKey.length !== 32) throw new Error(`Cannot use master key: ${masterKey.length} bytes, need 32`);
    this.#masterKey = masterKey;
    // A key of its own for reported content, so evidence is never sealed under a chat's key nor the master key itself.
    this.#evidenceKey = new Uint8Array(hkdfSync('sha256', masterKey, new Uint8Array(0), 'samizdat/report-evidence', 32));
    this.#secretsKey = new Uint8Array(hkdfSync('sha256', masterKey, new Uint8Array(0), 'samizdat/server-secrets', 32));
  }

  /** A new data key, wrapped for storage with the chat row. */
  newWrappedKey(): Uint8Array {
    return seal(this.#masterKey, randomKey(), 'samizdat/chat-key');
  }

  /** The data key of `chatId`, from its wrapped form. */
  chatKey(chatId: number, wrapped: Uint8Array): Uint8Array {
    let key = this.#cache.get(chatId);
    if (key === undefined) {
      key = open(this.#masterKey, wrapped, 'samizdat/chat-key');
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(chatId, key);
    }
    return key;
  }

  sealText(key: Uint8Array, where: { chatId: number; messageId: number }, text: string): Uint8Array {
    return seal(key, utf8Encoder.encode(text), `samizdat/message/${where.chatId}/${where.messageId}`);
  }

  openText(key: Uint8Array, where: { chatId: number; messageId: number }, sealed: Uint8Array): string {
    return utf8Decoder.decode(open(key, sealed, `samizdat/message/${where.chatId}/${where.messageId}`));
  }

  /**
   * Seals what a report carries of a chat a moderator could not otherwise read (a message of a
   * private chat or group), so a copy of the database does not show it. `context` names the report.
   */
  sealEvidence(context: string, plaintext: string): Uint8Array {
    return seal(this.#evidenceKey, utf8Encoder.encode(plaintext), `samizdat/report-evidence/${context}`);
  }

  openEvidence(context: string, sealed: Uint8Array): string {
    return utf8Decoder.decode(open(this.#evidenceKey, sealed, `samizdat/report-evidence/${context}`));
  }

  /**
   * Seals a secret the server must give back later (a bot's token for its owner, a webhook's
   * secret token), so a copy of the database does not hold it in the clear.
   */
  sealSecret(context: string, plaintext: string): Uint8Array {
    return seal(this.#secretsKey, utf8Encoder.encode(plaintext), `samizdat/secret/${context}`);
  }

  openSecret(context: string, sealed: Uint8Array): string {
    return utf8Decoder.decode(open(this.#secretsKey, sealed, `samizdat/secret/${context}`));
  }
}
