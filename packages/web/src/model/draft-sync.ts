import type { Draft, Peer } from '@samizdat/protocol';

/** A composer's draft: its text and the message it replies to ([WEB62]). */
export interface DraftValue {
  text: string;
  replyToId: number | null;
}

/** How long after the last keystroke a draft is saved to the server ([WEB62]). */
export const DRAFT_SAVE_DELAY_MS = 1_500;

/** The timer functions the sync uses, so that tests can drive time. */
export interface DraftTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface DraftSyncOptions {
  /** Saves a draft on the server (`messages.saveDraft`); an empty text clears it there. */
  save: (peer: Peer, draft: DraftValue) => Promise<void>;
  delayMs?: number;
  timers?: DraftTimers;
  onError?: (error: unknown) => void;
}

const EMPTY: DraftValue = { text: '', replyToId: null };

interface Entry {
  /** Where to save it; null for a conversation with no chat yet (kept on this page only). */
  peer: Peer | null;
  /** What the composer holds (or held when it closed). */
  local: DraftValue;
  /** What the server has, as far as this page knows. */
  saved: DraftValue;
  /** Local changes not saved yet. */
  isDirty: boolean;
  timer: unknown;
  /** Saves issued and not answered yet; while any is out, the server's echoes do not touch `local`. */
  inFlight: number;
  /** The last save issued: saves of one conversation run one after another. */
  chain: Promise<void>;
  /** Bumped when `local` changed from elsewhere (another device), so that an untouched composer reloads. */
  revision: number;
}

/**
 * Drafts synced across the user's devices through the server ([WEB62]–[WEB64]), by conversation
 * key (`chat:<id>`, `user:<id>`). A change is saved {@link DRAFT_SAVE_DELAY_MS} after the last one,
 * at once on {@link DraftSync.flush} (leaving the chat, the page hidden) and at once when the text is
 * emptied (a send clears the draft: the server keeps it otherwise). A draft from another device
 * replaces the local one unless this page has unsaved changes or saves on the way.
 */
export class DraftSync {
  readonly #save: DraftSyncOptions['save'];
  readonly #delayMs: number;
  readonly #timers: DraftTimers;
  readonly #onError: (error: unknown) => void;
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<() => void>();

  constructor(options: DraftSyncOptions) {
    this.#save = options.save;
    this.#delayMs = options.delayMs ?? DRAFT_SAVE_DELAY_MS;
    this.#timers = options.timers ?? { setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms), clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>) };
    this.#onError = options.onError ?? (() => {});
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /**
   * A conversation opens: the first time, its draft is what the server had (`chat.draft`); after
   * that whatever this page holds, which follows the server's updates.
   */
  open(key: string, peer: Peer | null, server: Draft | null): DraftValue {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      if (entry.peer === null && peer !== null) entry.peer = peer;
      return entry.local;
    }
    const value = toValue(server);
    this.#entries.set(key, { peer, local: value, saved: value, isDirty: false, timer: null, inFlight: 0, chain: Promise.resolve(), revision: 0 });
    return value;
  }

  /** The draft of a conversation as this page holds it. */
  local(key: string): DraftValue {
    return this.#entries.get(key)?.local ?? EMPTY;
  }

  /** Bumped whenever another device's draft replaced the local one. */
  revision(key: string): number {
    return this.#entries.get(key)?.revision ?? 0;
  }

  /** Unsaved changes or saves on the way: the conversation is being edited here. */
  isBusy(key: string): boolean {
    const entry = this.#entries.get(key);
    return entry !== undefined && (entry.isDirty || entry.inFlight > 0);
  }

  /** The composer changed: saved after the delay, or at once when emptied. */
  change(key: string, peer: Peer | null, draft: DraftValue): void {
    const entry = this.#entries.get(key) ?? this.#create(key, peer);
    if (peer !== null) entry.peer = peer;
    if (sameDraft(entry.local, draft)) return;
    entry.local = { ...draft };
    entry.isDirty = true;
    this.#cancelTimer(entry);
    if (draft.text.trim() === '') {
      this.#saveNow(entry);
      return;
    }
    entry.timer = this.#timers.setTimeout(() => {
      entry.timer = null;
      this.#saveNow(entry);
    }, this.#delayMs);
  }

  /** Saves a conversation's unsaved draft now (leaving the chat). */
  flush(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#cancelTimer(entry);
    this.#saveNow(entry);
  }

  /** Saves every unsaved draft now (the page is hidden or closing). */
  flushAll(): void {
    for (const key of this.#entries.keys()) this.flush(key);
  }

  /** Resolves once every save issued so far was answered (for tests and shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((entry) => entry.chain));
  }

  /**
   * The server's draft of a chat changed (a `draft` update: another device, or this page's own
   * save coming back). It becomes the local draft unless the chat is being edited here.
   */
  remote(key: string, draft: Draft | null): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    const value = toValue(draft);
    entry.saved = value;
    if (entry.isDirty || entry.inFlight > 0 || sameDraft(entry.local, value)) return;
    entry.local = value;
    entry.revision += 1;
    this.#emit();
  }

  /** Stops the timers (the page is going); unsaved drafts stay unsaved. */
  stop(): void {
    for (const entry of this.#entries.values()) this.#cancelTimer(entry);
  }

  #create(key: string, peer: Peer | null): Entry {
    const entry: Entry = { peer, local: EMPTY, saved: EMPTY, isDirty: false, timer: null, inFlight: 0, chain: Promise.resolve(), revision: 0 };
    this.#entries.set(key, entry);
    return entry;
  }

  #saveNow(entry: Entry): void {
    if (!entry.isDirty) return;
    const peer = entry.peer;
    const value = entry.local;
    entry.isDirty = false;
    // Whitespace only is no draft on the server either.
    const effective = value.text.trim() === '' ? EMPTY : value;
    if (peer === null || sameDraft(effective, entry.saved)) return;
    entry.inFlight += 1;
    entry.saved = effective;
    entry.chain = entry.chain
      .then(() => this.#save(peer, effective))
      .catch((error: unknown) => {
        // Not saved: the next change or flush tries again.
        entry.saved = { text: '\u0000unknown', replyToId: null };
        if (sameDraft(entry.local, value)) entry.isDirty = true;
        this.#onError(error);
      })
      .finally(() => {
        entry.inFlight -= 1;
      });
  }

  #cancelTimer(entry: Entry): void {
    if (entry.timer === null) return;
    this.#timers.clearTimeout(entry.timer);
    entry.timer = null;
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}

function toValue(draft: Draft | null): DraftValue {
  return draft === null ? EMPTY : { text: draft.text, replyToId: draft.replyToId };
}

function sameDraft(a: DraftValue, b: DraftValue): boolean {
  return a.text === b.text && a.replyToId === b.replyToId;
}
