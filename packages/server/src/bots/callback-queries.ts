import { randomBytes } from 'node:crypto';
import { RpcError, type MethodParams, type MethodResult } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import { callbackTopic, type Bus, type BusEvent } from '../bus/bus.ts';
import type { MessageService } from '../messages/message-service.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import type { BotInbox } from './bot-inbox.ts';

/** How long a press waits for the bot's answerCallbackQuery before the user is told it did not answer. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 15_000;

/**
 * Presses of inline buttons: the user's press becomes a callback_query for the bot, and the bot's
 * answerCallbackQuery travels back on the bus to the press that waits for it (whichever process
 * holds it).
 */
export class CallbackQueries {
  constructor(private readonly deps: { db: Kysely<Database>; bus: Bus; clock: Clock; messages: MessageService; inbox: BotInbox; timeoutMs?: number }) {}

  async press(userId: number, params: MethodParams<'messages.getBotCallbackAnswer'>): Promise<MethodResult<'messages.getBotCallbackAnswer'>> {
    const { target, message } = await this.deps.messages.getMessage(userId, params.peer, params.messageId);
    const pressed = message.replyMarkup?.type === 'inlineKeyboard' && message.replyMarkup.rows.some((row) => row.some((button) => button.callbackData === params.data));
    if (!pressed) throw new RpcError('DATA_INVALID', `Cannot press: message ${message.id} has no button with that data`);
    const bot = await this.deps.db.selectFrom('bots').select('user_id').where('user_id', '=', message.senderId).executeTakeFirst();
    if (bot === undefined) throw new RpcError('BOT_INVALID', `Cannot press: message ${message.id} is not a bot's`);
    const id = BigInt(`0x${randomBytes(8).toString('hex')}`).toString().slice(0, 19);
    await this.deps.db
      .insertInto('callback_queries')
      .values({ id, bot_id: bot.user_id, user_id: userId, chat_id: target.chat.id, message_id: message.id, created_at: unixSeconds(this.deps.clock) })
      .execute();
    const answer = this.#awaitAnswer(id);
    await this.deps.inbox.onCallbackQuery({ id, botId: bot.user_id, userId, chat: target.chat, message, data: params.data });
    const event = await answer;
    if (event === null) throw new RpcError('BOT_RESPONSE_TIMEOUT', 'The bot did not answer the button in time');
    return { message: event.text, alert: event.alert, url: event.url };
  }

  #awaitAnswer(id: string): Promise<Extract<BusEvent, { kind: 'callbackAnswer' }> | null> {
    return new Promise((done) => {
      const timer = setTimeout(() => {
        unsubscribe();
        done(null);
      }, this.deps.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS);
      const unsubscribe = this.deps.bus.subscribe(callbackTopic(id), (event) => {
        if (event.kind !== 'callbackAnswer') return;
        clearTimeout(timer);
        unsubscribe();
        done(event);
      });
    });
  }

  /** The bot's answer; false when the query is not the bot's, was answered, or is older than Telegram allows. */
  async answer(botId: number, queryId: string, answer: { text: string | null; alert: boolean; url: string | null }): Promise<boolean> {
    const freshSince = unixSeconds(this.deps.clock) - Math.ceil((this.deps.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS) / 1000) - 5;
    const claimed = await this.deps.db
      .updateTable('callback_queries')
      .set({ answered_at: unixSeconds(this.deps.clock) })
      .where('id', '=', queryId)
      .where('bot_id', '=', botId)
      .where('answered_at', 'is', null)
      .where('created_at', '>=', freshSince)
      .executeTakeFirst();
    if (claimed.numUpdatedRows === 0n) return false;
    this.deps.bus.publish(callbackTopic(queryId), { kind: 'callbackAnswer', ...answer });
    return true;
  }

  /** Queries are only useful while someone waits; older ones go. */
  async sweep(): Promise<void> {
    await this.deps.db.deleteFrom('callback_queries').where('created_at', '<', unixSeconds(this.deps.clock) - 3600).execute();
  }
}
