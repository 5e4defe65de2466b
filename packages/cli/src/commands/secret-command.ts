import { randomBytes } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { RpcError, SecretChats, type SecretChatsEvents, type SecretChatView, type SecretMessage } from '@samizdat/client';
import { MAX_CAPTION_LENGTH, SECRET_TTL_SECONDS_MAX, SECRET_TTL_SECONDS_MIN, type MediaKind, type User } from '@samizdat/protocol';
import { Command, InvalidArgumentError, Option } from 'commander';
import { integerIn } from '../arguments.ts';
import { CliError } from '../cli-error.ts';
import { commandContext, type CommandContext } from '../command-context.ts';
import { chooseDownloadPathFor, moveIntoPlace, safeFileName } from '../download-target.ts';
import { describeFsError, openFileSource } from '../file-handle-source.ts';
import { formatUser, sanitize, senderName } from '../format.ts';
import { guessMediaKind, guessMimeType, MEDIA_KINDS } from '../media-kind.ts';
import { output } from '../output.ts';
import { resolveUser, USER_HELP } from '../peer.ts';
import {
  describeDevicesChanged,
  formatSafetyNumberLines,
  formatSecretHistoryLine,
  formatTtl,
  peerArgument,
  printableSecretEntry,
  printableSecretMessage,
  SHORT_ID_LENGTH,
  shortSecretId,
  verifyHint,
  type SecretLineContext,
} from '../secret-format.ts';
import { FileSecretStore } from '../secret-store.ts';
import { withSession, type Session } from '../session.ts';
import { abortOnStopSignal } from '../signals.ts';
import { readCaptionArgument, readTextArgument } from '../text-input.ts';

/** The help text of a secret message id argument. */
const SECRET_ID_HELP = `the message, as secret history shows it (#1a2b3c4d): its id or a unique prefix of ${SHORT_ID_LENGTH / 2} characters or more`;

/** Shortest id prefix accepted: with 4 hex characters, 65,536 messages before two are likely to share one. */
const MIN_ID_PREFIX = SHORT_ID_LENGTH / 2;

/** `samizdat secret …`: end-to-end encrypted chats, kept on this device only. */
export function secretCommand(): Command {
  return new Command('secret')
    .description('End-to-end encrypted secret chats: only your devices and theirs can read them, never the server')
    .addHelpText(
      'after',
      '\nA secret chat covers every device of both users that takes part in secret chats; each message is\n' +
        "encrypted on this device for each of them. A device takes part once it ran samizdat listen or any\n" +
        'samizdat secret command. The keys and the decrypted history live only in this profile\n' +
        '(secret.json, mode 0600); logout deletes them. Compare safety numbers (samizdat secret verify PEER)\n' +
        'in person or over another channel: a new device of either of you changes the number, and the\n' +
        'history and listen say so.\n' +
        '\nForwarding is disabled: messages of a secret chat cannot be forwarded (samizdat forward refuses\n' +
        'them), and they never reach the server in the clear.\n' +
        '\nMessages that arrive while no listen runs wait on the server (encrypted) until any command of\n' +
        'this group or listen fetches them into the history. Message ids are shown as #1a2b3c4d; commands\n' +
        'take the full id or any unique prefix of 4 characters or more.',
    )
    .addCommand(startCommand())
    .addCommand(sendCommand())
    .addCommand(sendFileCommand())
    .addCommand(historyCommand())
    .addCommand(chatsCommand())
    .addCommand(verifyCommand())
    .addCommand(timerCommand())
    .addCommand(downloadCommand())
    .addCommand(editCommand())
    .addCommand(deleteCommand())
    .addCommand(reactCommand());
}

/** A signed-in session with its secret chats started. */
export interface SecretSession extends Session {
  secret: SecretChats;
  store: FileSecretStore;
  /** Resolves a PEER argument that names a user, and remembers it for the hints the command prints. */
  resolveUser(input: string): Promise<User>;
}

/** Options of {@link withSecretChats}. */
interface WithSecretChatsOptions {
  /** Whether messages that arrived during the command are pointed out at its end (not for `history`, which shows them). */
  isArrivalNoted?: boolean;
}

/**
 * Runs `run` with the profile's secret chats started on a signed-in session: the device's keys
 * loaded (or made and registered on first use) and the envelopes that waited for it applied to
 * the history. Then hands everything sent to the server (`flush`) and closes. A message that
 * could not be handed over fails the command with `CONNECTION_FAILED`; it stays encrypted in the
 * profile and goes out with the next secret command or listen. Changed devices, envelopes that
 * would not decrypt and background failures are told on stderr.
 */
export async function withSecretChats<T>(context: CommandContext, run: (session: SecretSession) => Promise<T>, options: WithSecretChatsOptions = {}): Promise<T> {
  return withSession(context, async (session) => {
    const owner = session.sessionId === null ? undefined : { userId: session.user.id, deviceId: session.sessionId };
    const store = new FileSecretStore(session.profile, { lockTimeoutMs: context.timeoutMs, owner });
    const secret = new SecretChats(session.client, { store });
    const typedPeers = new Map<number, string>();
    const notes = new SecretNotes(session, secret, typedPeers);
    const resolve = async (input: string) => {
      const user = await resolveUser(session.client, input, session.user);
      typedPeers.set(user.id, input.trim());
      return user;
    };
    try {
      await secret.start();
      const result = await run({ ...session, secret, store, resolveUser: resolve });
      const errorsBefore = notes.errorCount;
      await secret.flush();
      // A fan-out can be left in the file when another process on this profile saved while this
      // one was sending (the SDK then goes on from the newer state); one more round sends it. Not
      // after a failure: the server is not answering, and a second round would only wait as long again.
      if (store.pendingFanouts > 0 && notes.errorCount === errorsBefore) await secret.flush();
      if (store.pendingFanouts > 0) {
        throw new CliError(
          'CONNECTION_FAILED',
          `Cannot hand ${plural(store.pendingFanouts, 'secret message')} to the server; encrypted, they stay queued in the profile ` +
            'and go out with the next samizdat secret command or listen',
        );
      }
      if (options.isArrivalNoted !== false) await notes.noteArrivals();
      return result;
    } finally {
      notes.stop();
      await notes.noteDeviceChanges();
      await secret.close();
    }
  });
}

/** A `devicesChanged` event of the SDK. */
type DeviceChange = SecretChatsEvents['devicesChanged'];

/**
 * What a one-shot command tells on stderr about what happened in the background: devices that
 * changed (the safety number changed), envelopes that would not decrypt, messages that arrived.
 */
class SecretNotes {
  readonly #session: Session;
  readonly #secret: SecretChats;
  readonly #unsubscribes: (() => void)[];
  readonly #deviceChanges: DeviceChange[] = [];
  /** Peer user id → messages that arrived from another device during the command. */
  readonly #arrivals = new Map<number, number>();
  /** Failures the SDK reported in the background so far (each told as a warning). */
  errorCount = 0;

  readonly #typedPeers: ReadonlyMap<number, string>;

  constructor(session: Session, secret: SecretChats, typedPeers: ReadonlyMap<number, string>) {
    this.#session = session;
    this.#secret = secret;
    this.#typedPeers = typedPeers;
    this.#unsubscribes = [
      secret.on('devicesChanged', (change) => this.#deviceChanges.push(change)),
      secret.on('message', ({ peerUserId, message }) => {
        // Its own sends come back as events too.
        if (message.senderDeviceId !== secret.deviceId) this.#arrivals.set(peerUserId, (this.#arrivals.get(peerUserId) ?? 0) + 1);
      }),
      secret.on('decryptFailed', (failure) =>
        output.note(
          `Warning: a secret message from user ${failure.senderUserId} (device ${failure.senderDeviceId}) cannot be decrypted and was dropped: ${failure.reason}`,
        ),
      ),
      secret.on('error', (error) => {
        this.errorCount += 1;
        output.note(`Warning: secret chats: ${error.message}`);
      }),
    ];
  }

  stop(): void {
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
  }

  /** `⚠ safety number changed: Bob's devices changed (+1 −0); run samizdat secret verify @bob`, for every chat it concerns. */
  async noteDeviceChanges(): Promise<void> {
    if (this.#deviceChanges.length === 0) return;
    const selfId = this.#session.user.id;
    const chats = safely(() => this.#secret.chats(), []);
    const lines: { peerUserId: number; change: DeviceChange }[] = [];
    for (const change of this.#deviceChanges) {
      // A change of one's own devices concerns every chat; a peer's, the chat with them.
      const peers = change.userId === selfId ? chats.map((chat) => chat.peerUserId) : chats.some((chat) => chat.peerUserId === change.userId) ? [change.userId] : [];
      for (const peerUserId of peers) lines.push({ peerUserId, change });
    }
    const users = await this.#users(lines.flatMap(({ peerUserId, change }) => [peerUserId, change.userId]));
    for (const { peerUserId, change } of lines) {
      output.note(`⚠ ${describeDevicesChanged(change, { peerUserId, users, selfId, typedPeers: this.#typedPeers })}`);
    }
  }

  /** `1 new secret message from Bob: samizdat secret history @bob`. */
  async noteArrivals(): Promise<void> {
    if (this.#arrivals.size === 0) return;
    const users = await this.#users([...this.#arrivals.keys()]);
    for (const [peerUserId, count] of this.#arrivals) {
      const name = senderName(peerUserId, users, this.#session.user.id);
      const argument = peerArgument(peerUserId, { users, typedPeers: this.#typedPeers });
      output.note(`${plural(count, 'new secret message')} in the chat with ${name}: samizdat secret history ${argument}`);
    }
  }

  /** The users with these ids, as far as the server tells (lines fall back to `user N`). */
  async #users(ids: readonly number[]): Promise<Map<number, User>> {
    const users = new Map<number, User>([[this.#session.user.id, this.#session.user]]);
    const missing = [...new Set(ids)].filter((id) => !users.has(id));
    if (missing.length === 0) return users;
    try {
      for (const user of (await this.#session.client.call('users.getUsers', { userIds: missing })).users) users.set(user.id, user);
    } catch {
      // The notes still print, with ids for names.
    }
    return users;
  }
}

function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

// --- start ---------------------------------------------------------------------------------------

function startCommand(): Command {
  return new Command('start')
    .description('Start a secret chat with a user (nothing changes if there is one); prints it and how to verify it')
    .argument('<peer>', USER_HELP)
    .addHelpText(
      'after',
      '\nFails with DEVICE_NOT_REGISTERED when the user has no device that takes part in secret chats yet.\n' +
        '\nWith --json: {"peerUserId","ttlSeconds","user","devices":{"mine":[…],"theirs":[…]}}.',
    )
    .action(async (peerInput: string, _options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSecretChats(context, async ({ resolveUser, secret }) => {
        const user = await resolveUser(peerInput);
        const chat = await startChat(secret, user);
        const { devices } = await secret.safetyNumber(user.id);
        if (context.isJson) {
          output.json({ peerUserId: chat.peerUserId, ttlSeconds: chat.ttlSeconds, user, devices });
          return;
        }
        output.line(
          `Secret chat with ${formatUser(user)}: end-to-end encrypted for ${plural(devices.mine.length, 'device')} of yours and ` +
            `${plural(devices.theirs.length, 'device')} of theirs; self-destruct timer ${formatTtl(chat.ttlSeconds)}`,
        );
        const hint = verifyHint(user.id, { users: new Map([[user.id, user]]), typedPeers: new Map([[user.id, peerInput.trim()]]) });
        output.line(`Compare your safety number with them in person or over another channel: ${hint}`);
      });
    });
}

/** `startChat`, with a refusal that says what the user can do about it. */
async function startChat(secret: SecretChats, user: User): Promise<SecretChatView> {
  try {
    return await secret.startChat(user.id);
  } catch (error) {
    if (error instanceof RpcError && error.code === 'DEVICE_NOT_REGISTERED') {
      throw new RpcError(
        'DEVICE_NOT_REGISTERED',
        `Cannot start a secret chat with ${formatUser(user)}: they have no device that takes part in secret chats yet ` +
          '(a device joins when it runs samizdat listen or any samizdat secret command)',
      );
    }
    throw error;
  }
}

// --- send, send-file -------------------------------------------------------------------------------

function sendCommand(): Command {
  return new Command('send')
    .description('Send an end-to-end encrypted message in a secret chat (started if there is none); prints its id')
    .argument('<peer>', USER_HELP)
    .argument('<text>', 'message text; - reads it from stdin')
    .option('--reply-to <id>', `reply to a message of the chat: ${SECRET_ID_HELP}`)
    .addHelpText(
      'after',
      '\nPrints the id once the message was handed to the server for every device of both of you; one\n' +
        'that cannot be is kept encrypted in the profile and goes out with the next secret command (exit 3).\n' +
        '\nWith --json: the message as stored on this device.',
    )
    .action(async (peerInput: string, textInput: string, options: { replyTo?: string }, command: Command) => {
      const context = commandContext(command);
      const text = await readTextArgument(textInput);
      const message = await withSecretChats(context, async ({ resolveUser, secret }) => {
        const user = await resolveUser(peerInput);
        const chat = await startChat(secret, user);
        const replyToId = options.replyTo === undefined ? undefined : findSecretMessage(chat, options.replyTo).id;
        return secret.sendText(user.id, text, replyToId === undefined ? {} : { replyToId });
      });
      printMessage(context, message);
    });
}

interface SendFileOptions {
  caption?: string;
  kind?: MediaKind;
}

function sendFileCommand(): Command {
  return new Command('send-file')
    .description('Encrypt a file on this device, upload it and send it in a secret chat; prints the message id')
    .argument('<peer>', USER_HELP)
    .argument('<path>', 'the file to send')
    .option('--caption <text>', `text shown with the file, up to ${MAX_CAPTION_LENGTH} characters; - reads it from stdin`)
    .addOption(new Option('--kind <kind>', 'how the file is shown (default: from its extension, as send-file decides)').choices(MEDIA_KINDS))
    .addHelpText(
      'after',
      '\nThe file is encrypted with a fresh key as it is read, part by part; the server stores only the\n' +
        'ciphertext under a meaningless name, and the key, name and type travel inside the encrypted message.\n' +
        '\nWith --json: the message as stored on this device (without the file key).',
    )
    .action(async (peerInput: string, path: string, options: SendFileOptions, command: Command) => {
      const context = commandContext(command);
      const caption = await readCaptionArgument(options.caption);
      // Opened before connecting, so that a wrong path fails at once.
      const opened = await openFileSource(path);
      try {
        const message = await withSecretChats(context, async ({ resolveUser, secret }) => {
          const user = await resolveUser(peerInput);
          await startChat(secret, user);
          const mimeType = guessMimeType(path);
          const kind = options.kind ?? guessMediaKind(path, mimeType);
          return secret.sendFile(user.id, opened.source, { name: basename(path), mimeType, kind, caption });
        });
        printMessage(context, message);
      } finally {
        await opened.close();
      }
    });
}

/** Prints a sent or edited message: its id, or with `--json` the message (without a file key). */
function printMessage(context: CommandContext, message: SecretMessage): void {
  if (context.isJson) output.json(printableSecretMessage(message));
  else output.line(message.id);
}

// --- history, chats, verify --------------------------------------------------------------------------

function historyCommand(): Command {
  return new Command('history')
    .description("Show a secret chat's history as this device keeps it, oldest first, and mark what you received as read")
    .argument('<peer>', USER_HELP)
    .option('--limit <n>', 'how many entries, from the end, 1–100000', integerIn(1, 100_000), 50)
    .option('--keep-unread', 'do not mark the messages as read (their self-destruct countdowns do not start)')
    .addHelpText(
      'after',
      '\nLines: #1a2b3c4d 2024-05-01 10:00 Bob [document plans.pdf, 1.2 MiB] [reply to #5e6f7a8b] [edited] [👍 You] [self-destructs in 25 s]: hi\n' +
        '       — 2024-05-01 10:00 Bob set the self-destruct timer to 30 s\n' +
        "       ⚠ 2024-05-01 10:05 safety number changed: Bob's devices changed (+1 −0); run samizdat secret verify @bob\n" +
        'Times are the sender\'s. Messages that waited on the server are fetched first. Showing them marks them\n' +
        "read on every device, which starts their self-destruct countdowns (a message sent under a timer\n" +
        'disappears from every device that long after it is read).\n' +
        '\nWith --json: an array of entries, oldest first: {"kind":"message","id","senderUserId","text",…} (files\n' +
        'without their key) and {"kind":"service","at","action":{"type":"started"|"devicesChanged"|"timerSet",…}}.',
    )
    .action(async (peerInput: string, options: { limit: number; keepUnread?: boolean }, command: Command) => {
      const context = commandContext(command);
      await withSecretChats(
        context,
        async ({ resolveUser, user: self, secret }) => {
          const user = await resolveUser(peerInput);
          const chat = requireChat(secret, user);
          const entries = chat.history.slice(-options.limit);
          if (context.isJson) output.json(entries.map(printableSecretEntry));
          else {
            const users = new Map([[self.id, self], [user.id, user]]);
            const lineContext: SecretLineContext = { peerUserId: user.id, users, selfId: self.id, typedPeers: new Map([[user.id, peerInput.trim()]]) };
            const now = Date.now();
            for (const entry of entries) output.line(formatSecretHistoryLine(entry, lineContext, now));
          }
          if (options.keepUnread !== true) await secret.markRead(user.id);
        },
        { isArrivalNoted: false },
      );
    });
}

function chatsCommand(): Command {
  return new Command('chats')
    .description('List the secret chats on this device')
    .addHelpText(
      'after',
      '\nLines: [secret Bob (@bob)] · 12 messages · 2 unread · timer 30 s · Bob: see you\n' +
        '\nWith --json: an array of {"peerUserId","ttlSeconds","user","messageCount","unreadCount"}.',
    )
    .action(async (_options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSecretChats(context, async ({ client, user: self, secret }) => {
        const chats = secret.chats();
        const userIds = chats.map((chat) => chat.peerUserId);
        const users = new Map<number, User>([[self.id, self]]);
        if (userIds.length > 0) for (const user of (await client.call('users.getUsers', { userIds })).users) users.set(user.id, user);
        const rows = chats.map((chat) => {
          const messages = chat.history.filter((entry): entry is SecretMessage => entry.kind === 'message');
          const unreadCount = messages.filter((message) => message.senderUserId !== self.id && message.readAt === null).length;
          return { chat, user: users.get(chat.peerUserId) ?? null, messages, unreadCount };
        });
        if (context.isJson) {
          output.json(rows.map(({ chat, user, messages, unreadCount }) => ({ peerUserId: chat.peerUserId, ttlSeconds: chat.ttlSeconds, user, messageCount: messages.length, unreadCount })));
          return;
        }
        for (const { chat, user, messages, unreadCount } of rows) {
          const parts = [`[secret ${user === null ? `user ${chat.peerUserId}` : formatUser(user)}]`, plural(messages.length, 'message')];
          if (unreadCount > 0) parts.push(`${unreadCount} unread`);
          if (chat.ttlSeconds > 0) parts.push(`timer ${formatTtl(chat.ttlSeconds)}`);
          const last = messages.at(-1);
          if (last !== undefined) {
            const text = sanitize(last.text).replace(/\s+/g, ' ');
            parts.push(`${senderName(last.senderUserId, users, self.id)}: ${text.length > 60 ? `${text.slice(0, 59)}…` : text || '(file)'}`);
          }
          output.line(parts.join(' · '));
        }
      });
    });
}

function verifyCommand(): Command {
  return new Command('verify')
    .description('Show the safety number of your secret chat with a user, to compare with theirs')
    .argument('<peer>', USER_HELP)
    .addHelpText(
      'after',
      '\nBoth of you see the same 60 digits (and emoji) when nobody stands in between: compare them in\n' +
        'person or over another channel you trust. The number covers every device of both of you that\n' +
        'takes part in secret chats, as the server lists them now, so it changes when either of you adds\n' +
        'or removes one.\n' +
        '\nWith --json: {"digits","emoji":[…],"devices":{"mine":[{"deviceId","identityKey"}…],"theirs":[…]}}.',
    )
    .action(async (peerInput: string, _options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSecretChats(context, async ({ resolveUser, user: self, secret }) => {
        const user = await resolveUser(peerInput);
        if (user.id === self.id) throw new RpcError('PEER_ID_INVALID', 'Cannot verify a safety number with yourself');
        const number = await secret.safetyNumber(user.id);
        if (number.devices.theirs.length === 0) {
          // A number over none of their keys would verify nothing.
          throw new RpcError('DEVICE_NOT_REGISTERED', `Cannot verify: ${formatUser(user)} has no device that takes part in secret chats`);
        }
        if (context.isJson) {
          output.json(number);
          return;
        }
        output.line(`Safety number with ${formatUser(user)}:`);
        for (const line of formatSafetyNumberLines(number.digits)) output.line(`  ${line}`);
        output.line(`  ${number.emoji.join(' ')}`);
        output.line(
          `It covers ${plural(number.devices.mine.length, 'device')} of yours and ${plural(number.devices.theirs.length, 'device')} of theirs. ` +
            'If theirs shows the same, nobody stands between you.',
        );
      });
    });
}

// --- timer, download, edit, delete, react --------------------------------------------------------------

function timerCommand(): Command {
  return new Command('timer')
    .description('Set the self-destruct timer of a secret chat, for messages sent from now on by either of you')
    .argument('<peer>', USER_HELP)
    .argument('<time>', `off, or ${SECRET_TTL_SECONDS_MIN} s to 1 week: seconds (30), or with a unit: 30s, 5m, 2h, 1d, 1w`, parseTtl)
    .addHelpText(
      'after',
      '\nA message sent under the timer disappears from every device of both of you that long after the\n' +
        'user it was sent to read it.\n' +
        '\nWith --json: {"ok":true,"peerUserId","ttlSeconds"} (0 for off).',
    )
    .action(async (peerInput: string, ttlSeconds: number, _options: unknown, command: Command) => {
      const context = commandContext(command);
      const user = await withSecretChats(context, async ({ resolveUser, secret }) => {
        const user = await resolveUser(peerInput);
        requireChat(secret, user);
        await secret.setTimer(user.id, ttlSeconds);
        return user;
      });
      if (context.isJson) output.json({ ok: true, peerUserId: user.id, ttlSeconds });
      else output.line(`Self-destruct timer of the secret chat with ${formatUser(user)}: ${formatTtl(ttlSeconds)}`);
    });
}

function downloadCommand(): Command {
  return new Command('download')
    .description('Download and decrypt the file of a secret message; prints where it went')
    .argument('<peer>', USER_HELP)
    .argument('<message-id>', SECRET_ID_HELP)
    .option('--out <path>', "file or folder to save to (default: the file's own name in the current folder)")
    .addHelpText(
      'after',
      '\nAn existing file is never replaced: the name gets " (1)", " (2)" … instead. The file is decrypted\n' +
        'on the way into "<name>.<random>.part" (mode 0600) and renamed once complete; a file whose\n' +
        'ciphertext was altered or cut short fails and leaves nothing behind.\n' +
        '\nWith --json: {"path","messageId","size","name","mimeType","kind"}.',
    )
    .action(async (peerInput: string, idInput: string, options: { out?: string }, command: Command) => {
      const context = commandContext(command);
      const saved = await withSecretChats(context, async ({ resolveUser, secret }) => {
        const user = await resolveUser(peerInput);
        const message = findSecretMessage(requireChat(secret, user), idInput);
        const file = message.file;
        if (file === undefined) throw new RpcError('MEDIA_INVALID', `Cannot download: secret message ${shortSecretId(message.id)} has no file`);
        const name = safeFileName(file.name) || `secret-file-${message.id.slice(0, SHORT_ID_LENGTH)}`;
        const path = await chooseDownloadPathFor(name, options.out, process.cwd());
        return { path: await saveSecretFile(secret, file, path), message, file };
      });
      const { path, message, file } = saved;
      if (context.isJson) output.json({ path, messageId: message.id, size: file.size, name: file.name, mimeType: file.mimeType, kind: file.kind });
      else output.line(path);
    });
}

/** Decrypts the file into a private partial file next to `path`, then moves it into place without replacing anything. */
async function saveSecretFile(secret: SecretChats, file: NonNullable<SecretMessage['file']>, path: string): Promise<string> {
  const partial = `${path}.${randomBytes(4).toString('hex')}.part`;
  let handle: FileHandle;
  try {
    // 0600: the plaintext of a secret chat.
    handle = await open(partial, 'wx', 0o600);
  } catch (error) {
    throw new CliError('FILE_UNREADABLE', `Cannot write ${partial}: ${describeFsError(error)}`);
  }
  const controller = new AbortController();
  const removeHandlers = abortOnStopSignal(controller, () => new CliError('INTERRUPTED', 'Cannot download: interrupted; nothing was kept'));
  let isComplete = false;
  try {
    const interrupted = new Promise<never>((_, fail) => controller.signal.addEventListener('abort', () => fail(controller.signal.reason)));
    const size = await Promise.race([
      secret.downloadFile(file, async (bytes, at) => {
        await handle.write(bytes, 0, bytes.length, at);
      }),
      interrupted,
    ]);
    if (size !== file.size) throw new RpcError('FILE_HASH_INVALID', `Cannot download: ${size} bytes decrypted, the message says ${file.size}`);
    await handle.sync();
    isComplete = true;
  } finally {
    removeHandlers();
    await handle.close();
    if (!isComplete) await rm(partial, { force: true });
  }
  return moveIntoPlace(partial, path);
}

function editCommand(): Command {
  return new Command('edit')
    .description('Replace the text of a message you sent in a secret chat, on every device')
    .argument('<peer>', USER_HELP)
    .argument('<message-id>', SECRET_ID_HELP)
    .argument('<text>', 'the new text; - reads it from stdin')
    .addHelpText('after', '\nWith --json: the edited message as stored on this device.')
    .action(async (peerInput: string, idInput: string, textInput: string, _options: unknown, command: Command) => {
      const context = commandContext(command);
      const text = await readTextArgument(textInput);
      const edited = await withSecretChats(context, async ({ resolveUser, secret }) => {
        const user = await resolveUser(peerInput);
        const { id } = findSecretMessage(requireChat(secret, user), idInput);
        await secret.edit(user.id, id, text);
        return findSecretMessage(requireChat(secret, user), id);
      });
      if (context.isJson) output.json(printableSecretMessage(edited));
      else output.line(`Edited ${shortSecretId(edited.id)}`);
    });
}

function deleteCommand(): Command {
  return new Command('delete')
    .description('Delete messages of a secret chat (yours or theirs) from every device of both of you')
    .argument('<peer>', USER_HELP)
    .argument('<message-ids...>', `the messages, spaces between them: ${SECRET_ID_HELP}`)
    .addHelpText('after', '\nWith --json: {"ok":true,"ids":[…]} with the full ids.')
    .action(async (peerInput: string, idInputs: string[], _options: unknown, command: Command) => {
      const context = commandContext(command);
      const ids = await withSecretChats(context, async ({ resolveUser, secret }) => {
        const user = await resolveUser(peerInput);
        const chat = requireChat(secret, user);
        const ids = [...new Set(idInputs.map((input) => findSecretMessage(chat, input).id))];
        await secret.delete(user.id, ids);
        return ids;
      });
      if (context.isJson) output.json({ ok: true, ids });
      else output.line(`Deleted ${ids.map(shortSecretId).join(', ')} for both of you`);
    });
}

function reactCommand(): Command {
  return new Command('react')
    .description('React to a message of a secret chat with an emoji (one per person), or take it back')
    .argument('<peer>', USER_HELP)
    .argument('<message-id>', SECRET_ID_HELP)
    .argument('[emoji]', 'the reaction, e.g. 👍')
    .option('--remove', 'take your reaction back')
    .addHelpText('after', '\nWith --json: {"ok":true,"id","emoji"} ("emoji" null after --remove).')
    .action(async (peerInput: string, idInput: string, emojiInput: string | undefined, options: { remove?: boolean }, command: Command) => {
      const context = commandContext(command);
      if ((emojiInput === undefined) !== (options.remove === true)) {
        throw new CliError('USAGE_INVALID', 'Cannot react: pass either EMOJI or --remove; see samizdat secret react --help');
      }
      const emoji = emojiInput ?? null;
      const id = await withSecretChats(context, async ({ resolveUser, secret }) => {
        const user = await resolveUser(peerInput);
        const { id } = findSecretMessage(requireChat(secret, user), idInput);
        await secret.react(user.id, id, emoji);
        return id;
      });
      if (context.isJson) output.json({ ok: true, id, emoji });
      else output.line(emoji === null ? `Removed your reaction to ${shortSecretId(id)}` : `Reacted ${sanitize(emoji)} to ${shortSecretId(id)}`);
    });
}

// --- helpers ---------------------------------------------------------------------------------------

/** The secret chat with `user` on this device; `PEER_ID_INVALID` with a hint when there is none. */
function requireChat(secret: SecretChats, user: User): SecretChatView {
  const chat = secret.chat(user.id);
  if (chat === null) {
    const argument = peerArgument(user.id, { users: new Map([[user.id, user]]) });
    throw new RpcError('PEER_ID_INVALID', `Cannot use the secret chat with ${formatUser(user)}: there is none on this device; start one with samizdat secret start ${argument}`);
  }
  return chat;
}

/**
 * The message of `chat` whose id is `input` or starts with it (`#` allowed, as lines show ids).
 * Fails with `MESSAGE_ID_INVALID` when none or several match.
 */
export function findSecretMessage(chat: Pick<SecretChatView, 'history'>, input: string): SecretMessage {
  const prefix = input.trim().replace(/^#/, '');
  if (prefix.length < MIN_ID_PREFIX) {
    throw new CliError('USAGE_INVALID', `Cannot find secret message "${input}": give at least ${MIN_ID_PREFIX} characters of its id`);
  }
  const matches = chat.history.filter((entry): entry is SecretMessage => entry.kind === 'message' && entry.id.startsWith(prefix));
  if (matches.length === 1) return matches[0]!;
  const exact = matches.find((message) => message.id === prefix);
  if (exact !== undefined) return exact;
  throw new RpcError(
    'MESSAGE_ID_INVALID',
    matches.length === 0
      ? `Cannot find secret message "${input}": the chat has none with that id on this device (deleted, self-destructed, or never received here)`
      : `Cannot find secret message "${input}": ${matches.length} messages start with it; give more characters`,
  );
}

/** `off`, `0`, `30`, `30s`, `5m`, `2h`, `1d`, `1w` → seconds; 0 or within the protocol's range. */
export function parseTtl(value: string): number {
  const trimmed = value.trim().toLowerCase();
  if (trimmed === 'off') return 0;
  const match = /^(\d+)\s*(s|sec|m|min|h|d|w)?$/.exec(trimmed);
  const unit = { s: 1, sec: 1, m: 60, min: 60, h: 3600, d: 86_400, w: 604_800 }[match?.[2] ?? 's'] ?? 1;
  const seconds = match === null ? Number.NaN : Number(match[1]) * unit;
  if (seconds === 0) return 0;
  if (!Number.isSafeInteger(seconds) || seconds < SECRET_TTL_SECONDS_MIN || seconds > SECRET_TTL_SECONDS_MAX) {
    throw new InvalidArgumentError(`Expected off, or ${SECRET_TTL_SECONDS_MIN} seconds to 1 week (e.g. 30, 30s, 5m, 2h, 1d, 1w).`);
  }
  return seconds;
}

/** `1 device`, `3 devices`. */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
