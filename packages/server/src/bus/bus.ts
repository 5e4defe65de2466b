import type { EnvelopeFrame, PrekeysLowFrame, PresenceFrame, TypingFrame, Update } from '@samizdat/protocol';

/**
 * What travels on the bus. On a user's topic (`user.<id>`): an update of their sequence, word that
 * one of their sessions was ended, or an ephemeral frame for them. On a chat's topic (`chat.<id>`):
 * an update of that group's or channel's sequence, or someone typing there.
 */
export type BusEvent =
  | { kind: 'update'; update: Update }
  | { kind: 'chatUpdate'; chatId: number; update: Update }
  | { kind: 'sessionTerminated'; sessionId: number }
  | { kind: 'typing'; frame: TypingFrame }
  | { kind: 'presence'; frame: PresenceFrame }
  /** On the device's user's topic, for that one device (session) alone: one topic less per connection. */
  | { kind: 'envelope'; deviceId: number; frame: EnvelopeFrame }
  | { kind: 'prekeysLow'; deviceId: number; frame: PrekeysLowFrame }
  /** On a bot's topic (`bot.<id>`): new updates wait for it (wakes long polls and the webhook sender). */
  | { kind: 'botUpdates' }
  /** On a bot's topic: a getUpdates poll began (on some worker); any other open poll of the bot ends with 409. */
  | { kind: 'botPoll'; pollId: string }
  /** On `webhooks`: a bot's webhook was set or removed; the process that sends webhooks restarts that bot's sender. */
  | { kind: 'webhookChanged'; botId: number }
  /** On a callback query's topic (`callback.<id>`): the bot's answer, for the user waiting on the press. */
  | { kind: 'callbackAnswer'; text: string | null; alert: boolean; url: string | null };


/**
 * Carries events from the process that committed a change to the processes holding the
 * recipients' connections. Never the source of truth: a lost event only delays delivery until the
 * device asks for its difference.
 */
export interface Bus {
  publish(topic: string, event: BusEvent): void;
  /** Returns the function that ends this subscription. */
  subscribe(topic: string, handler: (event: BusEvent) => void): () => void;
  /**
   * Subscribes without making a function to end it, for what holds many subscriptions at once (a
   * connection: its user's topic and every chat's): `unfollow` with the same topic and handler ends it.
   */
  follow(topic: string, handler: (event: BusEvent) => void): void;
  /** Ends a subscription made by `follow`; nothing if there is none. */
  unfollow(topic: string, handler: (event: BusEvent) => void): void;
  /**
   * Resolves once every subscription made so far hears events published anywhere (in several
   * processes, once the primary has taken them). A connection signs in only after this, so nothing
   * committed after its answer can miss it.
   */
  ready?(): Promise<void>;
  close(): Promise<void>;
}

/** The topic of one user's events. */
export function userTopic(userId: number): string {
  return `user.${userId}`;
}

/** The topic of one group's or channel's events. */
export function chatTopic(chatId: number): string {
  return `chat.${chatId}`;
}

/** The topic that wakes whoever waits for a bot's updates. */
export function botTopic(botId: number): string {
  return `bot.${botId}`;
}

/** The topic of webhook changes, heard by the process that sends webhooks. */
export const WEBHOOKS_TOPIC = 'webhooks';

/** The topic a button press waits on for the bot's answer. */
export function callbackTopic(queryId: string): string {
  return `callback.${queryId}`;
}
