import { TokenBucket } from '../shared/rate-limiter.ts';
import type { Clock } from '../shared/clock.ts';
import { tooManyRequests } from './bot-errors.ts';

/**
 * Telegram's documented limits for bots' sends: about 30 messages a second in all, one a second in
 * one chat (short bursts allowed), 20 a minute in one group or channel. A send over any of them is
 * answered 429 with retry_after.
 */
export const BOT_SEND_LIMITS = {
  perBot: { capacity: 30, perSecond: 30 },
  perPrivateChat: { capacity: 5, perSecond: 1 },
  perGroup: { capacity: 20, perSecond: 20 / 60 },
};

/** Buckets are forgotten when this many are held; idle ones would be full again anyway. */
const MAX_BUCKETS = 100_000;

export class BotRateLimits {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly clock: Clock,
    private readonly limits = BOT_SEND_LIMITS,
  ) {}

  /** Counts one send of `botId` to a chat, or throws 429 with the seconds to wait. */
  takeSend(botId: number, chat: { key: string; isGroup: boolean }): void {
    // A send refused by one limit spends nothing of the other.
    const chatBucket = this.#bucket(`${botId}:${chat.key}`, chat.isGroup ? this.limits.perGroup : this.limits.perPrivateChat);
    const chatWait = chatBucket.take();
    if (chatWait > 0) throw tooManyRequests(chatWait);
    const botWait = this.#bucket(`${botId}`, this.limits.perBot).take();
    if (botWait > 0) {
      chatBucket.giveBack();
      throw tooManyRequests(botWait);
    }
  }

  #bucket(key: string, rule: { capacity: number; perSecond: number }): TokenBucket {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= MAX_BUCKETS) this.#buckets.clear();
      bucket = new TokenBucket(rule, this.clock);
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }
}
