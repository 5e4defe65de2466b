import { ClientClosedError, SecretChats, type SamizdatClient, type SecretChatsEvents } from '@samizdat/client';
import { assertNever, RpcError, type Chat, type PresenceFrame, type TypingFrame, type Update, type User, type Welcome } from '@samizdat/protocol';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { commandContext, type CommandContext } from '../command-context.ts';
import { formatPresenceLine, formatText, formatTypingLine, formatUpdateLine, formatUser, senderName, userName } from '../format.ts';
import { output } from '../output.ts';
import {
  describeDevicesChanged,
  describeTimer,
  formatSecretIds,
  formatSecretIncomingLine,
  formatSecretLabel,
  formatSecretReactions,
  printableSecretMessage,
  shortSecretId,
  type SecretLineContext,
} from '../secret-format.ts';
import { FileSecretStore } from '../secret-store.ts';
import { createClient, formatSeconds, requireLogin } from '../session.ts';
import { waitForStopSignal, withForcedExit } from '../signals.ts';

/** `samizdat listen`: prints the account's updates as they come, after those missed since last time. */
export function listenCommand(): Command {
  return new Command('listen')
    .description(
      'Print every update (messages, edits, reactions, read receipts, group and channel events, secret chats) until interrupted; ' +
        'first those missed since the last listen',
    )
    .addHelpText(
      'after',
      '\nLines: [chat 3] Alice: hi\n' +
        '       [group 5 "Team"] Bob [reply to #12]: yes\n' +
        '       [channel 7 "News"] pinned #4\n' +
        '       [chat 9] Echo (bot): Pick one\n' +
        '         [1] Yes  [2] No          (a bot\'s buttons, numbered for samizdat press)\n' +
        '\nWith --json: one value per line. An update of your own sequence (private chats, joins and\n' +
        'leaves, drafts, and whatever the server keeps there) is the protocol\'s Update object itself:\n' +
        '  {"type":"newMessage","pts":7,"message":{"chatId":3,"id":12,"senderId":2,"text":"hi",…}}\n' +
        'An update of a group\'s or channel\'s own sequence is wrapped with the chat it belongs to:\n' +
        '  {"chatId":5,"update":{"type":"newMessage","pts":31,"message":{"chatId":5,"id":40,…}}}\n' +
        'so a line with "type" at the top is from your sequence and a line with "chatId" and "update" from a chat\'s.\n' +
        'With --ephemeral, typing and presence notices too (never replayed), as\n' +
        '  {"typing":{"chatId":5,"userId":2,"action":"typing","expiresAt":1700000006}}\n' +
        '  {"presence":{"userId":2,"status":{"type":"online","expiresAt":1700000300}}}\n' +
        '\nSecret chats: this device takes part in them (its keys are made and registered on the first run),\n' +
        'and their messages are decrypted here and kept in the profile (see samizdat secret --help):\n' +
        '  [secret Alice] Alice: hello\n' +
        '  [secret Alice] You edited #1a2b3c4d: hello again\n' +
        '  [secret Alice] #1a2b3c4d self-destructed\n' +
        "  ⚠ [secret Bob] safety number changed: Bob's devices changed (+1 −0); run samizdat secret verify @bob\n" +
        'With --json, one line per secret-chat event, wrapped in "secret":\n' +
        '  {"secret":{"event":"message","peerUserId":2,"message":{"kind":"message","id":"1a2b…","text":"hello",…}}}\n' +
        '  events: ready (this device can be reached: {"event":"ready","deviceId":7}), message, messageEdited,\n' +
        '  messagesDeleted ("reason" deleted or expired), reaction, timerChanged, read, devicesChanged, decryptFailed.\n' +
        'Files of secret messages are shown without their key. A secret chat that cannot be used (its\n' +
        'file is unreadable, the server refuses) is told on stderr and the rest of listen goes on.\n' +
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
  let secret: SecretChats | null = null;
  try {
    const connected = client.connect().then(
      (welcome): Outcome | null => {
        // Reached: from here on, outages are reported by the connection-state notes instead.
        clearTimeout(slowNotice);
        if (welcome.user === null) return { kind: 'loggedOut' };
        isConnectedOnce = true;
        printer.setSelf(welcome.user);
        if (!context.isJson) output.note(`Listening as ${formatUser(welcome.user)} on ${server}; Ctrl-C stops`);
        secret = startSecretChats(client, context, printer, welcome);
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
      // Before the client closes: a change in flight (a drain, a send) finishes and is saved while
      // the connection still serves it.
      await (secret as SecretChats | null)?.close();
      await printer.drain();
      await client.close();
    });
  }
  if (outcome.kind === 'loggedOut') {
    throw new CliError('NOT_LOGGED_IN', `Cannot listen: the server ended this session of profile ${profile.dir}; log in again`);
  }
}

/**
 * Starts the device's secret chats on the signed-in client, without holding up the rest of
 * listen: their events go to `printer`, and a failure to start (an unreadable secret.json, a
 * server without secret chats) is a note, after which listen goes on without them.
 */
function startSecretChats(client: SamizdatClient, context: CommandContext, printer: UpdatePrinter, welcome: Welcome): SecretChats {
  const owner = welcome.user === null || welcome.sessionId === null ? undefined : { userId: welcome.user.id, deviceId: welcome.sessionId };
  const store = new FileSecretStore(context.profile, { lockTimeoutMs: context.timeoutMs, owner });
  const secret = new SecretChats(client, { store });
  printer.setSecretChats(secret);
  // The cast pairs each event with its own payload type, which the loop variable cannot express.
  for (const event of SECRET_EVENTS) secret.on(event, (payload) => printer.printSecret({ event, payload } as SecretItem));
  secret.on('error', (error) => output.note(`Warning: secret chats: ${error.message}`));
  secret.start().then(
    () => printer.printSecretReady(secret.deviceId),
    async (error: unknown) => {
      printer.setSecretChats(null);
      await secret.close().catch(() => {});
      if (error instanceof ClientClosedError) return;
      output.note(`Warning: secret chats are off for this listen: ${error instanceof Error ? error.message : String(error)}`);
    },
  );
  return secret;
}

/** The events of SecretChats that listen prints (its `error` is a note). */
const SECRET_EVENTS = ['message', 'messageEdited', 'messagesDeleted', 'reaction', 'timerChanged', 'read', 'devicesChanged', 'decryptFailed'] as const;
type SecretEvent = (typeof SECRET_EVENTS)[number];

/** One event of SecretChats with its payload, as a union that a switch on `event` narrows. */
type SecretItem = { [E in SecretEvent]: { event: E; payload: SecretChatsEvents[E] } }[SecretEvent];

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
  /** The secret chats while they run: their own events then report device changes. */
  #secret: SecretChats | null = null;

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

  setSecretChats(secret: SecretChats | null): void {
    this.#secret = secret;
  }

  /** Prints an update of the user's sequence (`chatId` null) or of a group's or channel's. */
  print(update: Update, chatId: number | null): void {
    if (this.#isJson) {
      // No names to look up: straight out, in the order the SDK delivers.
      output.json(chatId === null ? update : { chatId, update });
      return;
    }
    // With secret chats running, their devicesChanged event says it, for the chats it concerns
    // and with the numbers of devices; this update would say it a second time.
    if (update.type === 'secretDevicesChanged' && this.#secret !== null) return;
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

  /** Says that this device takes part in secret chats from now on. */
  printSecretReady(deviceId: number): void {
    if (this.#isJson) output.json({ secret: { event: 'ready', deviceId } });
    else output.note(`Secret chats ready on this device (device ${deviceId})`);
  }

  /** Prints an event of the secret chats: a JSON line, or a human line once the names are known. */
  printSecret(item: SecretItem): void {
    if (this.#isJson) {
      const { payload } = item;
      const printable = 'message' in payload ? { ...payload, message: printableSecretMessage(payload.message) } : payload;
      output.json({ secret: { event: item.event, ...printable } });
      return;
    }
    this.#chain = this.#chain.then(() => this.#printSecretHuman(item));
  }

  async #printSecretHuman(item: SecretItem): Promise<void> {
    const context = (peerUserId: number): SecretLineContext => ({ peerUserId, users: this.#users, selfId: this.#selfId });
    if (item.event === 'decryptFailed') {
      const failure = item.payload;
      await this.#lookUpUser(failure.senderUserId);
      output.note(
        `Warning: [secret] a message from ${userName(failure.senderUserId, this.#users)} (device ${failure.senderDeviceId}) ` +
          `cannot be decrypted and was dropped: ${failure.reason}`,
      );
      return;
    }
    if (item.event === 'devicesChanged') {
      const change = item.payload;
      // One's own devices concern every secret chat, a peer's the chat with them; a user without one is nobody's business here.
      const chats = this.#secret?.chats() ?? [];
      const peers =
        change.userId === this.#selfId ? chats.map((chat) => chat.peerUserId) : chats.some((chat) => chat.peerUserId === change.userId) ? [change.userId] : [];
      for (const peerUserId of peers) {
        await this.#lookUpUser(peerUserId);
        output.line(`⚠ ${formatSecretLabel(context(peerUserId))} ${describeDevicesChanged(change, context(peerUserId))}`);
      }
      return;
    }
    await this.#lookUpUser(item.payload.peerUserId);
    const lineContext = context(item.payload.peerUserId);
    const label = formatSecretLabel(lineContext);
    switch (item.event) {
      case 'message':
        output.line(formatSecretIncomingLine(item.payload.message, lineContext, Date.now()));
        return;
      case 'messageEdited': {
        const { message } = item.payload;
        output.line(`${label} ${senderName(message.senderUserId, this.#users, this.#selfId)} edited ${shortSecretId(message.id)}: ${formatText(message.text)}`);
        return;
      }
      case 'messagesDeleted': {
        const { ids, reason } = item.payload;
        output.line(reason === 'expired' ? `${label} ${formatSecretIds(ids)} self-destructed` : `${label} deleted ${formatSecretIds(ids)}`);
        return;
      }
      case 'reaction': {
        const { message } = item.payload;
        const reactions = formatSecretReactions(message.reactions, lineContext);
        output.line(reactions === '' ? `${label} no reactions on ${shortSecretId(message.id)} any more` : `${label} reactions on ${shortSecretId(message.id)}: ${reactions}`);
        return;
      }
      case 'timerChanged':
        output.line(`${label} ${describeTimer(item.payload.ttlSeconds, item.payload.byUserId, lineContext)}`);
        return;
      case 'read': {
        // Messages are read by the user they were sent to: the peer for one's own, oneself (on
        // another device) for the peer's.
        const { ids, peerUserId } = item.payload;
        const first = this.#secret?.chat(peerUserId)?.history.find((entry) => entry.kind === 'message' && entry.id === ids[0]);
        const reader = first?.kind !== 'message' ? 'read:' : first.senderUserId === this.#selfId ? `${userName(peerUserId, this.#users)} read` : 'You read';
        output.line(`${label} ${reader} ${formatSecretIds(ids)}`);
        return;
      }
      default:
        assertNever(item);
    }
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
