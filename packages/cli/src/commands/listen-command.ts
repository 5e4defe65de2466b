import { ClientClosedError, type SamizdatClient } from '@samizdat/client';
import { assertNever, type Update, type User } from '@samizdat/protocol';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { commandContext, type CommandContext } from '../command-context.ts';
import { formatIncomingLine, formatUser } from '../format.ts';
import { output } from '../output.ts';
import { createClient, formatSeconds, requireLogin } from '../session.ts';
import { waitForStopSignal, withForcedExit } from '../signals.ts';

/** `samizdat listen`: prints the account's updates as they come, after those missed since last time. */
export function listenCommand(): Command {
  return new Command('listen')
    .description('Print every update (new messages, read receipts) until interrupted; first those missed since the last listen')
    .addHelpText(
      'after',
      '\nWith --json: one Update object of the protocol per line, e.g.\n' +
        '  {"type":"newMessage","pts":7,"message":{"chatId":3,"id":12,"senderId":2,"date":1700000000,"text":"hi","randomId":"…"}}\n' +
        'Ctrl-C (SIGINT) or SIGTERM stops it with exit code 0; where it stopped is saved in the profile.',
    )
    .action(async (_options: unknown, command: Command) => {
      await listen(commandContext(command));
    });
}

type Outcome = { kind: 'stopped' } | { kind: 'loggedOut' };

async function listen(context: CommandContext): Promise<void> {
  const { profile, timeoutMs } = context;
  const server = await requireLogin(profile);
  // The update stream is this command's: it alone moves the saved pts, so the next listen resumes here.
  const client = createClient({ server, profile, timeoutMs, isPtsPersisted: true });
  const printer = new UpdatePrinter(client, context.isJson);
  let isConnectedOnce = false;
  let isStopping = false;
  client.on('users', (users) => printer.remember(users));
  client.on('update', (update) => printer.print(update));
  client.on('tooLong', (state) =>
    output.note(`Too many updates were missed to replay them; skipped to pts ${state.pts}. Run samizdat chats to see where things stand`),
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
 * Prints updates in the order they arrive. Human lines need the sender's name, which may take a
 * `users.getUsers` call, so printing is chained to keep the order; JSON lines need no lookup.
 */
class UpdatePrinter {
  readonly #client: SamizdatClient;
  readonly #isJson: boolean;
  readonly #users = new Map<number, User>();
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

  print(update: Update): void {
    if (this.#isJson) {
      // No names to look up: straight out, in the order the SDK delivers.
      output.json(update);
      return;
    }
    this.#chain = this.#chain.then(() => this.#printHuman(update));
  }

  /** Settles once everything handed to `print` is out. */
  drain(): Promise<void> {
    return this.#chain;
  }

  async #printHuman(update: Update): Promise<void> {
    switch (update.type) {
      case 'newMessage':
        await this.#lookUp(update.message.senderId);
        output.line(formatIncomingLine(update.message, this.#users, this.#selfId));
        return;
      case 'readHistoryInbox':
        output.line(`[chat ${update.chatId}] you read up to #${update.maxId}`);
        return;
      case 'readHistoryOutbox':
        output.line(`[chat ${update.chatId}] read by the other side up to #${update.maxId}`);
        return;
      default:
        assertNever(update);
    }
  }

  async #lookUp(userId: number): Promise<void> {
    if (this.#users.has(userId)) return;
    try {
      const { users } = await this.#client.call('users.getUsers', { userIds: [userId] });
      this.remember(users);
    } catch {
      // The line still prints, with the id instead of the name.
    }
  }
}
