import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isSecretState, type SecretState, type SecretStore } from '@samizdat/client';
import { isNodeError, writeFileAtomically } from './atomic-file.ts';
import { CliError } from './cli-error.ts';
import { output } from './output.ts';
import type { Profile } from './profile.ts';

/** The file inside a profile folder that holds the device's secret chats: private keys, sessions, histories. */
export const SECRET_FILE = 'secret.json';

/** The lock file that lets one process at a time change `secret.json`; see {@link FileSecretStore.exclusive}. */
export const SECRET_LOCK_FILE = 'secret.lock';

/** Version of `secret.json`'s layout (the SDK's state inside has its own `v`). */
const SECRET_FORMAT = 1;

/**
 * A lock whose content cannot be read (a file system without hard links, where the lock is
 * created empty and written after) is taken for a crashed creator's only after this long: its
 * creator writes it within milliseconds.
 */
const UNREADABLE_LOCK_STALE_MS = 30_000;

/** Longest pause between two attempts at the lock. */
const LOCK_RETRY_MAX_MS = 50;

/**
 * The locks this process holds right now (their exact content), whichever store instance took
 * them: a lock naming this process that is not among them is an orphan (see `#takeOver`).
 */
const locksHeldHere = new Set<string>();

/** Options of a {@link FileSecretStore}. */
export interface FileSecretStoreOptions {
  /** How long {@link FileSecretStore.exclusive} waits for a lock another process holds before it fails with `PROFILE_BUSY`. */
  lockTimeoutMs: number;
  /**
   * The session the state is for. A saved state of another session (an earlier sign-in on this
   * profile) is not refused, as the SDK replaces it with new keys, but it is said so once.
   */
  owner?: { userId: number; deviceId: number } | undefined;
  /** Where that is said. @default output.note */
  onNote?: (text: string) => void;
}

/** A lock file as read: its content, and what the content says about who holds it. */
interface LockHolder {
  raw: string;
  pid: number | null;
  host: string | null;
  /** When it was taken (ms), by the holder's clock; null when unreadable. */
  since: number | null;
  mtimeMs: number;
}

/**
 * The SDK's {@link SecretStore} on a profile folder: `secret.json`, written whole and atomically
 * (temporary file, fsync, rename) with mode 0600 in a 0700 folder, as it holds the device's
 * private keys and the plaintext of its secret chats.
 *
 * Two processes may use one profile at once (a `listen` in one terminal, a `secret send` in
 * another), and both are the same device: if both advanced a ratchet from the same saved state
 * they would encrypt two messages with one message key. {@link FileSecretStore.exclusive} is
 * therefore a lock across processes (`secret.lock`), which the SDK holds around every change of
 * the state, reloading the state first when another process saved a newer revision.
 */
export class FileSecretStore implements SecretStore {
  readonly path: string;
  readonly lockPath: string;
  readonly #profile: Profile;
  readonly #lockTimeoutMs: number;
  readonly #owner: FileSecretStoreOptions['owner'];
  readonly #onNote: (text: string) => void;
  #isOwnerNoted = false;
  #pendingFanouts = 0;

  constructor(profile: Profile, options: FileSecretStoreOptions) {
    this.#profile = profile;
    this.path = join(profile.dir, SECRET_FILE);
    this.lockPath = join(profile.dir, SECRET_LOCK_FILE);
    this.#lockTimeoutMs = options.lockTimeoutMs;
    this.#owner = options.owner;
    this.#onNote = options.onNote ?? output.note;
  }

  /**
   * Messages encrypted but not yet handed to the server in full, as of the state this store last
   * loaded or saved: after the SDK's `flush()`, anything left is still queued in the file.
   */
  get pendingFanouts(): number {
    return this.#pendingFanouts;
  }

  /**
   * The saved state, or null when there is none. A file that cannot be read as a state of this
   * format fails with `PROFILE_INVALID` and is left alone: it may hold the only copy of this
   * device's private keys, so it is never silently replaced.
   */
  async load(): Promise<SecretState | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (isNodeError(error) && error.code === 'ENOENT') return null;
      throw this.#unreadable(describe(error));
    }
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      throw this.#unreadable('is not valid JSON');
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw this.#unreadable('is not a JSON object');
    const { format, state } = record as Record<string, unknown>;
    if (format !== SECRET_FORMAT) throw this.#unreadable(`has format ${JSON.stringify(format)}, expected ${SECRET_FORMAT}`);
    if (!isSecretState(state)) throw this.#unreadable('does not hold a secret-chat state of version 1');
    const owner = this.#owner;
    if (owner !== undefined && !this.#isOwnerNoted && (state.userId !== owner.userId || state.deviceId !== owner.deviceId)) {
      this.#isOwnerNoted = true;
      this.#onNote(
        `The secret chats of an earlier session on profile ${this.#profile.dir} (user ${state.userId}, device ${state.deviceId}) ` +
          'ended with that session; this session starts with new keys and no secret chats',
      );
    }
    this.#pendingFanouts = state.outbox.length;
    return state;
  }

  /**
   * Writes the state. Refuses (`NOT_LOGGED_IN`) when the profile is no longer signed in as the
   * state's user: a process still running after `logout` removed `secret.json` must not write the
   * private keys back.
   */
  async save(state: SecretState): Promise<void> {
    const { session } = await this.#profile.readSession();
    if (session?.token === undefined || session.userId !== state.userId) {
      throw new CliError(
        'NOT_LOGGED_IN',
        `Cannot save secret chats to ${this.path}: profile ${this.#profile.dir} is no longer signed in as user ${state.userId}`,
      );
    }
    try {
      await writeFileAtomically(this.path, `${JSON.stringify({ format: SECRET_FORMAT, state })}\n`);
    } catch (error) {
      throw new CliError('PROFILE_INVALID', `Cannot write secret chats to ${this.path}: ${describe(error)}`);
    }
    this.#pendingFanouts = state.outbox.length;
  }

  /**
   * Runs `task` while holding `secret.lock`, which no other process (or other store in this
   * process) gets meanwhile; the lock is removed when the task settles, whatever the outcome.
   *
   * The lock file is made complete first and then hard-linked into place, which fails when one
   * exists: taking it is atomic and its content (pid, host, a random nonce) always readable. A
   * lock is taken over only when its process is gone (`kill(pid, 0)` says ESRCH): a live holder
   * is waited for however long its task takes, never stolen, as a timeout could not tell a slow
   * task from a dead one. Waiting ends after `lockTimeoutMs` with `PROFILE_BUSY`. Not re-entrant:
   * a task that called `exclusive` again would wait for itself until the timeout; the SDK runs
   * its tasks one after another, never nested.
   */
  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    const lock = await this.#acquire();
    try {
      return await task();
    } finally {
      await this.#release(lock);
    }
  }

  /** Removes `secret.json` (and what a crash may have left of its writes). Returns whether there was one. */
  async remove(): Promise<boolean> {
    let isRemoved = true;
    try {
      await unlink(this.path);
    } catch (error) {
      if (!(isNodeError(error) && error.code === 'ENOENT')) throw new CliError('PROFILE_INVALID', `Cannot remove ${this.path}: ${describe(error)}`);
      isRemoved = false;
    }
    const names = await readdir(this.#profile.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (name.startsWith(`${SECRET_FILE}.`) && name.endsWith('.tmp')) await unlink(join(this.#profile.dir, name)).catch(() => {});
    }
    return isRemoved;
  }

  async #acquire(): Promise<string> {
    const raw = JSON.stringify({ pid: process.pid, host: hostname(), nonce: randomBytes(8).toString('hex'), since: Date.now() });
    // The lock's content, complete before it is linked into place.
    const prepared = `${this.lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(this.#profile.dir, { recursive: true, mode: 0o700 });
      await writeFile(prepared, raw, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      throw new CliError('PROFILE_INVALID', `Cannot lock ${this.lockPath}: ${describe(error)}`);
    }
    try {
      const deadline = Date.now() + this.#lockTimeoutMs;
      let delayMs = 2;
      for (;;) {
        if (await this.#tryCreate(prepared, raw)) return raw;
        const holder = await this.#readLock();
        // Released in between: try again at once.
        if (holder === null) continue;
        if (isStale(holder)) {
          // Judged on a file read before the check: a lock of this very process may have been
          // released (and no longer counted as held) in between. Only the same lock, read again
          // after the check, is an orphan.
          const again = await this.#readLock();
          if (again?.raw === holder.raw && isStale(again)) await this.#takeOver(again);
          continue;
        }
        if (Date.now() >= deadline) throw this.#busy(holder);
        // Jitter, so that two waiters do not retry in step.
        await sleep(delayMs * (0.5 + Math.random()));
        delayMs = Math.min(delayMs * 2, LOCK_RETRY_MAX_MS);
      }
    } finally {
      await unlink(prepared).catch(() => {});
    }
  }

  /** Puts the lock (`raw`, already written to `prepared`) in place; false when one exists. */
  async #tryCreate(prepared: string, raw: string): Promise<boolean> {
    // Counted as held before it is: another store of this process must never take it for an orphan.
    locksHeldHere.add(raw);
    let isCreated = false;
    try {
      try {
        await link(prepared, this.lockPath);
        isCreated = true;
      } catch (error) {
        if (isNodeError(error) && error.code === 'EEXIST') return false;
        if (!(isNodeError(error) && ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(error.code ?? ''))) throw error;
        // A file system without hard links: create exclusively, then write (briefly empty; see UNREADABLE_LOCK_STALE_MS).
        try {
          await writeFile(this.lockPath, raw, { mode: 0o600, flag: 'wx' });
          isCreated = true;
        } catch (fallbackError) {
          if (isNodeError(fallbackError) && fallbackError.code === 'EEXIST') return false;
          throw fallbackError;
        }
      }
      return true;
    } catch (error) {
      throw new CliError('PROFILE_INVALID', `Cannot lock ${this.lockPath}: ${describe(error)}`);
    } finally {
      if (!isCreated) locksHeldHere.delete(raw);
    }
  }

  async #isMine(raw: string): Promise<boolean> {
    return (await this.#readLock().catch(() => null))?.raw === raw;
  }

  /** The lock file as it is now, or null when there is none. */
  async #readLock(): Promise<LockHolder | null> {
    let handle;
    try {
      handle = await open(this.lockPath, 'r');
    } catch (error) {
      if (isNodeError(error) && error.code === 'ENOENT') return null;
      throw new CliError('PROFILE_INVALID', `Cannot read ${this.lockPath}: ${describe(error)}`);
    }
    try {
      // One handle for both, so that content and time are of the same file.
      const stats = await handle.stat();
      const raw = await handle.readFile('utf8');
      return { raw, mtimeMs: stats.mtimeMs, ...parseLock(raw) };
    } finally {
      await handle.close();
    }
  }

  /**
   * Removes a stale lock. It is first renamed aside, which moves whatever is at the path in that
   * instant, then checked: when another process cleared the stale lock and took the lock itself
   * in between, the rename moved that live lock, which is put back at once.
   */
  async #takeOver(stale: LockHolder): Promise<void> {
    const aside = `${this.lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
    try {
      await rename(this.lockPath, aside);
    } catch (error) {
      if (isNodeError(error) && error.code === 'ENOENT') return;
      throw new CliError('PROFILE_INVALID', `Cannot take over ${this.lockPath}: ${describe(error)}`);
    }
    try {
      const moved = await readFile(aside, 'utf8');
      if (moved !== stale.raw) await link(aside, this.lockPath).catch(() => {});
    } finally {
      await unlink(aside).catch(() => {});
    }
  }

  async #release(raw: string): Promise<void> {
    try {
      // Only ever the lock this call took: a live lock is never taken over, so it is still ours.
      if (await this.#isMine(raw)) await unlink(this.lockPath);
    } catch {
      // Gone already; nothing to release.
    } finally {
      locksHeldHere.delete(raw);
    }
  }

  #busy(holder: LockHolder): CliError {
    const who = holder.pid === null ? 'another process' : `another samizdat process (pid ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`})`;
    const since = holder.since ?? holder.mtimeMs;
    const seconds = Math.max(0, Math.round((Date.now() - since) / 1000));
    return new CliError(
      'PROFILE_BUSY',
      `Cannot use the secret chats of profile ${this.#profile.dir}: ${who} has held ${this.lockPath} for ${seconds} s; ` +
        'try again when it is done, or, if no samizdat runs on this profile, delete that file',
    );
  }

  #unreadable(why: string): CliError {
    return new CliError(
      'PROFILE_INVALID',
      `Cannot read the secret chats of profile ${this.#profile.dir}: ${this.path} ${why}. It may hold this device's only private keys, ` +
        'so it was left as it is; move it elsewhere to start over with new keys (the secret chats on this device are then lost)',
    );
  }
}

/**
 * Removes the profile's secret chats, as `logout` does: the server forgets the device's keys with
 * the session, and the private keys and plaintext should not outlive it on disk. Takes the lock
 * first, so that a process in the middle of a change finishes it before the file goes (and then
 * cannot write it back, see {@link FileSecretStore.save}); if the lock cannot be had, removes the
 * file anyway. Returns whether there was a file.
 */
export async function removeSecretChats(profile: Profile, lockTimeoutMs: number): Promise<boolean> {
  const store = new FileSecretStore(profile, { lockTimeoutMs });
  try {
    return await store.exclusive(() => store.remove());
  } catch (error) {
    if (!(error instanceof CliError && error.code === 'PROFILE_BUSY')) throw error;
    return store.remove();
  }
}

/** The lock's content as its holder wrote it; nulls when it is not (yet) readable. */
function parseLock(raw: string): Pick<LockHolder, 'pid' | 'host' | 'since'> {
  try {
    const value = JSON.parse(raw) as { pid?: unknown; host?: unknown; since?: unknown };
    const pid = Number.isSafeInteger(value.pid) && (value.pid as number) > 0 ? (value.pid as number) : null;
    const host = typeof value.host === 'string' ? value.host : null;
    const since = typeof value.since === 'number' ? value.since : null;
    return pid === null || host === null ? { pid: null, host: null, since: null } : { pid, host, since };
  } catch {
    return { pid: null, host: null, since: null };
  }
}

/**
 * Whether the lock's holder is certainly gone: its process no longer exists on this host, or it
 * is this very process and none of its stores holds it (left behind after a failed release).
 * A holder on another host (a profile on a shared file system) cannot be checked and counts as alive.
 */
function isStale(holder: LockHolder): boolean {
  if (holder.pid === null || holder.host === null) return Date.now() - holder.mtimeMs > UNREADABLE_LOCK_STALE_MS;
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return !locksHeldHere.has(holder.raw);
  return !isProcessAlive(holder.pid);
}

function isProcessAlive(pid: number): boolean {
  try {
    // Signal 0 checks that the process exists without disturbing it.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return isNodeError(error) && error.code === 'EPERM';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
