import { blobSource, SecretChats, type SafetyNumber, type SamizdatClient, type SecretHistoryEntry, type SecretMessage, type SecretStore } from '@samizdat/client';
import type { MediaKind, SecretFile, User } from '@samizdat/protocol';
import { IndexedDbSecretStore } from '../../storage/idb-secret-store.ts';

/** One secret chat as the screens show it: a copy, replaced (never mutated) on every change. */
export interface SecretChatSummary {
  peerUserId: number;
  /** The timer of messages sent from now on; 0: off. */
  ttlSeconds: number;
  history: readonly SecretHistoryEntry[];
  /** Messages from the peer not read yet on any of this user's devices. */
  unreadCount: number;
  /** The newest entry's time, milliseconds: orders the list. */
  lastActivityMs: number;
}

/** Everything the secret-chat screens read. */
export interface SecretSnapshot {
  /** `starting` until the device's keys are loaded (or made and registered) and what waited was fetched. */
  status: 'starting' | 'ready' | 'failed';
  error: string | null;
  /** Most recent activity first. */
  chats: readonly SecretChatSummary[];
}

/** Options of {@link SecretChatStore}. */
export interface SecretChatStoreOptions {
  /** Where keys, sessions and histories live. @default a new IndexedDbSecretStore() */
  makeStore?: () => SecretStore & { clear?: () => Promise<void> };
  /** Users looked up for peers the app did not know (someone who wrote first in a secret chat). */
  onUsers?: (users: readonly User[]) => void;
  /** Whether the app already knows a user. @default () => false */
  isKnownUser?: (userId: number) => boolean;
  /** Failures no promise reports (a background send, a start that failed). @default ignored */
  onError?: (error: unknown) => void;
}

const STARTING: SecretSnapshot = { status: 'starting', error: null, chats: [] };
/** How long a failed start waits before it is tried again while the connection stays up. */
const RETRY_DELAY_MS = 5_000;

/**
 * The web client's secret chats ([WEB40]): one SDK {@link SecretChats} per signed-in run, its keys,
 * sessions and histories in this browser's IndexedDB ([WEB2]) and nowhere else. Screens read an
 * immutable {@link SecretSnapshot} through `useSyncExternalStore`, rebuilt after every SDK event
 * and every action. Signing out (or the session being terminated) erases the device's secret state.
 */
export class SecretChatStore {
  readonly #client: SamizdatClient;
  readonly #options: SecretChatStoreOptions;
  readonly #listeners = new Set<() => void>();
  readonly #lookedUp = new Set<number>();
  #secret: SecretChats | null = null;
  /** Settles with the started SecretChats (or its start's failure). */
  #ready: Promise<SecretChats> | null = null;
  #snapshot: SecretSnapshot = STARTING;
  #refreshQueued = false;

  constructor(client: SamizdatClient, options: SecretChatStoreOptions = {}) {
    this.#client = client;
    this.#options = options;
  }

  /** For `useSyncExternalStore`. */
  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** For `useSyncExternalStore`: the same object until something changes. */
  getSnapshot = (): SecretSnapshot => this.#snapshot;

  /**
   * Starts secret chats on this device (the client must be signed in); returns the function that
   * stops them, for a React effect (which may start and stop more than once: each start is a
   * fresh {@link SecretChats} on the same stored state). A start that fails (the network was down,
   * say) is tried again with a fresh one when the connection is next up, or after a pause.
   */
  start(): () => void {
    const store = (this.#options.makeStore ?? (() => new IndexedDbSecretStore()))();
    let isStopped = false;
    let current: { secret: SecretChats; unsubscribe: () => void } | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | null = null;
    const stopCurrent = (): Promise<void> => {
      const running = current;
      current = null;
      if (running === null) return Promise.resolve();
      running.unsubscribe();
      if (this.#secret === running.secret) {
        this.#secret = null;
        this.#ready = null;
      }
      return running.secret.close();
    };
    const launch = (): void => {
      const secret = new SecretChats(this.#client, { store });
      const refresh = () => this.#queueRefresh();
      const subscriptions = [
        secret.on('message', refresh),
        secret.on('messageEdited', refresh),
        secret.on('messagesDeleted', refresh),
        secret.on('reaction', refresh),
        secret.on('timerChanged', refresh),
        secret.on('read', refresh),
        secret.on('devicesChanged', refresh),
        secret.on('decryptFailed', ({ senderUserId, senderDeviceId, qts }) => console.warn('secret chat: an envelope did not open', { senderUserId, senderDeviceId, qts })),
        secret.on('error', (error) => this.#options.onError?.(error)),
      ];
      current = { secret, unsubscribe: () => subscriptions.forEach((unsubscribe) => unsubscribe()) };
      this.#secret = secret;
      this.#set({ ...this.#snapshot, status: 'starting', error: null });
      const ready = secret.start().then(() => secret);
      // Failures are reported below; callers of the actions see them too.
      ready.catch(() => {});
      this.#ready = ready;
      ready.then(
        () => {
          if (isStopped || current?.secret !== secret) return;
          this.#set({ ...this.#snapshot, status: 'ready', error: null });
          this.#refresh();
        },
        (error: unknown) => {
          if (isStopped || current?.secret !== secret) return;
          this.#set({ ...this.#snapshot, status: 'failed', error: error instanceof Error ? error.message : String(error) });
          this.#options.onError?.(error);
          void stopCurrent().catch((closeError: unknown) => this.#options.onError?.(closeError));
          if (this.#client.connectionState === 'connected') retryTimer = setTimeout(retry, RETRY_DELAY_MS);
        },
      );
    };
    const retry = (): void => {
      if (retryTimer !== null) clearTimeout(retryTimer);
      retryTimer = null;
      if (!isStopped && current === null) launch();
    };
    const subscriptions = [
      this.#client.on('connectionState', (state) => {
        if (state === 'connected') retry();
      }),
      // Keys of a session that ended are of no use to anyone: erase them from this browser.
      this.#client.on('loggedOut', () => {
        isStopped = true;
        void stopCurrent()
          .then(() => store.clear?.())
          .catch((error: unknown) => this.#options.onError?.(error));
      }),
    ];
    this.#set(STARTING);
    launch();
    return () => {
      isStopped = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      for (const unsubscribe of subscriptions) unsubscribe();
      void stopCurrent().catch((error: unknown) => this.#options.onError?.(error));
    };
  }

  /** Starts (or opens) the secret chat with a user; fails when they have no device for secret chats. */
  async startChat(peerUserId: number): Promise<void> {
    await (await this.#require()).startChat(peerUserId);
    this.#refresh();
  }

  /** Encrypts a text for every device of both users and queues it; resolves once it is saved to go. */
  async sendText(peerUserId: number, text: string, replyToId?: string): Promise<SecretMessage> {
    const message = await (await this.#require()).sendText(peerUserId, text, replyToId === undefined ? {} : { replyToId });
    this.#refresh();
    return message;
  }

  /** Edits one of the user's own messages on every device of both users ([WEB48]). */
  async edit(peerUserId: number, id: string, text: string): Promise<void> {
    await (await this.#require()).edit(peerUserId, id, text);
    this.#refresh();
  }

  /** Deletes a message (either user's) from every device of both users ([WEB48]). */
  async delete(peerUserId: number, id: string): Promise<void> {
    await (await this.#require()).delete(peerUserId, [id]);
    this.#refresh();
  }

  /** Sets (or, with null, takes back) the user's reaction to a message ([WEB48]). */
  async react(peerUserId: number, id: string, emoji: string | null): Promise<void> {
    await (await this.#require()).react(peerUserId, id, emoji);
    this.#refresh();
  }

  /**
   * Encrypts a file in this browser with a fresh key, uploads the ciphertext and sends the key in
   * the encrypted message ([WEB49]). `onProgress` gets the share of the file read (encrypted and
   * handed to the upload) so far, 0 to 1.
   */
  async sendFile(peerUserId: number, file: Blob & { name?: string }, options: { kind: MediaKind; caption?: string; onProgress?: (fraction: number) => void }): Promise<SecretMessage> {
    const secret = await this.#require();
    const source = blobSource(file);
    let read = 0;
    const counted = {
      size: source.size,
      read: async (offset: number, length: number) => {
        const bytes = await source.read(offset, length);
        read = Math.max(read, offset + bytes.length);
        options.onProgress?.(source.size === 0 ? 1 : read / source.size);
        return bytes;
      },
    };
    const message = await secret.sendFile(peerUserId, counted, {
      name: file.name ?? 'file',
      mimeType: file.type === '' ? 'application/octet-stream' : file.type,
      kind: options.kind,
      ...(options.caption === undefined || options.caption === '' ? {} : { caption: options.caption }),
    });
    this.#refresh();
    return message;
  }

  /** Downloads a message's file and decrypts it in this browser into a `Blob` of its type ([WEB49]). */
  async downloadFile(file: SecretFile): Promise<Blob> {
    const secret = await this.#require();
    const chunks: Uint8Array[] = [];
    await secret.downloadFile(file, (bytes) => void chunks.push(bytes.slice()));
    return new Blob(chunks as BlobPart[], { type: file.mimeType });
  }

  /** Sets the self-destruct timer of messages sent from now on, on both sides; 0 turns it off. */
  async setTimer(peerUserId: number, ttlSeconds: number): Promise<void> {
    await (await this.#require()).setTimer(peerUserId, ttlSeconds);
    this.#refresh();
  }

  /** Marks the peer's messages read: those sent under a timer start their countdown everywhere. */
  async markRead(peerUserId: number): Promise<void> {
    const ids = await (await this.#require()).markRead(peerUserId);
    if (ids.length > 0) this.#refresh();
  }

  /** The safety number over every device of both users, as the server lists them now. */
  async safetyNumber(peerUserId: number): Promise<SafetyNumber> {
    const number = await (await this.#require()).safetyNumber(peerUserId);
    // Fetching the device lists may have found a change and written it into the chat.
    this.#refresh();
    return number;
  }

  /** The started SecretChats, once its start finished; rejects when it failed or none runs. */
  async #require(): Promise<SecretChats> {
    if (this.#ready === null) throw new Error('Cannot use secret chats: they are not running on this device');
    return this.#ready;
  }

  /** Events come in bursts (a batch of envelopes): rebuild once per burst. */
  #queueRefresh(): void {
    if (this.#refreshQueued) return;
    this.#refreshQueued = true;
    queueMicrotask(() => {
      this.#refreshQueued = false;
      this.#refresh();
    });
  }

  #refresh(): void {
    const secret = this.#secret;
    if (secret === null || this.#snapshot.status !== 'ready') return;
    const selfId = this.#client.user?.id ?? 0;
    const chats = secret.chats().map((chat) => summarize(chat.peerUserId, chat.ttlSeconds, chat.history, selfId));
    chats.sort((a, b) => b.lastActivityMs - a.lastActivityMs || a.peerUserId - b.peerUserId);
    this.#set({ ...this.#snapshot, chats });
    this.#lookUpUsers(chats.map((chat) => chat.peerUserId));
  }

  #lookUpUsers(userIds: readonly number[]): void {
    const isKnown = this.#options.isKnownUser ?? (() => false);
    const missing = userIds.filter((id) => !isKnown(id) && !this.#lookedUp.has(id));
    if (missing.length === 0) return;
    for (const id of missing) this.#lookedUp.add(id);
    this.#client.call('users.getUsers', { userIds: missing.slice(0, 100) }).then(
      ({ users }) => this.#options.onUsers?.(users),
      (error: unknown) => {
        for (const id of missing) this.#lookedUp.delete(id);
        this.#options.onError?.(error);
      },
    );
  }

  #set(snapshot: SecretSnapshot): void {
    this.#snapshot = snapshot;
    for (const listener of this.#listeners) listener();
  }
}

/** A copy of a chat's history (the SDK changes its own in place) with what the list shows of it. */
export function summarize(peerUserId: number, ttlSeconds: number, history: readonly SecretHistoryEntry[], selfId: number): SecretChatSummary {
  const copy = history.map((entry) => (entry.kind === 'message' ? { ...entry, reactions: { ...entry.reactions } } : { ...entry, action: { ...entry.action } }));
  let unreadCount = 0;
  let lastActivityMs = 0;
  for (const entry of copy) {
    if (entry.kind === 'message') {
      if (entry.senderUserId !== selfId && entry.readAt === null) unreadCount += 1;
      lastActivityMs = Math.max(lastActivityMs, entry.sentAt);
    } else {
      lastActivityMs = Math.max(lastActivityMs, entry.at);
    }
  }
  return { peerUserId, ttlSeconds, history: copy, unreadCount, lastActivityMs };
}
