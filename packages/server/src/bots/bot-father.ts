import { randomBytes } from 'node:crypto';
import { RpcError, type BotCommand, type ReplyMarkup } from '@samizdat/protocol';
import { botTopic, type Bus } from '../bus/bus.ts';
import type { MessageService } from '../messages/message-service.ts';
import type { Logger } from '../shared/logger.ts';
import type { BotAccounts, BotIdentity } from './bot-accounts.ts';
import type { BotInbox, BotUpdate } from './bot-inbox.ts';

/** Where a user is in a conversation with @BotFather. */
type Step =
  | { step: 'idle' }
  | { step: 'name' }
  | { step: 'username'; name: string }
  | { step: 'choose'; action: 'token' | 'revoke' | 'setcommands' | 'setprivacy' }
  | { step: 'commands'; botId: number; username: string }
  | { step: 'privacy'; botId: number; username: string };

const HELP = [
  'I can help you create and manage Samizdat bots. Their programs talk to the Bot API, which works like Telegram’s.',
  '',
  '/newbot - create a new bot',
  '/mybots - list your bots',
  '/token - show a bot’s token',
  '/revoke - replace a bot’s token with a new one',
  '/setcommands - change a bot’s list of commands',
  '/setprivacy - change what a bot hears in groups',
  '/cancel - stop the current operation',
].join('\n');

const HELP_COMMANDS: BotCommand[] = [
  { command: 'newbot', description: 'Create a new bot' },
  { command: 'mybots', description: 'List your bots' },
  { command: 'token', description: 'Show a bot’s token' },
  { command: 'revoke', description: 'Replace a bot’s token' },
  { command: 'setcommands', description: 'Change a bot’s commands' },
  { command: 'setprivacy', description: 'Change a bot’s privacy mode' },
  { command: 'cancel', description: 'Stop the current operation' },
];

/**
 * The built-in @BotFather: a bot like any other (it reads its updates from the same inbox and
 * answers through the same message service), whose program runs inside the server.
 */
export class BotFather {
  readonly #steps = new Map<number, Step>();
  #identity: BotIdentity | null = null;
  #nextOffset = 0;
  #draining: Promise<void> = Promise.resolve();
  #unsubscribe: () => void = () => {};

  constructor(private readonly deps: { bots: BotAccounts; inbox: BotInbox; messages: MessageService; bus: Bus; logger: Logger; apiRoot: () => string }) {}

  async start(): Promise<void> {
    this.#identity = await this.deps.bots.ensureBotFather();
    await this.deps.bots.setCommands(this.#identity.id, HELP_COMMANDS);
    this.#unsubscribe = this.deps.bus.subscribe(botTopic(this.#identity.id), () => this.#drain());
    this.#drain();
  }

  stop(): void {
    this.#unsubscribe();
  }

  /** Waits until what has arrived so far has been answered (for tests and shutdown). */
  idle(): Promise<void> {
    return this.#draining;
  }

  #drain(): void {
    this.#draining = this.#draining.then(async () => {
      const identity = this.#identity!;
      for (;;) {
        const updates = await this.deps.inbox.take(identity.id, { offset: this.#nextOffset, limit: 100 });
        if (updates.length === 0) return;
        for (const update of updates) {
          this.#nextOffset = update.update_id + 1;
          await this.#handle(update).catch((error: unknown) => this.deps.logger.log('error', 'botfather.failed', { error: String(error) }));
        }
      }
    });
  }

  async #handle(update: BotUpdate): Promise<void> {
    const message = update.message as { from?: { id: number; is_bot: boolean }; chat: { type: string }; text?: string } | undefined;
    if (message?.from === undefined || message.chat.type !== 'private' || message.from.is_bot) return;
    const userId = message.from.id;
    const text = (message.text ?? '').trim();
    const command = /^\/([a-z]+)(?:@botfather)?$/i.exec(text)?.[1]?.toLowerCase();
    if (command !== undefined) return this.#command(userId, command);
    const step = this.#steps.get(userId) ?? { step: 'idle' };
    switch (step.step) {
      case 'idle':
        return this.#say(userId, 'I don’t understand that. Send /help for what I can do.');
      case 'name':
        if (text === '' || text.length > 64) return this.#say(userId, 'A name is 1 to 64 characters. Please choose a name for your bot.');
        this.#steps.set(userId, { step: 'username', name: text });
        return this.#say(userId, 'Good. Now let’s choose a username for your bot. It must end in `bot`. Like this, for example: TetrisBot or tetris_bot.');
      case 'username':
        return this.#create(userId, step.name, text);
      case 'choose':
        return this.#chosen(userId, step.action, text);
      case 'commands':
        return this.#setCommands(userId, step, text);
      case 'privacy':
        return this.#setPrivacy(userId, step, text);
    }
  }

  async #command(userId: number, command: string): Promise<void> {
    switch (command) {
      case 'start':
      case 'help':
        this.#steps.delete(userId);
        return this.#say(userId, HELP);
      case 'cancel':
        this.#steps.delete(userId);
        return this.#say(userId, 'OK, cancelled. Anything else? Send /help for what I can do.', { type: 'removeKeyboard' });
      case 'newbot':
        this.#steps.set(userId, { step: 'name' });
        return this.#say(userId, 'Alright, a new bot. How are we going to call it? Please choose a name for your bot.');
      case 'mybots': {
        const mine = await this.deps.bots.mine(userId);
        return this.#say(userId, mine.length === 0 ? 'You have no bots yet. Use /newbot to create one.' : `Your bots:\n${mine.map((bot) => `@${bot.username} — ${bot.displayName}`).join('\n')}`);
      }
      case 'token':
      case 'revoke':
      case 'setcommands':
      case 'setprivacy': {
        const mine = await this.deps.bots.mine(userId);
        if (mine.length === 0) return this.#say(userId, 'You have no bots yet. Use /newbot to create one.');
        this.#steps.set(userId, { step: 'choose', action: command });
        return this.#say(userId, 'Choose a bot.', {
          type: 'replyKeyboard',
          rows: mine.map((bot) => [{ text: `@${bot.username}` }]),
          resize: true,
          oneTime: true,
          placeholder: null,
        });
      }
      default:
        return this.#say(userId, 'Unrecognized command. Send /help for what I can do.');
    }
  }

  async #create(userId: number, name: string, username: string): Promise<void> {
    try {
      const { user, token } = await this.deps.bots.create(userId, username, name);
      this.#steps.delete(userId);
      return this.#say(
        userId,
        [
          `Done! Congratulations on your new bot. You will find it at @${user.username}. You can now add a description and commands: send /setcommands.`,
          '',
          'Use this token to access the HTTP API:',
          token,
          '',
          `Keep your token secure; anyone who has it can control your bot. The API root is ${this.deps.apiRoot()}/bot<token>/<method>, as on Telegram.`,
        ].join('\n'),
      );
    } catch (error) {
      if (!(error instanceof RpcError)) throw error;
      if (error.code === 'USERNAME_OCCUPIED') return this.#say(userId, 'Sorry, this username is already taken. Please try something different.');
      if (error.code === 'BOT_USERNAME_INVALID') return this.#say(userId, 'Sorry, the username must end in “bot” and use 5 to 32 letters, digits and underscores, starting with a letter. Please try again.');
      this.#steps.delete(userId);
      return this.#say(userId, `Sorry, I could not create the bot: ${error.message}`);
    }
  }

  async #chosen(userId: number, action: 'token' | 'revoke' | 'setcommands' | 'setprivacy', text: string): Promise<void> {
    const wanted = text.replace(/^@/, '').toLowerCase();
    const bot = (await this.deps.bots.mine(userId)).find((candidate) => candidate.username?.toLowerCase() === wanted);
    if (bot === undefined) return this.#say(userId, 'Invalid bot selected. Choose one of your bots, or send /cancel.');
    const username = bot.username ?? '';
    if (action === 'token') {
      this.#steps.delete(userId);
      return this.#say(userId, `You can use this token to access the HTTP API of @${username}:\n${await this.deps.bots.token(userId, bot.id)}`, { type: 'removeKeyboard' });
    }
    if (action === 'revoke') {
      this.#steps.delete(userId);
      const token = await this.deps.bots.revokeToken(userId, bot.id);
      return this.#say(userId, `Your token for @${username} was replaced with a new one; the old one no longer works. Use this token to access the HTTP API:\n${token}`, { type: 'removeKeyboard' });
    }
    if (action === 'setcommands') {
      this.#steps.set(userId, { step: 'commands', botId: bot.id, username });
      return this.#say(userId, `OK. Send me a list of commands for @${username}, one per line, like this:\n\ncommand1 - Description\ncommand2 - Another description\n\nSend /empty to clear the list.`, { type: 'removeKeyboard' });
    }
    this.#steps.set(userId, { step: 'privacy', botId: bot.id, username });
    return this.#say(userId, `In privacy mode, @${username} hears only commands and replies to it in groups (unless it is an admin there). Enable or disable it?`, {
      type: 'replyKeyboard',
      rows: [[{ text: 'Enable' }, { text: 'Disable' }]],
      resize: true,
      oneTime: true,
      placeholder: null,
    });
  }

  async #setCommands(userId: number, step: { botId: number; username: string }, text: string): Promise<void> {
    const commands: BotCommand[] = [];
    if (text !== '/empty') {
      for (const line of text.split('\n').map((l) => l.trim()).filter((l) => l !== '')) {
        const match = /^\/?([a-z0-9_]{1,32})\s*[-—–]\s*(.{1,256})$/i.exec(line);
        if (match === null) return this.#say(userId, `Sorry, “${line.slice(0, 80)}” is not a command. Use: command - Description (lowercase letters, digits and _).`);
        commands.push({ command: match[1]!.toLowerCase(), description: match[2]!.trim() });
      }
    }
    await this.deps.bots.setCommands(step.botId, commands);
    this.#steps.delete(userId);
    return this.#say(userId, commands.length === 0 ? `The command list of @${step.username} is now empty.` : `Success! The command list of @${step.username} was updated.`);
  }

  async #setPrivacy(userId: number, step: { botId: number; username: string }, text: string): Promise<void> {
    const choice = text.toLowerCase();
    if (choice !== 'enable' && choice !== 'disable') return this.#say(userId, 'Please answer Enable or Disable, or send /cancel.');
    await this.deps.bots.update(step.botId, { privacy_mode: choice === 'enable' ? 1 : 0 });
    this.#steps.delete(userId);
    return this.#say(userId, `Privacy mode of @${step.username} is now ${choice === 'enable' ? 'enabled' : 'disabled'}.`, { type: 'removeKeyboard' });
  }

  async #say(userId: number, text: string, replyMarkup?: ReplyMarkup): Promise<void> {
    await this.deps.messages.send(
      this.#identity!.id,
      { peer: { type: 'user', userId }, text, randomId: randomBytes(12).toString('base64url') },
      { noNewPrivateChat: true, ...(replyMarkup === undefined ? {} : { replyMarkup }) },
    );
  }
}
