import type { Message } from '@samizdat/protocol';
import type { Kysely, Transaction } from 'kysely';
import { botTopic, type Bus } from '../bus/bus.ts';
import type { ChatDirectory } from '../chats/chat-access.ts';
import type { ChatRow } from '../chats/permissions.ts';
import type { ChatKeyring } from '../keys/chat-keyring.ts';
import { open, seal } from '../keys/sealing.ts';
import { openMessage } from '../messages/message-codec.ts';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import { renderTgChat, renderTgMessage, renderTgUser, type ChatFacts, type TgObject, type UserFacts } from '../bot-api/telegram-types.ts';

/** Telegram keeps an update that no one took for 24 hours. */
export const BOT_UPDATE_RETENTION_SECONDS = 24 * 3600;

/** Telegram's update kinds that Samizdat produces. */
export const BOT_UPDATE_KINDS = ['message', 'edited_message', 'channel_post', 'edited_channel_post', 'callback_query', 'my_chat_member', 'chat_member'] as const;
export type BotUpdateKind = (typeof BOT_UPDATE_KINDS)[number];

/** What a bot gets when allowed_updates is unset or empty: everything but chat_member, as on Telegram. */
const DEFAULT_KINDS: readonly string[] = BOT_UPDATE_KINDS.filter((kind) => kind !== 'chat_member');

/** A member's standing as the Bot API names it. */
export type TgMemberStatus = 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';

/** A change of one member of a chat, for my_chat_member and chat_member updates. */
export interface MemberChange {
  chatId: number;
  userId: number;
  actorId: number;
  before: TgMemberStatus;
  after: TgMemberStatus;
  date: number;
}

type Executor = Kysely<Database> | Transaction<Database>;

/** One update as the Bot API returns it. */
export interface BotUpdate {
  update_id: number;
  [kind: string]: unknown;
}

/**
 * The updates each bot has yet to take: written in the same transaction as the change they report
 * (so an acknowledged message always reaches the bots of its chat), sealed under the chat's key
 * (bots' queues hold message text, and a copy of the database must not show it), and removed when
 * the bot confirms them or after 24 hours.
 */
export class BotInbox {
  constructor(private readonly deps: { db: Kysely<Database>; keyring: ChatKeyring; directory: ChatDirectory; bus: Bus; clock: Clock }) {}

  /** A new message in a chat: each bot there that should hear of it gets `message` or `channel_post`. */
  async onNewMessage(trx: Transaction<Database>, chat: ChatRow, message: Message): Promise<void> {
    await this.#onMessage(trx, chat, message, chat.type === 'channel' ? 'channel_post' : 'message');
  }

  async onEditMessage(trx: Transaction<Database>, chat: ChatRow, message: Message): Promise<void> {
    await this.#onMessage(trx, chat, message, chat.type === 'channel' ? 'edited_channel_post' : 'edited_message');
  }

  /** A message as the Bot API shows it to `botId` (what sendMessage and friends return). */
  async render(botId: number, message: Message): Promise<TgObject> {
    const chat = await this.deps.db.selectFrom('chats').selectAll().where('id', '=', message.chatId).executeTakeFirstOrThrow();
    const context = await this.#messageContext(this.deps.db, chat, message);
    return messageFor(botId, chat, message, context);
  }

  /** What showing a message needs besides itself: the message it replies to, and the people involved. */
  async #messageContext(executor: Executor, chat: ChatRow, message: Message): Promise<MessageContext> {
    const replyRow = message.replyToId === null ? undefined : await executor.selectFrom('messages').selectAll().where('chat_id', '=', chat.id).where('id', '=', message.replyToId).executeTakeFirst();
    const replyTo = replyRow === undefined || replyRow.is_deleted ? null : openMessage(this.deps.keyring, replyRow, chat.wrapped_key);
    const people = await userFacts(executor, [message.senderId, ...(replyTo === null ? [] : [replyTo.senderId]), ...privateMembers(chat)]);
    return { replyTo, people };
  }

  /** A chat as the Bot API shows it to `botId`. */
  async renderChat(botId: number, chat: ChatRow): Promise<TgObject> {
    const people = await userFacts(this.deps.db, privateMembers(chat));
    return renderTgChat(chatFacts(chat, botId, people));
  }

  async #onMessage(trx: Transaction<Database>, chat: ChatRow, message: Message, kind: BotUpdateKind): Promise<void> {
    if (chat.bot_count === 0) return;
    const bots = await this.#botsOf(trx, chat.id, message.senderId);
    if (bots.length === 0) return;
    const context = await this.#messageContext(trx, chat, message);
    for (const bot of bots) {
      if (!wants(bot.allowed, kind)) continue;
      if (chat.type === 'group' && bot.privacyMode && bot.role !== 'admin' && bot.role !== 'owner' && !addressedTo(message, bot, context.replyTo)) continue;
      await this.#record(trx, { botId: bot.id, kind, chat, messageId: message.id, payload: { [kind]: messageFor(bot.id, chat, message, context) } });
    }
  }

  /** A member joined, left, was promoted, restricted or banned: my_chat_member to a bot it concerns, chat_member to admin bots that asked. */
  async onMemberChange(trx: Transaction<Database>, change: MemberChange): Promise<void> {
    const chat = await trx.selectFrom('chats').selectAll().where('id', '=', change.chatId).executeTakeFirstOrThrow();
    const subject = await trx.selectFrom('users').select('is_bot').where('id', '=', change.userId).executeTakeFirst();
    // Bots that just left are out of chat_bots already; the one the change is about must still hear of it.
    if (chat.bot_count === 0 && subject?.is_bot !== 1) return;
    const bots = await this.#botsOf(trx, chat.id, null);
    const people = await userFacts(trx, [change.userId, change.actorId, ...privateMembers(chat)]);
    const body = (botId: number): TgObject => ({
      chat: renderTgChat(chatFacts(chat, botId, people)),
      from: renderTgUser(people.get(change.actorId)!),
      date: change.date,
      old_chat_member: { status: change.before, user: renderTgUser(people.get(change.userId)!) },
      new_chat_member: { status: change.after, user: renderTgUser(people.get(change.userId)!) },
    });
    if (subject?.is_bot === 1) {
      const settings = await trx.selectFrom('bots').select('allowed_updates').where('user_id', '=', change.userId).executeTakeFirst();
      if (settings !== undefined && wants(parseAllowed(settings.allowed_updates), 'my_chat_member')) {
        await this.#record(trx, { botId: change.userId, kind: 'my_chat_member', chat, messageId: null, payload: { my_chat_member: body(change.userId) } });
      }
    }
    for (const bot of bots) {
      if (bot.id === change.userId || (bot.role !== 'admin' && bot.role !== 'owner') || !bot.allowed?.includes('chat_member')) continue;
      await this.#record(trx, { botId: bot.id, kind: 'chat_member', chat, messageId: null, payload: { chat_member: body(bot.id) } });
    }
  }

  /** A user pressed a button with callback data under a bot's message. */
  async onCallbackQuery(query: { id: string; botId: number; userId: number; chat: ChatRow; message: Message; data: string }): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const people = await userFacts(trx, [query.userId, query.message.senderId, ...privateMembers(query.chat)]);
      const facts = chatFacts(query.chat, query.botId, people);
      const payload = {
        callback_query: {
          id: query.id,
          from: renderTgUser(people.get(query.userId)!),
          message: renderTgMessage({ message: query.message, chat: facts, sender: people.get(query.message.senderId)!, replyTo: null }),
          // Telegram's chat_instance identifies the chat for this bot; the chat's own id does that.
          chat_instance: String(query.chat.id),
          data: query.data,
        },
      };
      await this.#record(trx, { botId: query.botId, kind: 'callback_query', chat: query.chat, messageId: query.message.id, payload });
    });
  }

  async #record(trx: Transaction<Database>, entry: { botId: number; kind: BotUpdateKind; chat: ChatRow; messageId: number | null; payload: TgObject }): Promise<void> {
    const key = this.deps.keyring.chatKey(entry.chat.id, entry.chat.wrapped_key);
    const sealed = seal(key, new TextEncoder().encode(JSON.stringify(entry.payload)), sealContext(entry.botId, entry.chat.id));
    await trx
      .insertInto('bot_updates')
      .values({ bot_id: entry.botId, kind: entry.kind, chat_id: entry.chat.id, message_id: entry.messageId, payload_sealed: sealed, created_at: Math.floor(this.deps.clock.nowMs() / 1000) })
      .execute();
    this.#wakeAfterCommit(entry.botId);
  }

  /**
   * Tells waiters once the row is committed, so that one in another worker (which reads its own
   * snapshot) finds it. A query queued now runs only when the store's one connection is free,
   * that is after this transaction ended; a rolled-back one wakes them for nothing, which is harmless.
   */
  #wakeAfterCommit(botId: number): void {
    void this.deps.db
      .selectFrom('bots')
      .select('user_id')
      .where('user_id', '=', botId)
      .execute()
      .then(() => this.deps.bus.publish(botTopic(botId), { kind: 'botUpdates' }))
      .catch(() => this.deps.bus.publish(botTopic(botId), { kind: 'botUpdates' }));
  }

  async #botsOf(trx: Executor, chatId: number, exceptId: number | null): Promise<{ id: number; username: string; privacyMode: boolean; role: string; allowed: string[] | null }[]> {
    let query = trx
      .selectFrom('chat_bots')
      .innerJoin('bots', 'bots.user_id', 'chat_bots.bot_id')
      .innerJoin('users', 'users.id', 'chat_bots.bot_id')
      .innerJoin('chat_members', (join) => join.onRef('chat_members.chat_id', '=', 'chat_bots.chat_id').onRef('chat_members.user_id', '=', 'chat_bots.bot_id'))
      .select(['chat_bots.bot_id as id', 'users.username', 'bots.privacy_mode', 'bots.allowed_updates', 'chat_members.role'])
      .where('chat_bots.chat_id', '=', chatId);
    if (exceptId !== null) query = query.where('chat_bots.bot_id', '!=', exceptId);
    const rows = await query.execute();
    return rows.map((row) => ({ id: row.id, username: row.username ?? '', privacyMode: row.privacy_mode === 1, role: row.role, allowed: parseAllowed(row.allowed_updates) }));
  }

  /**
   * The bot's waiting updates from `offset` on (Telegram's getUpdates): an offset confirms, and so
   * removes, every update before it; a negative one takes the last `-offset` updates.
   */
  async take(botId: number, options: { offset: number; limit: number }): Promise<BotUpdate[]> {
    await this.#forgetOld();
    let from = options.offset;
    if (from > 0) await this.deps.db.deleteFrom('bot_updates').where('bot_id', '=', botId).where('update_id', '<', from).execute();
    if (from < 0) {
      const rows = await this.deps.db.selectFrom('bot_updates').select('update_id').where('bot_id', '=', botId).orderBy('update_id', 'desc').limit(-from).execute();
      from = rows.at(-1)?.update_id ?? 0;
      if (from > 0) await this.deps.db.deleteFrom('bot_updates').where('bot_id', '=', botId).where('update_id', '<', from).execute();
    }
    const rows = await this.deps.db
      .selectFrom('bot_updates')
      .selectAll()
      .where('bot_id', '=', botId)
      .where('update_id', '>=', from)
      .orderBy('update_id')
      .limit(options.limit)
      .execute();
    const updates: BotUpdate[] = [];
    for (const row of rows) {
      const access = await this.deps.directory.byId(row.chat_id);
      if (access === null) continue;
      const key = this.deps.keyring.chatKey(row.chat_id, access.wrappedKey);
      const payload = JSON.parse(new TextDecoder().decode(open(key, row.payload_sealed, sealContext(botId, row.chat_id)))) as TgObject;
      updates.push({ update_id: row.update_id, ...payload });
    }
    return updates;
  }

  /** Removes one delivered update (the webhook sender's confirmation). */
  async remove(botId: number, updateId: number): Promise<void> {
    await this.deps.db.deleteFrom('bot_updates').where('bot_id', '=', botId).where('update_id', '=', updateId).execute();
  }

  /** Drops every waiting update of the bot (deleteWebhook/setWebhook with drop_pending_updates). */
  async dropAll(botId: number): Promise<void> {
    await this.deps.db.deleteFrom('bot_updates').where('bot_id', '=', botId).execute();
  }

  async pendingCount(botId: number): Promise<number> {
    const row = await this.deps.db.selectFrom('bot_updates').select((eb) => eb.fn.countAll<number>().as('n')).where('bot_id', '=', botId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Resolves when the bot has new updates, or after `timeoutMs`, or when `signal` aborts. */
  waitForUpdates(botId: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((done) => {
      const finish = () => {
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', finish);
        done();
      };
      const timer = setTimeout(finish, timeoutMs);
      const unsubscribe = this.deps.bus.subscribe(botTopic(botId), (event) => {
        if (event.kind === 'botUpdates') finish();
      });
      signal?.addEventListener('abort', finish);
    });
  }

  /** Removes what waits past 24 hours, as Telegram does. */
  async #forgetOld(): Promise<void> {
    const cutoff = Math.floor(this.deps.clock.nowMs() / 1000) - BOT_UPDATE_RETENTION_SECONDS;
    await this.deps.db.deleteFrom('bot_updates').where('created_at', '<', cutoff).execute();
  }

  /** Waiting updates about messages deleted for everyone go too: a bot does not get text no one can read any more. */
  async forgetMessages(trx: Transaction<Database>, chatId: number, messageIds: readonly number[]): Promise<void> {
    if (messageIds.length === 0) return;
    await trx.deleteFrom('bot_updates').where('chat_id', '=', chatId).where('message_id', 'in', [...messageIds]).execute();
  }
}

function sealContext(botId: number, chatId: number): string {
  return `samizdat/bot-update/${botId}/${chatId}`;
}

export function parseAllowed(stored: string | null): string[] | null {
  if (stored === null) return null;
  const list = JSON.parse(stored) as string[];
  return list.length === 0 ? null : list;
}

function wants(allowed: readonly string[] | null, kind: BotUpdateKind): boolean {
  return (allowed ?? DEFAULT_KINDS).includes(kind);
}

/**
 * Privacy mode, as on Telegram: in a group a bot hears commands (to any bot, or to it by
 * `/command@itsname`) and replies to its own messages, nothing else.
 */
function addressedTo(message: Message, bot: { id: number; username: string }, replyTo: Message | null): boolean {
  if (replyTo?.senderId === bot.id) return true;
  const command = message.entities.find((e) => e.type === 'botCommand' && e.offset === 0);
  if (command === undefined) return false;
  const [, addressee] = message.text.slice(0, command.length).split('@');
  return addressee === undefined || addressee.toLowerCase() === bot.username.toLowerCase();
}

async function userFacts(trx: Executor, ids: readonly number[]): Promise<Map<number, UserFacts>> {
  const unique = [...new Set(ids)];
  const rows = await trx.selectFrom('users').select(['id', 'display_name', 'username', 'is_bot']).where('id', 'in', unique).execute();
  return new Map(rows.map((row) => [row.id, { id: row.id, displayName: row.display_name, username: row.username, isBot: row.is_bot === 1 }]));
}

interface MessageContext {
  replyTo: Message | null;
  people: Map<number, UserFacts>;
}

/** A message in Telegram's form, as `botId` sees its chat. */
function messageFor(botId: number, chat: ChatRow, message: Message, { replyTo, people }: MessageContext): TgObject {
  return renderTgMessage({
    message,
    chat: chatFacts(chat, botId, people),
    sender: people.get(message.senderId)!,
    replyTo: replyTo === null ? null : { message: replyTo, sender: people.get(replyTo.senderId)! },
  });
}

/** The two members of a private chat (the people it is shown as); none for groups and channels. */
function privateMembers(chat: ChatRow): number[] {
  return chat.user_low === null || chat.user_high === null ? [] : [chat.user_low, chat.user_high];
}

/** The chat as the bot sees it: a private chat is the other person. */
function chatFacts(chat: ChatRow, botId: number, people: Map<number, UserFacts>): ChatFacts {
  const peerId = chat.type !== 'private' ? null : chat.user_low === botId ? chat.user_high : chat.user_low;
  return { id: chat.id, type: chat.type, title: chat.title, username: chat.username, peer: peerId === null ? null : (people.get(peerId) ?? null) };
}
