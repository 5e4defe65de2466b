import { RpcError, type Chat, type ErrorCode, type MethodParams, type MethodResult, type Update, type UpdatesState, type User } from '@samizdat/protocol';
import { computeBackoffDelayMs } from './backoff.ts';
import type { Logger } from './logger.ts';
import type { PersistedState } from './persisted-state.ts';
import { TaskLimiter } from './task-limiter.ts';
import { systemTimers, type TimerHandle, type Timers } from './timers.ts';
import { describeError } from './typed-emitter.ts';
import { UpdateSequencer, type DifferenceResult } from './update-sequencer.ts';

/** How many chat catch-ups (`updates.getChatDifference`, `chats.get`) may be on the wire at once. */
export const MAX_CHAT_SYNCS_IN_FLIGHT = 8;

/** How many chats one `messages.getChats` page asks for during a catch-up (the protocol's maximum). */
export const CHAT_LIST_PAGE_SIZE = 500;

/** Longest wait between two failed attempts to list the chats. */
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Answers that mean the user is no longer in the chat (left, removed, banned, or the chat is gone):
 * following it any further could only fail, so the SDK stops.
 */
const NOT_A_MEMBER_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'CHANNEL_PRIVATE',
  'CHAT_ID_INVALID',
  'PEER_ID_INVALID',
  'USER_NOT_PARTICIPANT',
  'USER_BANNED_IN_CHANNEL',
]);

/** What {@link ChatSequences} needs from the client around it. */
export interface ChatSequencesOptions {
  /** Where the followed chats' pts survive restarts (`chatPts`). */
  persisted: PersistedState;
  /** `updates.getChatDifference` for one chat. */
  fetchDifference(chatId: number, pts: number): Promise<DifferenceResult>;
  /** `chats.get`: the chat as the user sees it now, with its pts and the user's role. */
  fetchChat(chatId: number): Promise<Chat>;
  /** One page of `messages.getChats`. */
  fetchChatList(params: MethodParams<'messages.getChats'>): Promise<MethodResult<'messages.getChats'>>;
  /** Every update of every followed chat, exactly once and in pts order per chat. */
  onUpdate(chatId: number, update: Update): void;
  /** The chat was too far behind; it now stands at `state.pts` and the app must refetch its history. */
  onTooLong(chatId: number, state: UpdatesState): void;
  /** Users a chat difference mentioned, before its updates. */
  onUsers?(users: User[]): void;
  /** A catch-up failed (it is retried); never called for the user having left a chat. */
  onError?(error: Error): void;
  /** @default systemTimers */
  timers?: Timers;
  /** How long a gap in a chat's sequence may stay open before a difference fills it. @default 500 */
  gapTimeoutMs?: number;
  /** @default MAX_CHAT_SYNCS_IN_FLIGHT */
  maxSyncsInFlight?: number;
  logger?: Logger;
}

/** The chat is private, or the user is no longer a member: not a sequence to follow. */
class NotFollowableError extends Error {
  constructor(chatId: number) {
    super(`Cannot follow chat ${chatId}: the user is not a member of a group or channel with that id`);
    this.name = 'NotFollowableError';
  }
}

/**
 * The update sequences of the groups and channels the user is in: one {@link UpdateSequencer} per
 * chat (Telegram's per-channel pts), each persisted under `chatPts`.
 *
 * - A chat is followed from its `chatJoined`, from the first update of it that arrives (push or
 *   call result), or from the chat list at a catch-up; it is dropped on `chatLeft` or when the
 *   server says the user is not a member.
 * - {@link ChatSequences.catchUp} pages through the chat list and brings every chat up to date,
 *   at most `maxSyncsInFlight` chat calls at once.
 */
export class ChatSequences {
  readonly #options: ChatSequencesOptions;
  readonly #timers: Timers;
  readonly #gapTimeoutMs: number;
  readonly #limiter: TaskLimiter;
  readonly #sequencers = new Map<number, UpdateSequencer>();
  /** Bumped by `reset`/`stop`, so that a catch-up started before cannot follow anything after. */
  #epoch = 0;
  #catchingUp: Promise<void> | null = null;
  /** Has the running catch-up had a chat list page answered? A request after that needs another run. */
  #hasListed = false;
  #isCatchUpRequested = false;
  #retryTimer: TimerHandle | null = null;
  #failures = 0;
  /** Set by `stop`: the client is closed, nothing may start any more. */
  #isStopped = false;
  /** Chats left while a catch-up runs: its list, perhaps older than the leave, must not bring them back. */
  readonly #leftDuringCatchUp = new Set<number>();
  /** Pts applied but not yet patched into the stored state: one patch per batch, not one per update. */
  readonly #unsavedPts = new Map<number, number>();
  #isSaveQueued = false;

  constructor(options: ChatSequencesOptions) {
    this.#options = options;
    this.#timers = options.timers ?? systemTimers;
    this.#gapTimeoutMs = options.gapTimeoutMs ?? 500;
    this.#limiter = new TaskLimiter(options.maxSyncsInFlight ?? MAX_CHAT_SYNCS_IN_FLIGHT);
  }

  /** The followed chats and the pts of each (null while it is being fetched). */
  get followed(): ReadonlyMap<number, number | null> {
    return new Map([...this.#sequencers].map(([chatId, sequencer]) => [chatId, sequencer.pts]));
  }

  /** Follows every chat in the stored `chatPts` that is not followed yet (after sign-in, a restart). */
  restore(): void {
    for (const [key, pts] of Object.entries(this.#options.persisted.current.chatPts ?? {})) {
      const chatId = Number(key);
      if (!this.#sequencers.has(chatId)) this.#create(chatId).reset(pts);
    }
  }

  /** Offers one update of a chat's sequence (a push or a call result); follows the chat if needed. */
  push(chatId: number, update: Update): void {
    if (this.#isStopped) return;
    let sequencer = this.#sequencers.get(chatId);
    if (sequencer === undefined) {
      this.#options.logger?.info?.('Following chat first seen in an update', { chatId, pts: update.pts });
      sequencer = this.#create(chatId);
    }
    sequencer.push(update);
    // With its pts unknown, the sequencer starts just before the earliest update it holds ([SDK5]).
    if (sequencer.pts === null) void sequencer.sync();
  }

  /**
   * Starts following a chat (`chatJoined`) from `fromPts`, the chat's number at the join, so that
   * nothing said between the join and now is missed; without it, from where the chat stands now.
   * A no-op when already followed.
   */
  follow(chatId: number, fromPts?: number): void {
    if (this.#isStopped || this.#sequencers.has(chatId)) return;
    this.#options.logger?.info?.('Following chat', { chatId, fromPts });
    const sequencer = this.#create(chatId);
    if (fromPts !== undefined) {
      sequencer.reset(fromPts);
      this.#savePts(chatId, fromPts);
    }
    void sequencer.sync();
  }

  /** Stops following a chat (`chatLeft`) and forgets its stored pts. */
  unfollow(chatId: number): void {
    const sequencer = this.#sequencers.get(chatId);
    if (sequencer === undefined) return;
    this.#options.logger?.info?.('No longer following chat', { chatId, pts: sequencer.pts });
    sequencer.reset(null);
    this.#sequencers.delete(chatId);
    this.#unsavedPts.delete(chatId);
    if (this.#catchingUp !== null) this.#leftDuringCatchUp.add(chatId);
    const { chatPts } = this.#options.persisted.current;
    if (chatPts !== undefined && String(chatId) in chatPts) {
      const rest = { ...chatPts };
      delete rest[String(chatId)];
      void this.#options.persisted.patch({ chatPts: rest });
    }
  }

  /**
   * Brings every chat up to date: pages through `messages.getChats`, syncs each followed chat whose
   * pts differs from the list's, follows each unknown group or channel from its current pts, and
   * checks with `chats.get` each followed chat the list lacks (dropping those the user left).
   * A call while one runs joins it, and makes it run once more when its list may be stale. Never
   * rejects: a failure goes to `onError` and is retried with backoff.
   */
  catchUp(): Promise<void> {
    if (this.#isStopped) return Promise.resolve();
    if (this.#catchingUp !== null) {
      if (this.#hasListed) this.#isCatchUpRequested = true;
      return this.#catchingUp;
    }
    this.#clearRetryTimer();
    const running = this.#runCatchUps(this.#epoch);
    this.#catchingUp = running;
    return running;
  }

  /**
   * Drops every chat (another user, or none, is signed in now). What was applied is saved first; the
   * caller then keeps `chatPts` (a terminated session) or removes it (`logOut`, another user).
   */
  reset(): void {
    this.#halt();
    this.#flushPts();
    for (const sequencer of this.#sequencers.values()) sequencer.reset(null);
    this.#sequencers.clear();
  }

  /** Stops every timer and catch-up for good (the client closes), keeping the chats and their pts. */
  stop(): void {
    this.#isStopped = true;
    this.#halt();
    // Now, not in a microtask: the client saves its state right after stopping.
    this.#flushPts();
    for (const sequencer of this.#sequencers.values()) sequencer.reset(sequencer.pts);
  }

  #halt(): void {
    this.#epoch += 1;
    this.#catchingUp = null;
    this.#leftDuringCatchUp.clear();
    this.#hasListed = false;
    this.#isCatchUpRequested = false;
    this.#failures = 0;
    this.#clearRetryTimer();
  }

  #create(chatId: number): UpdateSequencer {
    const { logger } = this.#options;
    const sequencer: UpdateSequencer = new UpdateSequencer({
      fetchDifference: (pts) => this.#limiter.run(() => this.#options.fetchDifference(chatId, pts)),
      fetchState: () => this.#fetchState(chatId),
      onUpdate: (update) => this.#options.onUpdate(chatId, update),
      onPtsChange: (pts) => {
        if (this.#sequencers.get(chatId) === sequencer) this.#savePts(chatId, pts);
      },
      onTooLong: (state) => this.#options.onTooLong(chatId, state),
      onUsers: (users) => this.#options.onUsers?.(users),
      onError: (error) => {
        if (isNotMemberError(error)) {
          if (this.#sequencers.get(chatId) === sequencer) this.unfollow(chatId);
          return;
        }
        this.#options.onError?.(toError(error, `Cannot catch up with chat ${chatId}`));
      },
      timers: this.#timers,
      gapTimeoutMs: this.#gapTimeoutMs,
      ...(logger === undefined ? {} : { logger }),
    });
    this.#sequencers.set(chatId, sequencer);
    return sequencer;
  }

  async #fetchState(chatId: number): Promise<UpdatesState> {
    const chat = await this.#limiter.run(() => this.#options.fetchChat(chatId));
    if (!isFollowable(chat)) throw new NotFollowableError(chatId);
    return { pts: chat.pts, date: chat.lastActivityDate };
  }

  /** Records a chat's pts for the store; a difference's whole slice lands in one patch. */
  #savePts(chatId: number, pts: number): void {
    this.#unsavedPts.set(chatId, pts);
    if (this.#isSaveQueued) return;
    this.#isSaveQueued = true;
    queueMicrotask(() => this.#flushPts());
  }

  #flushPts(): void {
    this.#isSaveQueued = false;
    if (this.#unsavedPts.size === 0) return;
    const { persisted } = this.#options;
    const chatPts = { ...persisted.current.chatPts };
    for (const [chatId, pts] of this.#unsavedPts) chatPts[String(chatId)] = pts;
    this.#unsavedPts.clear();
    void persisted.patch({ chatPts });
  }

  async #runCatchUps(epoch: number): Promise<void> {
    try {
      do {
        this.#isCatchUpRequested = false;
        this.#hasListed = false;
        this.#leftDuringCatchUp.clear();
        try {
          await this.#catchUpOnce(epoch);
          if (epoch === this.#epoch) this.#failures = 0;
        } catch (error) {
          if (epoch !== this.#epoch) return;
          this.#options.logger?.warn?.('Cannot catch up with chats', { error: describeError(error), chats: this.#sequencers.size });
          this.#options.onError?.(toError(error, 'Cannot catch up with chats'));
          this.#scheduleRetry(error);
          this.#failures += 1;
          return;
        }
      } while (this.#isCatchUpRequested && epoch === this.#epoch);
    } finally {
      // In the same turn as the last check above, so that no request can slip in unserved between them.
      if (epoch === this.#epoch) this.#catchingUp = null;
    }
  }

  async #catchUpOnce(epoch: number): Promise<void> {
    const listed = await this.#listChats(epoch);
    if (listed === null) return;
    const work: Promise<void>[] = [];
    let followedCount = 0;
    for (const [chatId, pts] of listed) {
      const sequencer = this.#sequencers.get(chatId);
      if (sequencer === undefined) {
        if (this.#leftDuringCatchUp.has(chatId)) continue;
        // New to this device: the app fetches its history; the SDK follows it from here on.
        this.#create(chatId).reset(pts);
        this.#savePts(chatId, pts);
        followedCount += 1;
      } else if (sequencer.pts !== pts) {
        work.push(sequencer.sync());
      }
    }
    const unlisted = [...this.#sequencers.keys()].filter((chatId) => !listed.has(chatId));
    for (const chatId of unlisted) work.push(this.#recheck(chatId, epoch));
    this.#options.logger?.info?.('Catching up with chats', { listed: listed.size, followed: followedCount, syncing: work.length - unlisted.length, unlisted: unlisted.length });
    await Promise.all(work);
  }

  /**
   * The groups and channels the user is in, with their pts, from every page of the chat list; null
   * when the SDK was reset meanwhile.
   */
  async #listChats(epoch: number): Promise<Map<number, number> | null> {
    const listed = new Map<number, number>();
    let cursor: { offsetDate: number; offsetChatId: number } | null = null;
    for (;;) {
      const page = await this.#options.fetchChatList({ limit: CHAT_LIST_PAGE_SIZE, ...cursor });
      if (epoch !== this.#epoch) return null;
      this.#hasListed = true;
      for (const chat of page.chats) if (isFollowable(chat)) listed.set(chat.id, chat.pts);
      if (page.chats.length < CHAT_LIST_PAGE_SIZE) return listed;
      const last = page.chats.at(-1);
      const next = last === undefined ? null : { offsetDate: last.lastActivityDate, offsetChatId: last.id };
      if (next === null || (cursor !== null && next.offsetDate === cursor.offsetDate && next.offsetChatId === cursor.offsetChatId)) {
        // No cursor past this page. Followed chats beyond it are still checked one by one (#recheck);
        // unknown ones are followed when their first update arrives.
        this.#options.logger?.warn?.('Cannot page the chat list further', { listed: listed.size, lastChatId: last?.id });
        return listed;
      }
      cursor = next;
    }
  }

  /** A followed chat missing from the list: still a member (sync it) or not (drop it)? */
  async #recheck(chatId: number, epoch: number): Promise<void> {
    const sequencer = this.#sequencers.get(chatId);
    if (sequencer === undefined) return;
    const isCurrent = () => epoch === this.#epoch && this.#sequencers.get(chatId) === sequencer;
    let chat: Chat;
    try {
      chat = await this.#limiter.run(() => this.#options.fetchChat(chatId));
    } catch (error) {
      if (!isCurrent()) return;
      if (isNotMemberError(error)) {
        this.unfollow(chatId);
        return;
      }
      this.#options.logger?.warn?.('Cannot check chat', { chatId, error: describeError(error) });
      this.#options.onError?.(toError(error, `Cannot check chat ${chatId}`));
      return;
    }
    if (!isCurrent()) return;
    if (!isFollowable(chat)) {
      this.unfollow(chatId);
      return;
    }
    if (sequencer.pts !== chat.pts) await sequencer.sync();
  }

  #scheduleRetry(error: unknown): void {
    if (this.#retryTimer !== null || this.#isStopped) return;
    const backoffMs = computeBackoffDelayMs(this.#failures, { minDelayMs: this.#gapTimeoutMs, maxDelayMs: MAX_RETRY_DELAY_MS });
    const floodMs = error instanceof RpcError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : 0;
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryTimer = null;
      void this.catchUp();
    }, Math.max(backoffMs, floodMs));
  }

  #clearRetryTimer(): void {
    if (this.#retryTimer === null) return;
    this.#timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }
}

/** A group or channel the user is a member of: a sequence to follow. */
function isFollowable(chat: Chat): boolean {
  return chat.type !== 'private' && chat.myRole !== null;
}

function isNotMemberError(error: unknown): boolean {
  return error instanceof NotFollowableError || (error instanceof RpcError && NOT_A_MEMBER_CODES.has(error.code));
}

function toError(error: unknown, context: string): Error {
  return error instanceof Error ? error : new Error(`${context}: ${describeError(error)}`);
}
