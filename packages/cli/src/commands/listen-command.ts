import { ClientClosedError, type SamizdatClient } from '@samizdat/client';
import { RpcError, type Chat, type PresenceFrame, type TypingFrame, type Update, type User } from '@samizdat/protocol';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { commandContext, type CommandContext } from '../command-context.ts';
import { formatPresenceLine, formatTypingLine, formatUpdateLine, formatUser } from '../format.ts';
import { output } from '../output.ts';
import { createClient, formatSeconds, requireLogin } from '../session.ts';
import { waitForStopSignal, withForcedExit } from '../signals.ts';

/** `samizdat listen`: prints the account's updates as they come, after those missed since last time. */
export function listenCommand(): Command {
  return new Command('listen')
    .description(
      'Print every update (messages, edits, reactions, read receipts, group and channel events) until interrupted; ' +
        'first those missed since the last listen',
    )
    .addHelpText(
      'after',
      '\nLines: [chat 3] Alice: hi\n' +
        '       [group 5 "Team"] Bob [reply to #12]: yes\n' +
        '       [channel 7 "News"] pinned #4\n' +
        '\nWith --json: one value per line. An update of your own sequence (private chats, joins and\n' +
        'leaves, drafts, and whatever the server keeps there) is the protocol\'s Update object itself:\n' +
        '  {"type":"newMessage","pts":7,"message":{"chatId":3,"id":12,"senderId":2,"text":"hi",…}}\n' +
        'An update of a group\'s or channel\'s own sequence is wrapped with the chat it belongs to:\n' +
        '  {"chatId":5,"update":{"type":"newMessage","pts":31,"message":{"chatId":5,"id":40,…}}}\n' +
        'so a line with "type" at the top is from your sequence and a line with "chatId" and "update" from a chat\'s.\n' +
        'With --ephemeral, typing and presence notices too (never replayed), as\n' +
        '  {"typing":{"chatId":5,"userId":2,"action":"typing","expiresAt":1700000006}}\n' +
        '  {"presence":{"userId":2,"status":{"type":"online","expiresAt":1700000300}}}\n' +
        '\nCtrl-C (SIGINT) or SIGTERM stops it with exit code 0; where it stopped is saved in the profile.',
    )
    .option('--ephemeral', 'also print who is typing and who comes online or goes offline')
    .action(async (options: { ephemeral?: boolean }, command: Command) => {
      await listen(commandContext(command), { isEphemeralShown: options.ephemeral === true });
    });
}

type Outcome = { kind: 'stopped' } | { kind: 'loggedOut' };

async function listen(context: CommandContext, options: { isEphemeralShown: boolean }): Promise<void> {
  const { profile, timeoutMs } = context;
  const server = await requireLogin(profile);
  // The update stream is this command's: it alone moves the saved pts, so the next listen resumes here.
  const client = createClient({ server, profile, timeoutMs, isPtsPersisted: true });
  const printer = new UpdatePrinter(client, context.isJson);
  let isConnectedOnce = false;
  let isStopping = false;
  client.on('users', (users) => printer.remember(users));
  client.on('update', (update) => printer.print(update, null));
  client.on('chatUpdate', ({ chatId, update }) => printer.print(update, chatId));
  if (options.isEphemeralShown) {
    client.on('typing', (frame) => printer.printTyping(frame));
    client.on('presence', (frame) => printer.printPresence(frame));
  }
  client.on('tooLong', (state) =>
    output.note(`Too many updates were missed to replay them; skipped to pts ${state.pts}. Run samizdat chats to see where things stand`),
  );
  client.on('chatTooLong', ({ chatId, state }) =>
    output.note(`Too many updates of chat ${chatId} were missed to replay them; skipped to its pts ${state.pts}. Run samizdat history ${chatId} to catch up`),
  );
  client.on('error', (error) => output.note(`Warning: ${error.message}`));
  // One note per outage, not one per failed reconnect attempt.
  let isOutage = false;
  client.on('connectionState', (state) => {
    if (!isConnectedOnce || isStopping) return;
    if (state === 'disconnected' && !isOutage) output.note(`Connection to ${server} lost; reconnecting`);
    if (state === 'connected' && isOutage) output.note(`Reconnected to ${server}`);
    if (state !== 'connecting') isOutage = state === 'disconnected';
  });
  const loggedOut = new Promise<Outcome>((done) => client.on('loggedOut', () => done({ kind: 'loggedOut' })));
  const stopped = waitForStopSignal().then((): Outcome => ({ kind: 'stopped' }));

  // Unlike one-shot commands, a listener keeps trying to reach the server; it only says so.
  const slowNotice = setTimeout(
    () => output.note(`Cannot reach ${server} within ${formatSeconds(timeoutMs)}; still trying (Ctrl-C stops)`),
    timeoutMs,
  );
  let outcome: Outcome;
  try {
    const connected = client.connect().then(
      (welcome): Outcome | null => {
        // Reached: from here on, outages are reported by the connection-state notes instead.
        clearTimeout(slowNotice);
        if (welcome.user === null) return { kind: 'loggedOut' };
        isConnectedOnce = true;
        printer.setSelf(welcome.user);
        if (!context.isJson) output.note(`Listening as ${formatUser(welcome.user)} on ${server}; Ctrl-C stops`);
        return null;
      },
      (error: unknown): Outcome => {
        if (error instanceof ClientClosedError) return { kind: 'stopped' };
        throw error;
      },
    );
    outcome = (await Promise.race([connected, stopped])) ?? (await Promise.race([stopped, loggedOut]));
  } finally {
    clearTimeout(slowNotice);
    isStopping = true;
    await withForcedExit(async () => {
      await printer.drain();
      await client.close();
    });
  }
  if (outcome.kind === 'loggedOut') {
    throw new CliError('NOT_LOGGED_IN', `Cannot listen: the server ended this session of profile ${profile.dir}; log in again`);
  }
}

/**
 * Prints updates in the order they arrive. Human lines need names (of the sender, of the group or
 * channel), which may take a `users.getUsers` or `chats.get` call, so printing is chained to keep
 * the order; JSON lines need no lookup.
 */
class UpdatePrinter {
  readonly #client: SamizdatClient;
  readonly #isJson: boolean;
  readonly #users = new Map<number, User>();
  /** Chats looked up so far; null for one the server would not show (the line then says `[chat N]`). */
  readonly #chats = new Map<number, Chat | null>();
  #selfId = 0;
  #chain: Promise<void> = Promise.resolve();

  constructor(client: SamizdatClient, isJson: boolean) {
    this.#client = client;
    this.#isJson = isJson;
  }

  setSelf(user: User): void {
    this.#selfId = user.id;
    this.#users.set(user.id, user);
  }

  remember(users: readonly User[]): void {
    for (const user of users) this.#users.set(user.id, user);
  }

  /** Prints an update of the user's sequence (`chatId` null) or of a group's or channel's. */
  print(update: Update, chatId: number | null): void {
    if (this.#isJson) {
      // No names to look up: straight out, in the order the SDK delivers.
      output.json(chatId === null ? update : { chatId, update });
      return;
    }
    this.#chain = this.#chain.then(() => this.#printHuman(update));
  }

  /** Prints a typing notice (`--ephemeral`). */
  printTyping(frame: TypingFrame): void {
    const { type: _type, ...typing } = frame;
    if (this.#isJson) {
      output.json({ typing });
      return;
    }
    this.#chain = this.#chain.then(async () => {
      await this.#lookUpChat(frame.chatId, { isRefetched: false });
      await this.#lookUpUser(frame.userId);
      output.line(formatTypingLine(frame, { chats: this.#knownChats(), users: this.#users }));
    });
  }

  /** Prints a presence notice (`--ephemeral`). */
  printPresence(frame: PresenceFrame): void {
    const { type: _type, ...presence } = frame;
    if (this.#isJson) {
      output.json({ presence });
      return;
    }
    this.#chain = this.#chain.then(async () => {
      await this.#lookUpUser(frame.userId);
      output.line(formatPresenceLine(frame, this.#users));
    });
  }

  /** Settles once everything handed to `print` is out. */
  drain(): Promise<void> {
    return this.#chain;
  }

  async #printHuman(update: Update): Promise<void> {
    if (update.type === 'secretDevicesChanged') {
      await this.#lookUpUser(update.userId);
      output.line(formatUpdateLine(update, { chats: this.#knownChats(), users: this.#users, selfId: this.#selfId }));
      return;
    }
    const chatId = update.type === 'newMessage' || update.type === 'editMessage' ? update.message.chatId : update.chatId;
    // A changed title should show on the very line that reports the change.
    await this.#lookUpChat(chatId, { isRefetched: update.type === 'chatUpdated' });
    if (update.type === 'newMessage' || update.type === 'editMessage') await this.#lookUpUser(update.message.senderId);
    if (update.type === 'chatMember') await this.#lookUpUser(update.userId);
    output.line(formatUpdateLine(update, { chats: this.#knownChats(), users: this.#users, selfId: this.#selfId }));
  }

  /** The chats looked up with success. */
  #knownChats(): Map<number, Chat> {
    return new Map([...this.#chats].filter((entry): entry is [number, Chat] => entry[1] !== null));
  }

  async #lookUpUser(userId: number): Promise<void> {
    if (this.#users.has(userId)) return;
    try {
      const { users } = await this.#client.call('users.getUsers', { userIds: [userId] });
      this.remember(users);
    } catch {
      // The line still prints, with the id instead of the name.
    }
  }

  async #lookUpChat(chatId: number, options: { isRefetched: boolean }): Promise<void> {
    if (this.#chats.has(chatId) && !options.isRefetched) return;
    try {
      const { chat, users } = await this.#client.call('chats.get', { chatId });
      this.#chats.set(chatId, chat);
      this.remember(users);
    } catch (error) {
      // The line still prints, as `[chat N]`. A refusal (a chat left, or never visible) is not asked
      // again; a timeout or a dropped connection is, with the next update of the chat.
      if (error instanceof RpcError && !this.#chats.has(chatId)) this.#chats.set(chatId, null);
    }
  }
}
