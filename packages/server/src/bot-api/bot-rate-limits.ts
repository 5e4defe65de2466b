import type { RateLimits } from '../shared/rate-limits.ts';
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

export class BotRateLimits {
  constructor(
    private readonly rateLimits: RateLimits,
    private readonly limits = BOT_SEND_LIMITS,
  ) {}

  /** Counts one send of `botId` to a chat, or throws 429 with the seconds to wait. */
  async takeSend(botId: number, chat: { key: string; isGroup: boolean }): Promise<void> {
    // The chat's limit first: a send it refuses spends nothing of the bot's.
    const wait = await this.rateLimits.takeTokens([
      chat.isGroup ? { name: 'bot.group', rule: this.limits.perGroup, key: `${botId}:${chat.key}` } : { name: 'bot.privateChat', rule: this.limits.perPrivateChat, key: `${botId}:${chat.key}` },
      { name: 'bot', rule: this.limits.perBot, key: String(botId) },
    ]);
    if (wait > 0) throw tooManyRequests(wait);
  }
}
