import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseStoredState, type ClientStore, type StoredState } from '@samizdat/client';
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

/** The file inside a profile folder that holds where `listen` stopped in the update sequence. */
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

/** The SDK state without its pts, as `session.json` keeps it. */
type SessionState = Omit<StoredState, 'pts'>;

/** Where a user's update sequence stands, as `updates.json` keeps it. */
interface UpdatesState {
  userId: number;
  pts: number;
}

/**
 * A profile folder (`~/.samizdat` by default). The SDK state is split over two files so that two
 * commands on one profile at once do not undo each other's writes: `session.json` (server, token,
 * outbox; written by whoever changes them) and `updates.json` (the pts; written only by `login`,
 * `listen` and `logout`). A `send` in one terminal thus never rewinds the pts of a `listen` in
 * another. Each file is written whole and atomically (a temporary file, fsync, rename) with mode
 * 0600, as `session.json` carries the session token.
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
    // A pts belongs to one user's sequence: never hand it to another user's session.
    const pts = updates !== null && updates.userId === session.userId ? updates.pts : undefined;
    return { server, state: pts === undefined ? session : { ...session, pts } };
  }

  /** Replaces the whole profile (both files). */
  async write(data: ProfileData): Promise<void> {
    const pts = data.state?.pts;
    const userId = data.state?.userId;
    await this.writeSession(data.server, data.state === null ? null : withoutPts(data.state));
    await this.writeUpdates(pts === undefined || userId === undefined ? null : { userId, pts });
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

  /** `updates.json`: whose sequence and how far; null when there is none. */
  async readUpdates(): Promise<UpdatesState | null> {
    const record = await this.#readJson(this.updatesPath);
    if (record === null) return null;
    const { userId, pts } = record;
    if (userId === null && pts === null) return null;
    if (!Number.isSafeInteger(userId) || !Number.isSafeInteger(pts) || (userId as number) < 1 || (pts as number) < 0) {
      throw new CliError('PROFILE_INVALID', `Cannot read profile ${this.updatesPath}: userId and pts are not a user id and a pts`);
    }
    return { userId: userId as number, pts: pts as number };
  }

  async writeUpdates(updates: UpdatesState | null): Promise<void> {
    await this.#writeJson(this.updatesPath, { format: PROFILE_FORMAT, userId: updates?.userId ?? null, pts: updates?.pts ?? null });
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
    const text = `${JSON.stringify(value, null, 2)}\n`;
    const temporaryPath = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const handle = await open(temporaryPath, 'wx', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        // Without the sync a crash after the rename could leave an empty file under the real name.
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporaryPath, path);
    } catch (error) {
      await unlink(temporaryPath).catch(() => {});
      throw new CliError('PROFILE_INVALID', `Cannot write profile ${path}: ${describe(error)}`);
    }
    await syncFolder(this.dir);
  }
}

/** Options of a {@link FileStore}. */
export interface FileStoreOptions {
  /** The server the state belongs to; written next to it. */
  server: string;
  /**
   * Whether saves record the SDK's pts. Only `login`, `listen` and `logout` do: the update stream
   * belongs to `listen`, and a `send` that caught up on the way must not make the next `listen`
   * skip updates.
   * @default true
   */
  isPtsPersisted?: boolean;
}

/**
 * The SDK's {@link ClientStore} on top of a {@link Profile}. A save writes only the file whose part
 * of the state changed since this store last loaded or saved it, so a command that did not touch
 * the token or outbox (a `listen`) does not overwrite another command's newer outbox.
 */
export class FileStore implements ClientStore {
  readonly #profile: Profile;
  readonly #server: string;
  readonly #isPtsPersisted: boolean;
  #savedSession: string | null = null;
  #savedUpdates: string | null = null;

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
    return data.state;
  }

  async save(state: StoredState): Promise<void> {
    const session = canonicalJson(withoutPts(state));
    if (session !== this.#savedSession) {
      await this.#profile.writeSession(this.#server, withoutPts(state));
      this.#savedSession = session;
    }
    if (!this.#isPtsPersisted) return;
    const updates = canonicalJson(updatesOf(state));
    if (updates !== this.#savedUpdates) {
      await this.#profile.writeUpdates(updatesOf(state));
      this.#savedUpdates = updates;
    }
  }
}

function withoutPts(state: StoredState): SessionState {
  const { pts: _pts, ...session } = state;
  return session;
}

function updatesOf(state: StoredState): UpdatesState | null {
  return state.pts === undefined || state.userId === undefined ? null : { userId: state.userId, pts: state.pts };
}

/** JSON with object keys sorted, so that equal states compare equal whatever order keys were set in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

async function syncFolder(dir: string): Promise<void> {
  // Makes the rename itself durable. Not every platform can open a folder (Windows cannot); the
  // file is complete either way, so a failure here costs durability across a power loss only.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // See above: best effort.
  }
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

function describe(error: unknown): string {
  // Node's own messages already name the errno code and the path.
  return error instanceof Error ? error.message : String(error);
}
