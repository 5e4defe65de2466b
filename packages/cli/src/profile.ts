import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseStoredState, type ClientStore, type StoredState } from '@samizdat/client';
import { isNodeError, writeFileAtomically } from './atomic-file.ts';
import { CliError } from './cli-error.ts';

/** The folder a profile lives in when `--profile` is not given. */
export function defaultProfileDir(): string {
  return join(homedir(), '.samizdat');
}

/** Resolves a `--profile` value against the working folder; a leading `~` means the home folder. */
export function resolveProfileDir(input: string): string {
  if (input === '~') return homedir();
  if (input.startsWith('~/')) return join(homedir(), input.slice(2));
  return resolve(input);
}

/** The file inside a profile folder that holds the session: server, token, user id, outbox. */
export const SESSION_FILE = 'session.json';

/** The file inside a profile folder that holds where `listen` stopped in the update sequences. */
export const UPDATES_FILE = 'updates.json';

/** Version of the files' layout, so that a later CLI can tell an older file apart. */
const PROFILE_FORMAT = 1;

/** What a profile holds: the server it signs in to and the SDK's saved state. */
export interface ProfileData {
  /** `http(s)://host:port` of the server, as `login --server` gave it; null before the first login. */
  server: string | null;
  /** The SDK's state (token, pts, outbox); null before the first login. */
  state: StoredState | null;
}

/** The SDK state without its sequence positions, as `session.json` keeps it. */
type SessionState = Omit<StoredState, 'pts' | 'chatPts'>;

/** Where a user's update sequence and those of their groups and channels stand, as `updates.json` keeps it. */
interface UpdatesState {
  userId: number;
  pts: number;
  /** Chat id (decimal) → pts of that group's or channel's own sequence; absent in files of older CLIs. */
  chatPts?: Record<string, number>;
}

/**
 * A profile folder (`~/.samizdat` by default). The SDK state is split over two files so that two
 * commands on one profile at once do not undo each other's writes: `session.json` (server, token,
 * outbox; written by whoever changes them) and `updates.json` (the user's pts and the pts of each
 * group and channel followed; moved only by `login`, `listen` and `logout`, see {@link FileStore}).
 * A `send` in one terminal thus never rewinds the pts of a `listen` in another. Each file is
 * written whole and atomically (a temporary file, fsync, rename) with mode 0600, as `session.json`
 * carries the session token.
 */
export class Profile {
  readonly dir: string;
  readonly sessionPath: string;
  readonly updatesPath: string;

  constructor(dir: string) {
    this.dir = dir;
    this.sessionPath = join(dir, SESSION_FILE);
    this.updatesPath = join(dir, UPDATES_FILE);
  }

  /** The profile's contents; both fields null when nothing was saved yet. */
  async read(): Promise<ProfileData> {
    const { server, session } = await this.readSession();
    if (session === null) return { server, state: null };
    const updates = await this.readUpdates();
    // Sequence positions belong to one user: never hand them to another user's session.
    if (updates === null || updates.userId !== session.userId) return { server, state: session };
    const { pts, chatPts } = updates;
    return { server, state: chatPts === undefined ? { ...session, pts } : { ...session, pts, chatPts } };
  }

  /** Replaces the whole profile (both files). */
  async write(data: ProfileData): Promise<void> {
    await this.writeSession(data.server, data.state === null ? null : withoutPts(data.state));
    await this.writeUpdates(data.state === null ? null : updatesOf(data.state));
  }

  /** `session.json`: the server and the state without pts. */
  async readSession(): Promise<{ server: string | null; session: SessionState | null }> {
    const record = await this.#readJson(this.sessionPath);
    if (record === null) return { server: null, session: null };
    const fail = (why: string) => new CliError('PROFILE_INVALID', `Cannot read profile ${this.sessionPath}: ${why}`);
    const { server, state } = record;
    if (server !== null && typeof server !== 'string') throw fail('server is not a string');
    if (state === null || state === undefined) return { server, session: null };
    const parsed = parseStoredState(state);
    if ('fault' in parsed) throw fail(parsed.fault);
    return { server, session: withoutPts(parsed.state) };
  }

  async writeSession(server: string | null, session: SessionState | null): Promise<void> {
    await this.#writeJson(this.sessionPath, { format: PROFILE_FORMAT, server, state: session });
  }

  /** `updates.json`: whose sequences and how far; null when there are none. */
  async readUpdates(): Promise<UpdatesState | null> {
    const record = await this.#readJson(this.updatesPath);
    if (record === null) return null;
    const { userId, pts, chatPts } = record;
    if (userId === null && pts === null) return null;
    if (!Number.isSafeInteger(userId) || !Number.isSafeInteger(pts) || (userId as number) < 1 || (pts as number) < 0) {
      throw new CliError('PROFILE_INVALID', `Cannot read profile ${this.updatesPath}: userId and pts are not a user id and a pts`);
    }
    if (chatPts === undefined || chatPts === null) return { userId: userId as number, pts: pts as number };
    // The SDK's own reader checks the chat pts, as it would on a state the SDK saved itself.
    const parsed = parseStoredState({ chatPts, outbox: [] });
    if ('fault' in parsed) throw new CliError('PROFILE_INVALID', `Cannot read profile ${this.updatesPath}: ${parsed.fault}`);
    return { userId: userId as number, pts: pts as number, chatPts: parsed.state.chatPts ?? {} };
  }

  /**
   * Records positions in the sequences of groups and channels that `updates.json` has none for
   * (chat id → pts), leaving every position it has alone; nothing when the file holds no position
   * of `userId`. It reads the file again just before writing it: a `listen` saving in that instant
   * may lose its last step and repeat those updates next time, which is the safe direction.
   */
  async addChatPositions(userId: number, chatPts: Readonly<Record<string, number>>): Promise<void> {
    const current = await this.readUpdates();
    // No position in the user's sequence (or another user's): the next listen starts afresh anyway.
    if (current === null || current.userId !== userId) return;
    const additions = Object.entries(chatPts).filter(([chatId]) => current.chatPts?.[chatId] === undefined);
    if (additions.length === 0) return;
    await this.writeUpdates({ ...current, chatPts: { ...current.chatPts, ...Object.fromEntries(additions) } });
  }

  async writeUpdates(updates: UpdatesState | null): Promise<void> {
    await this.#writeJson(this.updatesPath, {
      format: PROFILE_FORMAT,
      userId: updates?.userId ?? null,
      pts: updates?.pts ?? null,
      chatPts: updates?.chatPts ?? null,
    });
  }

  /** A profile file as an object of the current format, or null when it does not exist. */
  async #readJson(path: string): Promise<Record<string, unknown> | null> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isNodeError(error) && error.code === 'ENOENT') return null;
      throw new CliError('PROFILE_INVALID', `Cannot read profile ${path}: ${describe(error)}`);
    }
    const fail = (why: string) => new CliError('PROFILE_INVALID', `Cannot read profile ${path}: ${why}`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw fail('not valid JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('not a JSON object');
    const record = value as Record<string, unknown>;
    if (record.format !== PROFILE_FORMAT) throw fail(`format is ${JSON.stringify(record.format)}, expected ${PROFILE_FORMAT}`);
    return record;
  }

  /** Writes a file so that readers see either the old one or the new one, never half. */
  async #writeJson(path: string, value: unknown): Promise<void> {
    try {
      await writeFileAtomically(path, `${JSON.stringify(value, null, 2)}\n`);
    } catch (error) {
      throw new CliError('PROFILE_INVALID', `Cannot write profile ${path}: ${describe(error)}`);
    }
  }
}

/** Options of a {@link FileStore}. */
export interface FileStoreOptions {
  /** The server the state belongs to; written next to it. */
  server: string;
  /**
   * Whether saves record the SDK's pts (the user's and those of groups and channels). Only
   * `login`, `listen` and `logout` do: the update streams belong to `listen`, and a `send` that
   * caught up on the way must not make the next `listen` skip updates. A store without it still
   * records a group or channel that `updates.json` does not have yet, once, at the first pts it
   * saw for it (see {@link FileStore}).
   * @default true
   */
  isPtsPersisted?: boolean;
}

/**
 * The SDK's {@link ClientStore} on top of a {@link Profile}. A save writes only the file whose part
 * of the state changed since this store last loaded or saved it, so a command that did not touch
 * the token or outbox (a `listen`) does not overwrite another command's newer outbox.
 *
 * A store that does not persist pts (`send`, `history`, …) leaves every position `listen` saved
 * alone, with one exception: a group or channel the profile has no position for yet is added
 * ({@link Profile.addChatPositions}) at the first pts this run's SDK saved for it, and never moved
 * after. Without a position, the SDK of the next `listen` meets the chat as new (through the
 * replayed `chatJoined`) and follows it from where it stands then, skipping whatever was posted
 * since the user joined. The join commands record the join itself; this catches chats the user
 * was added to by others, when the run lasts long enough for the SDK to get to them.
 */
export class FileStore implements ClientStore {
  readonly #profile: Profile;
  readonly #server: string;
  readonly #isPtsPersisted: boolean;
  #savedSession: string | null = null;
  #savedUpdates: string | null = null;
  /** Chats (decimal ids) that `updates.json` had at load, or that this store added or offered to it. */
  readonly #knownChatIds = new Set<string>();

  constructor(profile: Profile, options: FileStoreOptions) {
    this.#profile = profile;
    this.#server = options.server;
    this.#isPtsPersisted = options.isPtsPersisted ?? true;
  }

  /** The saved state, or null when the profile has none or has one for another server. */
  async load(): Promise<StoredState | null> {
    const data = await this.#profile.read();
    if (data.server !== this.#server || data.state === null) return null;
    this.#savedSession = canonicalJson(withoutPts(data.state));
    this.#savedUpdates = canonicalJson(updatesOf(data.state));
    for (const chatId of Object.keys(data.state.chatPts ?? {})) this.#knownChatIds.add(chatId);
    return data.state;
  }

  async save(state: StoredState): Promise<void> {
    const session = canonicalJson(withoutPts(state));
    if (session !== this.#savedSession) {
      await this.#profile.writeSession(this.#server, withoutPts(state));
      this.#savedSession = session;
    }
    if (!this.#isPtsPersisted) {
      await this.#recordNewChats(state);
      return;
    }
    const updates = canonicalJson(updatesOf(state));
    if (updates !== this.#savedUpdates) {
      await this.#profile.writeUpdates(updatesOf(state));
      this.#savedUpdates = updates;
    }
  }

  /** Adds the chats `updates.json` has no position for, at their first pts seen; see {@link FileStore}. */
  async #recordNewChats(state: StoredState): Promise<void> {
    const fresh = Object.entries(state.chatPts ?? {}).filter(([chatId]) => !this.#knownChatIds.has(chatId));
    if (fresh.length === 0 || state.userId === undefined) return;
    // Offered once: a later save of this run has moved past the point where the chat was met.
    for (const [chatId] of fresh) this.#knownChatIds.add(chatId);
    await this.#profile.addChatPositions(state.userId, Object.fromEntries(fresh));
  }
}

function withoutPts(state: StoredState): SessionState {
  const { pts: _pts, chatPts: _chatPts, ...session } = state;
  return session;
}

function updatesOf(state: StoredState): UpdatesState | null {
  if (state.pts === undefined || state.userId === undefined) return null;
  const updates: UpdatesState = { userId: state.userId, pts: state.pts };
  if (state.chatPts !== undefined) updates.chatPts = state.chatPts;
  return updates;
}

/** JSON with object keys sorted, so that equal states compare equal whatever order keys were set in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

function describe(error: unknown): string {
  // Node's own messages already name the errno code and the path.
  return error instanceof Error ? error.message : String(error);
}
