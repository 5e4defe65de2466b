import { randomBytes } from 'node:crypto';
import { RpcError, type BotCommand, type MediaKind, type Message, type MessageEntity, type Peer, type ReplyMarkup } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import type { BotAccounts, BotIdentity } from '../bots/bot-accounts.ts';
import type { BotInbox } from '../bots/bot-inbox.ts';
import type { CallbackQueries } from '../bots/callback-queries.ts';
import type { WebhookSender } from '../bots/webhook-sender.ts';
import { botTopic, type Bus } from '../bus/bus.ts';
import type { ChatService } from '../chats/chat-service.ts';
import type { ChatRow } from '../chats/permissions.ts';
import type { FileService } from '../files/file-service.ts';
import type { MessageService } from '../messages/message-service.ts';
import { announceTyping } from '../messages/typing.ts';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import { badRequest, conflict } from './bot-errors.ts';
import type { BotRateLimits } from './bot-rate-limits.ts';
import type { BotParams } from './bot-request.ts';
import { parseFormattedText, ParseModeError, type ParseMode } from './parse-mode.ts';
import { fromTelegramChatId, readTgEntities, readTgReplyMarkup, renderTgUser, telegramChatId, type TgObject } from './telegram-types.ts';

export interface BotApiDeps {
  db: Kysely<Database>;
  bots: BotAccounts;
  inbox: BotInbox;
  callbacks: CallbackQueries;
  webhooks: WebhookSender;
  messages: MessageService;
  chats: ChatService;
  files: FileService;
  bus: Bus;
  clock: Clock;
  limits: BotRateLimits;
}

/** One call: the bot that made it, its parameters, and a signal that aborts when the bot hangs up. */
export interface BotCall {
  bot: BotIdentity;
  params: BotParams;
  signal: AbortSignal;
}

type Method = (call: BotCall) => Promise<unknown>;

/** Telegram's longest long poll. */
const MAX_POLL_SECONDS = 50;

/**
 * The Bot API's methods (https://core.telegram.org/bots/api#available-methods), each mapped onto
 * the same services the Samizdat protocol uses, so a bot obeys exactly the rules a user does.
 * Names are matched without regard to case, as Telegram does.
 */
export function createBotMethods(deps: BotApiDeps): Map<string, Method> {

  const peerOf = async (call: BotCall, name = 'chat_id'): Promise<Peer> => {
    const raw = call.params.string(name);
    if (raw === undefined || raw === '') throw badRequest(`${name} is empty`);
    if (raw.startsWith('@')) {
      const row = await deps.db.selectFrom('chats').select('id').where('username_lower', '=', raw.slice(1).toLowerCase()).executeTakeFirst();
      if (row === undefined) throw badRequest('chat not found');
      return { type: 'chat', chatId: row.id };
    }
    const id = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    const peer = fromTelegramChatId(id);
    if (peer === null) throw badRequest('chat not found');
    return peer.type === 'user' ? { type: 'user', userId: peer.userId } : { type: 'chat', chatId: peer.chatId };
  };

  const chatRowOf = async (call: BotCall, peer: Peer): Promise<ChatRow> => {
    const target = await deps.messages.open(call.bot.id, peer, 'read').catch((error: unknown) => {
      if (error instanceof RpcError) throw badRequest('chat not found');
      throw error;
    });
    if (target === null) throw badRequest('chat not found');
    return target.chat;
  };

  const formatted = (call: BotCall, textName: string, entitiesName: string): { text: string; entities: MessageEntity[] } => {
    const text = call.params.string(textName) ?? '';
    const mode = call.params.string('parse_mode');
    if (mode !== undefined && mode !== '') {
      if (mode !== 'HTML' && mode !== 'MarkdownV2' && mode !== 'Markdown') throw badRequest(`unsupported parse_mode "${mode.slice(0, 32)}"`);
      try {
        return parseFormattedText(text, mode as ParseMode);
      } catch (error) {
        if (error instanceof ParseModeError) throw badRequest(`can't parse entities: ${error.detail}`);
        throw error;
      }
    }
    const entities = call.params.json(entitiesName);
    return { text, entities: entities === undefined ? [] : readTgEntities(entities) };
  };

  const markupOf = (call: BotCall): ReplyMarkup | undefined => {
    const value = call.params.json('reply_markup');
    return value === undefined ? undefined : readTgReplyMarkup(value);
  };

  const replyToOf = (call: BotCall): { id: number; orNone: boolean } | null => {
    const parameters = call.params.json('reply_parameters');
    if (parameters !== undefined) {
      const { message_id: id, allow_sending_without_reply: orNone } = parameters as { message_id?: unknown; allow_sending_without_reply?: unknown };
      if (!Number.isSafeInteger(id)) throw badRequest('message to be replied not found');
      return { id: id as number, orNone: orNone === true };
    }
    const legacy = call.params.int('reply_to_message_id');
    return legacy === undefined ? null : { id: legacy, orNone: call.params.bool('allow_sending_without_reply') ?? false };
  };

  const limitSend = (call: BotCall, peer: Peer): Promise<void> => {
    const isGroup = peer.type === 'chat';
    return deps.limits.takeSend(call.bot.id, { key: peer.type === 'user' ? `u${peer.userId}` : `c${peer.chatId}`, isGroup });
  };

  /** Sends as the bot; a reply to a message that is gone is sent without it when the bot allowed that. */
  const send = async (call: BotCall, peer: Peer, content: { text: string; entities: MessageEntity[]; media?: { fileId: string; kind: MediaKind; width?: number; height?: number; duration?: number } }): Promise<Message> => {
    const replyTo = replyToOf(call);
    const markup = markupOf(call);
    await limitSend(call, peer);
    const params = {
      peer,
      text: content.text,
      entities: content.entities,
      randomId: randomBytes(12).toString('base64url'),
      ...(content.media === undefined ? {} : { media: content.media }),
    };
    const extras = { noNewPrivateChat: true, ...(markup === undefined ? {} : { replyMarkup: markup }) };
    try {
      return (await deps.messages.send(call.bot.id, { ...params, ...(replyTo === null ? {} : { replyToId: replyTo.id }) }, extras)).message;
    } catch (error) {
      if (error instanceof RpcError && error.code === 'MESSAGE_ID_INVALID' && replyTo !== null) {
        if (!replyTo.orNone) throw badRequest('message to be replied not found');
        return (await deps.messages.send(call.bot.id, params, extras)).message;
      }
      throw error;
    }
  };

  const sendMedia = (kind: MediaKind, field: string): Method => async (call) => {
    const peer = await peerOf(call);
    const { text, entities } = formatted(call, 'caption', 'caption_entities');
    const upload = call.params.file(field);
    let fileId: string;
    if (upload !== undefined) {
      // Libraries often send no type, or a generic one: what the bytes are decides.
      const mimeType = sniffImageType(upload.bytes) ?? upload.mimeType;
      fileId = (await deps.files.storeBytes(upload.bytes, { name: upload.name, mimeType, ownerId: call.bot.id })).id;
    } else {
      const given = call.params.string(field);
      if (given === undefined || given === '') throw badRequest(`there is no ${field} in the request`);
      // Fetching a URL on a bot's behalf would let any bot make the server reach into its own network.
      if (/^https?:\/\//i.test(given)) throw badRequest('sending files by URL is not supported by this server; upload the file or pass a file_id');
      fileId = given;
    }
    const media = {
      fileId,
      kind,
      ...optionalInt(call, 'width', 'width'),
      ...optionalInt(call, 'height', 'height'),
      ...optionalInt(call, 'duration', 'duration'),
    };
    const message = await send(call, peer, { text, entities, media });
    return deps.inbox.render(call.bot.id, message);
  };

  const messageIdOf = (call: BotCall, what: string): number => {
    if (call.params.has('inline_message_id')) throw badRequest('inline messages are not supported');
    const id = call.params.int('message_id');
    if (id === undefined) throw badRequest(`message to ${what} not found`);
    return id;
  };

  const renameNotFound = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof RpcError && error.code === 'MESSAGE_ID_INVALID') throw badRequest(`message to ${what} not found`);
      throw error;
    }
  };

  const memberOf = async (chat: ChatRow, userId: number): Promise<TgObject> => {
    const user = await deps.db.selectFrom('users').select(['id', 'display_name', 'username', 'is_bot']).where('id', '=', userId).executeTakeFirst();
    if (user === undefined) throw badRequest('user not found');
    const tgUser = renderTgUser({ id: user.id, displayName: user.display_name, username: user.username, isBot: user.is_bot === 1 });
    if (chat.type === 'private') {
      const isMember = chat.user_low === userId || chat.user_high === userId;
      return { status: isMember ? 'member' : 'left', user: tgUser };
    }
    const row = await deps.db.selectFrom('chat_members').selectAll().where('chat_id', '=', chat.id).where('user_id', '=', userId).executeTakeFirst();
    if (row === undefined) {
      const ban = await deps.db.selectFrom('chat_bans').select('until_date').where('chat_id', '=', chat.id).where('user_id', '=', userId).executeTakeFirst();
      return ban === undefined ? { status: 'left', user: tgUser } : { status: 'kicked', user: tgUser, until_date: ban.until_date ?? 0 };
    }
    if (row.role === 'owner') return { status: 'creator', user: tgUser, is_anonymous: false };
    if (row.role === 'admin') {
      const rights = row.rights === null ? {} : (JSON.parse(row.rights) as Record<string, boolean>);
      return {
        status: 'administrator',
        user: tgUser,
        can_be_edited: false,
        is_anonymous: false,
        can_manage_chat: true,
        can_change_info: rights.changeInfo === true,
        can_delete_messages: rights.deleteMessages === true,
        can_restrict_members: rights.banUsers === true,
        can_invite_users: rights.inviteUsers === true,
        can_pin_messages: rights.pinMessages === true,
        can_promote_members: rights.addAdmins === true,
        can_post_messages: rights.postMessages === true,
        can_edit_messages: rights.postMessages === true,
        can_manage_video_chats: false,
        can_post_stories: false,
        can_edit_stories: false,
        can_delete_stories: false,
      };
    }
    const now = Math.floor(deps.clock.nowMs() / 1000);
    if (row.muted_until !== null && row.muted_until > now) {
      return { status: 'restricted', user: tgUser, is_member: true, until_date: row.muted_until, can_send_messages: false, can_send_other_messages: false };
    }
    return { status: 'member', user: tgUser };
  };

  const groupChatOf = async (call: BotCall): Promise<ChatRow> => {
    const peer = await peerOf(call);
    const chat = await chatRowOf(call, peer);
    if (chat.type === 'private') throw badRequest('method is available for supergroup and channel chats only');
    return chat;
  };

  const methods: Record<string, Method> = {
    getMe: async ({ bot }) => ({
      id: bot.id,
      is_bot: true,
      first_name: bot.displayName,
      username: bot.username,
      can_join_groups: true,
      can_read_all_group_messages: bot.row.privacy_mode === 0,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    }),
    logOut: async () => true,
    close: async () => true,

    getUpdates: async (call) => {
      const { bot, params } = call;
      if (bot.row.webhook_url !== null) throw conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
      const offset = params.int('offset') ?? 0;
      const limit = Math.min(100, Math.max(1, params.int('limit') ?? 100));
      const timeout = Math.min(MAX_POLL_SECONDS, Math.max(0, params.int('timeout') ?? 0));
      const allowed = params.json('allowed_updates');
      if (allowed !== undefined) await deps.bots.update(bot.id, { allowed_updates: JSON.stringify(checkAllowedUpdates(allowed)) });
      // A second poll ends the first, as on Telegram, whichever worker holds either.
      const pollId = randomBytes(9).toString('base64url');
      const poll = new AbortController();
      const unsubscribe = deps.bus.subscribe(botTopic(bot.id), (event) => {
        if (event.kind === 'botPoll' && event.pollId !== pollId) poll.abort();
      });
      deps.bus.publish(botTopic(bot.id), { kind: 'botPoll', pollId });
      const taken = new AbortController();
      const stop = AbortSignal.any([poll.signal, call.signal, taken.signal]);
      // Listening before reading: an update committed between the read and the wait still wakes it.
      const woken = deps.inbox.waitForUpdates(bot.id, timeout * 1000, stop);
      try {
        let updates = await deps.inbox.take(bot.id, { offset, limit });
        if (updates.length === 0 && timeout > 0 && !stop.aborted) {
          await woken;
          if (poll.signal.aborted) throw conflict('terminated by other getUpdates request; make sure that only one bot instance is running');
          updates = await deps.inbox.take(bot.id, { offset, limit });
        }
        return updates;
      } finally {
        taken.abort();
        unsubscribe();
      }
    },

    setWebhook: async ({ bot, params }) => {
      const url = params.string('url') ?? '';
      if (url === '') {
        await deps.webhooks.remove(bot.id, params.bool('drop_pending_updates') ?? false);
        return true;
      }
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw badRequest('bad webhook: invalid URL');
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw badRequest('bad webhook: HTTPS url must be provided for webhook');
      const secret = params.string('secret_token');
      if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw badRequest('bad webhook: secret token contains unallowed characters');
      const maxConnections = Math.min(100, Math.max(1, params.int('max_connections') ?? 40));
      const allowed = params.json('allowed_updates');
      await deps.webhooks.set(bot.id, {
        url,
        secret: secret ?? null,
        maxConnections,
        ...(allowed === undefined ? {} : { allowedUpdates: checkAllowedUpdates(allowed) }),
        dropPending: params.bool('drop_pending_updates') ?? false,
      });
      return true;
    },
    deleteWebhook: async ({ bot, params }) => {
      await deps.webhooks.remove(bot.id, params.bool('drop_pending_updates') ?? false);
      return true;
    },
    getWebhookInfo: async ({ bot }) => {
      const row = (await deps.bots.byId(bot.id))!.row;
      const pending = await deps.inbox.pendingCount(bot.id);
      return {
        url: row.webhook_url ?? '',
        has_custom_certificate: false,
        pending_update_count: pending,
        ...(row.webhook_url === null ? {} : { max_connections: row.webhook_max_connections }),
        ...(row.webhook_last_error_date === null ? {} : { last_error_date: row.webhook_last_error_date, last_error_message: row.webhook_last_error_message ?? '' }),
        ...(row.allowed_updates === null ? {} : { allowed_updates: JSON.parse(row.allowed_updates) as string[] }),
      };
    },

    sendMessage: async (call) => {
      const peer = await peerOf(call);
      const { text, entities } = formatted(call, 'text', 'entities');
      if (text.trim() === '') throw badRequest('message text is empty');
      return deps.inbox.render(call.bot.id, await send(call, peer, { text, entities }));
    },
    sendPhoto: sendMedia('photo', 'photo'),
    sendDocument: sendMedia('document', 'document'),
    sendVoice: sendMedia('voice', 'voice'),
    sendVideo: sendMedia('video', 'video'),

    forwardMessage: async (call) => {
      const toPeer = await peerOf(call);
      const fromPeer = await peerOf(call, 'from_chat_id');
      const messageId = messageIdOf(call, 'forward');
      limitSend(call, toPeer);
      const result = await renameNotFound('forward', () =>
        deps.messages.forward(call.bot.id, { fromPeer, toPeer, messageIds: [messageId], randomIds: [randomBytes(12).toString('base64url')] }),
      );
      return deps.inbox.render(call.bot.id, result.messages[0]!);
    },
    copyMessage: async (call) => {
      const toPeer = await peerOf(call);
      const fromPeer = await peerOf(call, 'from_chat_id');
      const messageId = messageIdOf(call, 'copy');
      const { message: original } = await renameNotFound('copy', () => deps.messages.getMessage(call.bot.id, fromPeer, messageId));
      const caption = call.params.has('caption') ? formatted(call, 'caption', 'caption_entities') : { text: original.text, entities: original.entities };
      const media = original.media === null ? undefined : { fileId: original.media.file.id, kind: original.media.kind, ...(original.media.duration === null ? {} : { duration: original.media.duration }) };
      const copy = await send(call, toPeer, { ...caption, ...(media === undefined ? {} : { media }) });
      return { message_id: copy.id };
    },

    editMessageText: async (call) => {
      const peer = await peerOf(call);
      const messageId = messageIdOf(call, 'edit');
      const { text, entities } = formatted(call, 'text', 'entities');
      if (text.trim() === '') throw badRequest('message text is empty');
      // As on Telegram, an edit without reply_markup removes the message's keyboard.
      const markup = markupOf(call) ?? null;
      const result = await renameNotFound('edit', () => deps.messages.edit(call.bot.id, { peer, messageId, text, entities }, { replyMarkup: markup }));
      return deps.inbox.render(call.bot.id, result.message);
    },
    editMessageCaption: async (call) => {
      const peer = await peerOf(call);
      const messageId = messageIdOf(call, 'edit');
      const { text, entities } = formatted(call, 'caption', 'caption_entities');
      const markup = markupOf(call) ?? null;
      const result = await renameNotFound('edit', () => deps.messages.edit(call.bot.id, { peer, messageId, text, entities }, { replyMarkup: markup }));
      return deps.inbox.render(call.bot.id, result.message);
    },
    editMessageReplyMarkup: async (call) => {
      const peer = await peerOf(call);
      const messageId = messageIdOf(call, 'edit');
      const markup = markupOf(call) ?? null;
      if (markup !== null && markup.type !== 'inlineKeyboard') throw badRequest('only an inline keyboard can be edited');
      const { message: original } = await renameNotFound('edit', () => deps.messages.getMessage(call.bot.id, peer, messageId));
      const result = await deps.messages.edit(call.bot.id, { peer, messageId, text: original.text, entities: original.entities }, { replyMarkup: markup });
      return deps.inbox.render(call.bot.id, result.message);
    },
    deleteMessage: async (call) => {
      const peer = await peerOf(call);
      const messageId = messageIdOf(call, 'delete');
      await renameNotFound('delete', () => deps.messages.delete(call.bot.id, { peer, messageIds: [messageId], forEveryone: true }));
      return true;
    },

    getFile: async ({ bot, params }) => {
      const fileId = params.requiredString('file_id');
      const file = await deps.files.readable(bot.id, fileId).catch((error: unknown) => {
        if (error instanceof RpcError) throw badRequest('invalid file_id');
        throw error;
      });
      return { file_id: file.id, file_unique_id: Buffer.from(file.sha256.slice(0, 24), 'hex').toString('base64url'), file_size: file.size, file_path: filePath(file.id, file.name) };
    },

    sendChatAction: async (call) => {
      const peer = await peerOf(call);
      const action = call.params.requiredString('action');
      if (!CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
      const target = await deps.messages.open(call.bot.id, peer, 'read');
      if (target === null) throw badRequest('chat not found');
      if (target.chat.type !== 'channel') await announceTyping({ messages: deps.messages, bus: deps.bus, clock: deps.clock }, call.bot.id, peer, 'typing');
      return true;
    },

    answerCallbackQuery: async ({ bot, params }) => {
      const id = params.requiredString('callback_query_id');
      const text = params.string('text') ?? null;
      if (text !== null && text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
      const answered = await deps.callbacks.answer(bot.id, id, { text: text === '' ? null : text, alert: params.bool('show_alert') ?? false, url: params.string('url') ?? null });
      if (!answered) throw badRequest('query is too old and response timeout expired or query ID is invalid');
      return true;
    },

    setMyCommands: async ({ bot, params }) => {
      checkDefaultScope(params);
      await deps.bots.setCommands(bot.id, checkCommands(params.json('commands')));
      return true;
    },
    getMyCommands: async ({ bot, params }) => {
      checkDefaultScope(params);
      return (await deps.bots.info(bot.id)).commands;
    },
    deleteMyCommands: async ({ bot, params }) => {
      checkDefaultScope(params);
      await deps.bots.setCommands(bot.id, []);
      return true;
    },
    setMyDescription: async ({ bot, params }) => {
      const description = params.string('description') ?? '';
      if (description.length > 512) throw badRequest('description is too long');
      await deps.bots.update(bot.id, { description });
      return true;
    },
    getMyDescription: async ({ bot }) => ({ description: (await deps.bots.info(bot.id)).description }),

    getChat: async (call) => {
      const peer = await peerOf(call);
      const chat = await chatRowOf(call, peer);
      const base = await deps.inbox.renderChat(call.bot.id, chat);
      const pinned = chat.pinned_message_id === null ? null : (await deps.messages.getMessage(call.bot.id, peer, chat.pinned_message_id).catch(() => null))?.message ?? null;
      return {
        ...base,
        accent_color_id: 0,
        max_reaction_count: 11,
        ...(chat.type === 'private' ? {} : { description: chat.about }),
        ...(pinned === null ? {} : { pinned_message: await deps.inbox.render(call.bot.id, pinned) }),
        ...(chat.type !== 'private' && chat.has_no_forwards ? { has_protected_content: true } : {}),
        ...(chat.type === 'group' && chat.slow_mode_seconds > 0 ? { slow_mode_delay: chat.slow_mode_seconds } : {}),
        ...(chat.linked_chat_id === null ? {} : { linked_chat_id: telegramChatId({ id: chat.linked_chat_id, type: 'group' }, null) }),
      };
    },
    getChatMember: async (call) => {
      const peer = await peerOf(call);
      const chat = await chatRowOf(call, peer);
      return memberOf(chat, call.params.requiredInt('user_id'));
    },
    getChatMemberCount: async (call) => (await chatRowOf(call, await peerOf(call))).member_count,
    getChatAdministrators: async (call) => {
      const chat = await groupChatOf(call);
      const rows = await deps.db.selectFrom('chat_members').select('user_id').where('chat_id', '=', chat.id).where('role', 'in', ['owner', 'admin']).orderBy('role', 'desc').orderBy('joined_at').orderBy('user_id').execute();
      const members: TgObject[] = [];
      for (const row of rows) members.push(await memberOf(chat, row.user_id));
      return members;
    },
    banChatMember: async (call) => {
      const chat = await groupChatOf(call);
      const userId = call.params.requiredInt('user_id');
      const until = call.params.int('until_date') ?? 0;
      const now = Math.floor(deps.clock.nowMs() / 1000);
      // Telegram: less than 30 seconds or more than 366 days from now is for ever.
      const untilDate = until === 0 || until - now < 30 || until - now > 366 * 86400 ? null : until;
      await deps.chats.ban(call.bot.id, { chatId: chat.id, userId, untilDate });
      if (call.params.bool('revoke_messages') === true) await revokeMessagesOf(deps, call.bot.id, chat.id, userId);
      return true;
    },
    unbanChatMember: async (call) => {
      const chat = await groupChatOf(call);
      const userId = call.params.requiredInt('user_id');
      const ban = await deps.db.selectFrom('chat_bans').select('user_id').where('chat_id', '=', chat.id).where('user_id', '=', userId).executeTakeFirst();
      if (ban !== undefined) await deps.chats.unban(call.bot.id, { chatId: chat.id, userId });
      else if (call.params.bool('only_if_banned') !== true) {
        // Telegram's unban of a member who is not banned removes them (they may join again).
        const member = await deps.db.selectFrom('chat_members').select('role').where('chat_id', '=', chat.id).where('user_id', '=', userId).executeTakeFirst();
        if (member !== undefined) await deps.chats.removeMember(call.bot.id, { chatId: chat.id, userId });
      }
      return true;
    },
    pinChatMessage: async (call) => {
      const peer = await peerOf(call);
      const messageId = messageIdOf(call, 'pin');
      await renameNotFound('pin', () => deps.messages.pin(call.bot.id, { peer, messageId, isSilent: call.params.bool('disable_notification') ?? false }));
      return true;
    },
    unpinChatMessage: async (call) => {
      const peer = await peerOf(call);
      await deps.messages.pin(call.bot.id, { peer, messageId: null });
      return true;
    },
    setMessageReaction: async (call) => {
      const peer = await peerOf(call);
      const messageId = messageIdOf(call, 'react');
      const reaction = call.params.json('reaction') ?? [];
      if (!Array.isArray(reaction)) throw badRequest('reaction must be an array of ReactionType');
      const first = reaction[0] as { type?: unknown; emoji?: unknown } | undefined;
      if (first !== undefined && (first.type !== 'emoji' || typeof first.emoji !== 'string')) throw badRequest('REACTION_INVALID');
      await renameNotFound('react', () => deps.messages.react(call.bot.id, { peer, messageId, emoji: first === undefined ? null : (first.emoji as string) }));
      return true;
    },
    leaveChat: async (call) => {
      const chat = await groupChatOf(call);
      await deps.chats.leave(call.bot.id, chat.id);
      return true;
    },
  };
  return new Map(Object.entries(methods).map(([name, run]) => [name.toLowerCase(), run]));
}

const CHAT_ACTIONS = new Set(['typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note']);

/** The image type the first bytes show (PNG, JPEG, GIF, WebP), or null. */
export function sniffImageType(bytes: Buffer): string | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}

/** Where getFile says a file is: `/file/bot<token>/<file_path>` serves it. */
export function filePath(fileId: string, name: string): string {
  const safeName = name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100) || 'file';
  return `${fileId}/${safeName}`;
}

function optionalInt(call: BotCall, param: string, key: string): Record<string, number> {
  const value = call.params.int(param);
  return value === undefined || value < 0 ? {} : { [key]: value };
}

function checkAllowedUpdates(value: unknown): string[] {
  if (!Array.isArray(value) || value.some((kind) => typeof kind !== 'string')) throw badRequest('allowed_updates must be an array of strings');
  // Kinds Samizdat does not produce (inline queries, polls, …) are accepted and simply never come.
  return (value as string[]).filter((kind) => kind.length <= 64).slice(0, 32);
}

function checkDefaultScope(params: BotParams): void {
  const scope = params.json('scope') as { type?: unknown } | undefined;
  if (scope !== undefined && scope.type !== 'default') throw badRequest('only the default command scope is supported');
}

function checkCommands(value: unknown): BotCommand[] {
  if (!Array.isArray(value)) throw badRequest("can't parse commands JSON object");
  if (value.length > 100) throw badRequest('too many commands');
  return value.map((item: unknown) => {
    const { command, description } = (item ?? {}) as { command?: unknown; description?: unknown };
    const name = typeof command === 'string' ? command.replace(/^\//, '').toLowerCase() : '';
    if (!/^[a-z0-9_]{1,32}$/.test(name)) throw badRequest('BOT_COMMAND_INVALID');
    if (typeof description !== 'string' || description.length < 1 || description.length > 256) throw badRequest('command description must be non-empty');
    return { command: name, description };
  });
}

/** banChatMember's revoke_messages: the member's messages go for everyone, as an admin may delete them. */
async function revokeMessagesOf(deps: BotApiDeps, botId: number, chatId: number, userId: number): Promise<void> {
  const rows = await deps.db.selectFrom('messages').select('id').where('chat_id', '=', chatId).where('sender_id', '=', userId).where('is_deleted', '=', 0).orderBy('id', 'desc').limit(1000).execute();
  for (let start = 0; start < rows.length; start += 100) {
    await deps.messages.delete(botId, { peer: { type: 'chat', chatId }, messageIds: rows.slice(start, start + 100).map((r) => r.id), forEveryone: true });
  }
}
