import {
  MAX_CAPTION_LENGTH,
  MAX_MESSAGE_LENGTH,
  PROTOCOL_VERSION,
  RpcError,
  assertNever,
  isValidRandomId,
  normalizePhone,
  paramsFault,
  type Authorization,
  type Envelope,
  type ErrorFrame,
  type FileInfo,
  type InputMedia,
  type Message,
  type MessageEntity,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type Peer,
  type PresenceFrame,
  type SequencedUpdate,
  type ServerFrame,
  type TypingFrame,
  type Update,
  type UpdatesState,
  type User,
  type Welcome,
} from '@samizdat/protocol';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { ChatSequences } from './chat-sequences.ts';
import { ClientClosedError } from './client-errors.ts';
import { MemoryStore, type ClientStore, type OutboxEntry, type StoredState } from './client-store.ts';
import { createDeferred } from './deferred.ts';
import { downloadFile, type DownloadFileOptions, type DownloadResult, type DownloadSink } from './file-download.ts';
import { FileHttp, httpBaseUrl, type FetchLike } from './file-http.ts';
import type { FileSource } from './file-source.ts';
import { uploadFile, type UploadFileOptions } from './file-upload.ts';
import type { Logger } from './logger.ts';
import { Outbox } from './outbox.ts';
import { PendingCalls, type CallOutcome, type RequestOptions } from './pending-calls.ts';
import { PersistedState } from './persisted-state.ts';
import { generateRandomId } from './random-id.ts';
import {
  ReconnectingConnection,
  SESSION_TERMINATED_CLOSE_CODE,
  type ConnectionState,
  type HelloOutcome,
} from './reconnecting-connection.ts';
import type { CloseInfo } from './socket-connection.ts';
import { systemTimers, type Timers } from './timers.ts';
import { TypedEmitter, describeError } from './typed-emitter.ts';
import { UpdateSequencer } from './update-sequencer.ts';
import type { WebSocketConstructor } from './websocket-like.ts';

/** Options of {@link SamizdatClient}. */
export interface SamizdatClientOptions {
  /** The server's WebSocket endpoint, e.g. `ws://127.0.0.1:8080/ws`. */
  url: string;
  /** A session token to present; overrides the one in `store`. */
  token?: string;
  /**
   * The WebSocket constructor. Node 20 has no global one: pass `WebSocket` from the `ws` package.
   * @default globalThis.WebSocket
   */
  WebSocket?: WebSocketConstructor;
  /**
   * Where the token, the update state and the outbox survive restarts.
   * @default new MemoryStore()
   */
  store?: ClientStore;
  /** Bounds of the reconnect backoff. @default { minDelayMs: 250, maxDelayMs: 10_000 } */
  reconnect?: BackoffOptions;
  /**
   * `FLOOD_WAIT`s up to this long are waited out and retried silently; longer ones reject.
   * @default 10
   */
  floodWaitThresholdSeconds?: number;
  /** How long a gap in the update sequence may stay open before `getDifference` fills it. @default 500 */
  gapTimeoutMs?: number;
  /** Rejects a call with `RequestTimeoutError` after this long without an answer; none when absent. */
  requestTimeoutMs?: number;
  /** A socket not welcomed within this long is dropped and replaced. @default 15_000 */
  handshakeTimeoutMs?: number;
  /** Where the SDK logs (ids, codes and sizes only). @default none */
  logger?: Logger;
  /** Clock and timers, for tests that drive time by hand. @default systemTimers */
  timers?: Timers;
  /**
   * The server's HTTP address, where files are uploaded and downloaded.
   * @default derived from `url`: `ws://h:p/ws` → `http://h:p`, `wss://…` → `https://…`
   */
  httpUrl?: string;
  /** The `fetch` of file transfers. @default globalThis.fetch */
  fetch?: FetchLike;
  /** An HTTP request of a file transfer (one part, one range) without its answer after this long is tried again. @default 60_000 */
  transferTimeoutMs?: number;
}

/** Why the client is no longer signed in. */
export interface LoggedOutEvent {
  /** `logOut`: this app asked; `sessionTerminated`: the server ended the session (another device, expiry). */
  reason: 'logOut' | 'sessionTerminated';
}

/** The server refused an outbox entry for good (it has left the outbox). */
export interface OutboxFailedEvent {
  entry: OutboxEntry;
  error: Error;
}

/** An update of a group's or channel's own sequence. */
export interface ChatUpdateEvent {
  chatId: number;
  update: Update;
}

/** A group or channel was too far behind to catch up; its sequence now stands at `state.pts`. */
export interface ChatTooLongEvent {
  chatId: number;
  state: UpdatesState;
}

/** Messages to remove from view: deleted for everyone, or (in the user's own sequence) for this user. */
export interface MessagesDeletedEvent {
  chatId: number;
  messageIds: number[];
}

/** The events of {@link SamizdatClient} and their payloads. */
export type SamizdatClientEvents = {
  /** Every update of the user's own sequence (private chats, drafts, joins), exactly once, in pts order. */
  update: Update;
  /** Every update of each followed group's or channel's sequence, exactly once, in that chat's pts order. */
  chatUpdate: ChatUpdateEvent;
  /** The message of every `newMessage` update of any sequence (incoming and this user's own, from any device). */
  message: Message;
  /** The message of every `editMessage` update of any sequence. */
  messageEdited: Message;
  /** The messages of every `deleteMessages` update of any sequence. */
  messagesDeleted: MessagesDeletedEvent;
  /** Someone started or stopped typing in a chat (not stored, not sequenced). */
  typing: TypingFrame;
  /** A user's online status changed (not stored, not sequenced). */
  presence: PresenceFrame;
  /** An end-to-end envelope for this device (secret chats); acknowledge it with `secret.ack` once stored. */
  envelope: Envelope;
  /** This device's one-time prekeys ran low: upload more with `secret.uploadPrekeys`. */
  prekeysLow: number;
  connectionState: ConnectionState;
  loggedOut: LoggedOutEvent;
  /** The client was too far behind to catch up; refetch chats and history. */
  tooLong: UpdatesState;
  /** A group or channel was too far behind to catch up; refetch its history. */
  chatTooLong: ChatTooLongEvent;
  /** Users mentioned by a difference, delivered before its updates. */
  users: User[];
  outboxFailed: OutboxFailedEvent;
  /** Something went wrong that no call's promise reports (a failed catch-up, a store error). */
  error: Error;
};

/** Options of {@link SamizdatClient.sendMessage}. */
export interface SendMessageOptions {
  /** The idempotency key; a fresh random one when absent. Reuse it to retry the same message. */
  randomId?: string;
  /** The id of the message, in the same chat, that this one replies to. */
  replyToId?: number;
  /** Styled and linked spans of the text, in UTF-16 code units. */
  entities?: MessageEntity[];
}

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 15_000;
const DEFAULT_TRANSFER_TIMEOUT_MS = 60_000;
const DEFAULT_FLOOD_WAIT_THRESHOLD_SECONDS = 10;

/**
 * The Samizdat client: one connection to the server, kept up until {@link SamizdatClient.close}.
 *
 * - Calls wait for a connection and are resent after a reconnect (`call`).
 * - Sent messages live in a persisted outbox until the server acks them (`sendMessage`).
 * - Updates arrive exactly once, in order, whatever the network did: the user's own sequence as
 *   `update`, each group's and channel's sequence as `chatUpdate`.
 *
 * Runs in Node and in browsers; see `SPEC.md` for the rules it keeps.
 */
export class SamizdatClient {
  readonly #emitter: TypedEmitter<SamizdatClientEvents>;
  readonly #logger: Logger;
  readonly #timers: Timers;
  readonly #requestTimeoutMs: number | undefined;
  readonly #optionToken: string | undefined;
  readonly #persisted: PersistedState;
  readonly #calls: PendingCalls;
  readonly #connection: ReconnectingConnection;
  readonly #sequencer: UpdateSequencer;
  readonly #chats: ChatSequences;
  readonly #outbox: Outbox;
  readonly #files: FileHttp;
  readonly #floodWaitThresholdSeconds: number;
  readonly #firstWelcome = createDeferred<Welcome>();
  #token: string | null;
  #user: User | null = null;
  #sessionId: number | null = null;
  #loading: Promise<void> | null = null;
  #starting: Promise<Welcome> | null = null;
  /** The latest catch-up started, which sign-in awaits. */
  #catchingUp: Promise<void> = Promise.resolve();
  /** Set once the client cannot be used any more (closed, or refused by the server for good). */
  #stoppedError: Error | null = null;

  constructor(options: SamizdatClientOptions) {
    this.#logger = options.logger ?? {};
    this.#timers = options.timers ?? systemTimers;
    this.#requestTimeoutMs = options.requestTimeoutMs;
    this.#optionToken = options.token;
    this.#floodWaitThresholdSeconds = options.floodWaitThresholdSeconds ?? DEFAULT_FLOOD_WAIT_THRESHOLD_SECONDS;
    this.#token = options.token ?? null;
    this.#emitter = new TypedEmitter({ logger: this.#logger });
    this.#persisted = new PersistedState(options.store ?? new MemoryStore(), {
      logger: this.#logger,
      onError: (error) => this.#emitter.emit('error', error),
    });
    this.#calls = this.#createCalls(options);
    this.#connection = this.#createConnection(options);
    this.#sequencer = this.#createSequencer(options);
    this.#chats = this.#createChatSequences(options);
    this.#outbox = new Outbox({
      persisted: this.#persisted,
      send: (entry, signal) =>
        // No timeout and no flood-wait ceiling: an entry waits for the server however long it takes.
        this.#request('messages.send', sendParams(entry), { signal, floodWaitThresholdSeconds: Number.POSITIVE_INFINITY }),
      onFailed: (entry, error) => this.#emitter.emit('outboxFailed', { entry, error }),
      logger: this.#logger,
    });
    this.#files = new FileHttp({
      baseUrl: (options.httpUrl ?? httpBaseUrl(options.url)).replace(/\/+$/, ''),
      fetch: resolveFetch(options.fetch),
      getToken: () => this.#token,
      timers: this.#timers,
      requestTimeoutMs: options.transferTimeoutMs ?? DEFAULT_TRANSFER_TIMEOUT_MS,
    });
  }

  /** The signed-in user, or null. */
  get user(): User | null {
    return this.#user;
  }

  /** This device's session token, or null when signed out. Treat it as a password. */
  get token(): string | null {
    return this.#token;
  }

  /** The id of this device's session, or null when signed out. */
  get sessionId(): number | null {
    return this.#sessionId;
  }

  /** The pts of the last update of the user's own sequence delivered, or null before it is known. */
  get pts(): number | null {
    return this.#sequencer.pts;
  }

  /**
   * The groups and channels whose sequences the client follows, each with the pts of its last
   * update delivered (null while the chat's state is being fetched). A snapshot.
   */
  get followedChats(): ReadonlyMap<number, number | null> {
    return this.#chats.followed;
  }

  /** Is a connection up and welcomed by the server? */
  get isConnected(): boolean {
    return this.#connection.isReady;
  }

  /** Where the connection stands; changes are also emitted as `connectionState`. */
  get connectionState(): ConnectionState {
    return this.#connection.state;
  }

  /** Messages sent but not yet acked, oldest first. */
  get outbox(): readonly OutboxEntry[] {
    return this.#outbox.entries;
  }

  /** Calls `handler` on every `event`; returns the function that unsubscribes it. */
  on<E extends keyof SamizdatClientEvents>(event: E, handler: (payload: SamizdatClientEvents[E]) => void): () => void {
    return this.#emitter.on(event, handler);
  }

  /**
   * Loads the stored state, resends the stored outbox and connects. Resolves with the server's
   * first welcome (retrying with backoff until there is one); from then on the connection is kept
   * up until {@link SamizdatClient.close}. Rejects if the server refuses the protocol version.
   * When the stored token is no longer valid, resolves with a welcome without a user.
   */
  connect(): Promise<Welcome> {
    if (this.#stoppedError !== null) return Promise.reject(this.#stoppedError);
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /**
   * Closes the connection for good. Calls in flight reject with `ClientClosedError`; unacked
   * outbox entries stay in the store for the next run. Resolves once the state is saved.
   */
  async close(): Promise<void> {
    if (!(this.#stoppedError instanceof ClientClosedError)) this.#stop(new ClientClosedError());
    await this.#loading?.catch(() => {});
    await this.#persisted.flush();
  }

  /**
   * Calls a method. Waits for a connection if there is none; a call in flight when the connection
   * drops is sent again on the next one, so a call that is not idempotent must be made so by its
   * params. Flood waits up to `floodWaitThresholdSeconds` are waited out; other failures reject with
   * `RpcError`.
   */
  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
    const fault = paramsFault(method, params);
    if (fault !== null) return Promise.reject(new RpcError('PARAMS_INVALID', `Cannot call ${method}: ${fault}`));
    return this.#request(method, params, this.#timeoutOptions());
  }

  /** Asks the server to send a sign-in code to `phone`. */
  async sendCode(phone: string): Promise<MethodResult<'auth.sendCode'>> {
    return this.call('auth.sendCode', { phone: requirePhone(phone) });
  }

  /**
   * Signs in with the code from {@link SamizdatClient.sendCode}. On success stores the token, sets
   * `user` and, before resolving, brings the update state up to date. Resolves with
   * `{ type: 'signUpRequired' }` when no account uses the phone.
   */
  async signIn(params: MethodParams<'auth.signIn'>): Promise<MethodResult<'auth.signIn'>> {
    const result = await this.call('auth.signIn', { ...params, phone: requirePhone(params.phone) });
    if (result.type === 'authorization') await this.#afterAuthorization();
    return result;
  }

  /** Creates an account after `signIn` answered `signUpRequired`; then as `signIn`. */
  async signUp(params: MethodParams<'auth.signUp'>): Promise<Authorization> {
    const result = await this.call('auth.signUp', { ...params, phone: requirePhone(params.phone) });
    await this.#afterAuthorization();
    return result;
  }

  /**
   * Ends this device's session on the server, then forgets the token, the update state and the
   * outbox (whose pending sends reject). Emits `loggedOut`.
   */
  async logOut(): Promise<void> {
    try {
      await this.call('auth.logOut', {});
    } catch (error) {
      // The session was already gone on the server: logging out locally is all that is left.
      if (!(error instanceof RpcError && error.code === 'AUTH_KEY_UNREGISTERED')) throw error;
      this.#endSession('logOut');
    }
    await this.#persisted.flush();
  }

  /**
   * Sends a text message (to a user, a group or a channel) through the outbox. The entry is
   * persisted before it is sent and resent with the same `randomId` after every reconnect and
   * restart until the server answers, so the message is stored exactly once. Resolves with the
   * stored message on the server's ack; rejects with the server's `RpcError` when it refuses the
   * message (the entry is dropped), or with `ClientClosedError` on `close()` (the entry stays for
   * the next run). Flood waits are waited out.
   */
  async sendMessage(peer: Peer, text: string, options: SendMessageOptions = {}): Promise<Message> {
    if (text.trim().length === 0) throw new RpcError('MESSAGE_EMPTY', 'Cannot send message: the text is empty');
    if (text.length > MAX_MESSAGE_LENGTH) {
      throw new RpcError('MESSAGE_TOO_LONG', `Cannot send message: text is ${text.length} characters, limit is ${MAX_MESSAGE_LENGTH}`);
    }
    return this.#enqueue(peer, text, options, undefined);
  }

  /**
   * Sends an uploaded file (from {@link SamizdatClient.uploadFile}) as a photo, video, voice note
   * or document, with an optional caption, through the outbox exactly as
   * {@link SamizdatClient.sendMessage} sends text ([SDK33]): persisted first, resent with the same
   * `randomId` until the server answers. Resolves with the stored message, whose `media` the server
   * completed (a photo's size and thumbnail).
   */
  async sendMedia(peer: Peer, media: InputMedia, caption = '', options: SendMessageOptions = {}): Promise<Message> {
    if (caption.length > MAX_CAPTION_LENGTH) {
      throw new RpcError('MEDIA_CAPTION_TOO_LONG', `Cannot send media: caption is ${caption.length} characters, limit is ${MAX_CAPTION_LENGTH}`);
    }
    return this.#enqueue(peer, caption, options, media);
  }

  /**
   * Uploads a file part by part over HTTP and resolves with the stored file, ready for
   * {@link SamizdatClient.sendMedia} ([SDK30], [SDK31]). Memory stays at about
   * `(parallel + 1) × partSize` whatever the file's size. Failed parts are retried with backoff;
   * an upload that fails anyway (or is aborted) can be resumed by passing the `uploadId` that
   * `onStarted` gave, and then sends only the parts the server lacks.
   */
  async uploadFile(source: FileSource, options: UploadFileOptions = {}): Promise<FileInfo> {
    await this.#requireSession('Cannot upload file');
    const deps = {
      call: <M extends 'files.startUpload' | 'files.getUpload' | 'files.completeUpload'>(method: M, params: MethodParams<M>) =>
        method === 'files.completeUpload'
          ? // The server joins and hashes the whole file before it answers, which for gigabytes outlasts any
            // request timeout; a dropped connection still resends the call ([SDK9]).
            this.#request(method, params, {})
          : this.call(method, params),
      http: this.#files,
      timers: this.#timers,
      floodWaitThresholdSeconds: this.#floodWaitThresholdSeconds,
      logger: this.#logger,
    };
    return uploadFile(deps, source, options);
  }

  /**
   * Downloads a file over HTTP ranges, several at once, into `sink`, which gets the bytes in order
   * one call at a time ([SDK32]). Pass `offset` to resume after the bytes the sink already holds.
   * Resolves once the sink has every byte.
   */
  async downloadFile(fileId: string, sink: DownloadSink, options: DownloadFileOptions = {}): Promise<DownloadResult> {
    await this.#requireSession('Cannot download file');
    const deps = { http: this.#files, timers: this.#timers, floodWaitThresholdSeconds: this.#floodWaitThresholdSeconds, logger: this.#logger };
    return downloadFile(deps, fileId, sink, options);
  }

  /**
   * The HTTP address of a file. A `GET` needs the header `authorization: Bearer <token>` and
   * may ask for a `Range`.
   */
  fileUrl(fileId: string): string {
    return this.#files.fileUrl(fileId);
  }

  /** The checks both kinds of message go through, then the outbox. */
  async #enqueue(peer: Peer, text: string, options: SendMessageOptions, media: InputMedia | undefined): Promise<Message> {
    const what = media === undefined ? 'Cannot send message' : 'Cannot send media';
    const randomId = options.randomId ?? generateRandomId();
    if (!isValidRandomId(randomId)) {
      throw new RpcError('RANDOM_ID_INVALID', `${what}: randomId must be 8 to 64 characters of A-Z, a-z, 0-9, _ and -`);
    }
    const entry: OutboxEntry = { randomId, peer, text, createdAt: this.#timers.now() };
    if (options.replyToId !== undefined) entry.replyToId = options.replyToId;
    if (options.entities !== undefined) entry.entities = options.entities;
    if (media !== undefined) entry.media = media;
    const fault = paramsFault('messages.send', sendParams(entry));
    if (fault !== null) throw new RpcError('PARAMS_INVALID', `${what}: ${fault}`);
    const outside = entry.entities?.findIndex((entity) => entity.offset + entity.length > text.length) ?? -1;
    if (outside !== -1) {
      throw new RpcError('ENTITY_BOUNDS_INVALID', `${what}: entity ${outside} ends past the text's ${text.length} characters`);
    }
    await this.#requireSession(what);
    return this.#outbox.enqueue(entry);
  }

  /** Waits for the stored state, then insists on a session. */
  async #requireSession(what: string): Promise<void> {
    if (this.#stoppedError !== null) throw this.#stoppedError;
    await this.#load();
    if (this.#token === null) throw new RpcError('AUTH_KEY_UNREGISTERED', `${what}: not signed in`);
  }

  // --- construction -------------------------------------------------------------------------

  #createCalls(options: SamizdatClientOptions): PendingCalls {
    return new PendingCalls({
      send: (text) => this.#connection.send(text),
      onResult: (outcome) => this.#observeResult(outcome),
      floodWaitThresholdSeconds: this.#floodWaitThresholdSeconds,
      timers: this.#timers,
      logger: this.#logger,
    });
  }

  #createConnection(options: SamizdatClientOptions): ReconnectingConnection {
    return new ReconnectingConnection({
      url: options.url,
      WebSocket: resolveWebSocket(options.WebSocket),
      timers: this.#timers,
      backoff: { ...DEFAULT_BACKOFF, ...definedOnly(options.reconnect ?? {}) },
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      logger: this.#logger,
      getToken: () => this.#token ?? undefined,
      onHello: (outcome) => this.#handleHello(outcome),
      onFrame: (frame) => this.#handleFrame(frame),
      onLost: (info) => this.#handleLost(info),
      onStateChange: (state) => this.#emitter.emit('connectionState', state),
      onFatal: (error) => this.#handleFatal(error),
    });
  }

  #createSequencer(options: SamizdatClientOptions): UpdateSequencer {
    return new UpdateSequencer({
      fetchDifference: (pts) => this.#request('updates.getDifference', { pts }, this.#timeoutOptions()),
      fetchState: () => this.#request('updates.getState', {}, this.#timeoutOptions()),
      onUpdate: (update) => {
        // Before the event, so that an app reacting to chatJoined finds the chat followed.
        if (update.type === 'chatJoined') this.#chats.follow(update.chatId, update.chatPts);
        else if (update.type === 'chatLeft') this.#chats.unfollow(update.chatId);
        this.#emitter.emit('update', update);
        this.#emitMessageEvents(update);
      },
      onPtsChange: (pts) => void this.#persisted.patch({ pts }),
      onTooLong: (state) => {
        this.#emitter.emit('tooLong', state);
        // Joins and leaves were skipped with the rest: the chat list says what to follow now.
        void this.#chats.catchUp();
      },
      onUsers: (users) => this.#emitter.emit('users', users),
      onError: (error) => this.#emitter.emit('error', toError(error, 'Cannot catch up with updates')),
      timers: this.#timers,
      gapTimeoutMs: options.gapTimeoutMs ?? 500,
      logger: this.#logger,
    });
  }

  #createChatSequences(options: SamizdatClientOptions): ChatSequences {
    const timeout = () => this.#timeoutOptions();
    return new ChatSequences({
      persisted: this.#persisted,
      fetchDifference: (chatId, pts) => this.#request('updates.getChatDifference', { chatId, pts }, timeout()),
      fetchChat: async (chatId) => (await this.#request('chats.get', { chatId }, timeout())).chat,
      fetchChatList: (params) => this.#request('messages.getChats', params, timeout()),
      onUpdate: (chatId, update) => {
        this.#emitter.emit('chatUpdate', { chatId, update });
        this.#emitMessageEvents(update);
      },
      onTooLong: (chatId, state) => this.#emitter.emit('chatTooLong', { chatId, state }),
      onUsers: (users) => this.#emitter.emit('users', users),
      onError: (error) => this.#emitter.emit('error', error),
      timers: this.#timers,
      gapTimeoutMs: options.gapTimeoutMs ?? 500,
      logger: this.#logger,
    });
  }

  /** The convenience events an update of any sequence implies. */
  #emitMessageEvents(update: Update): void {
    switch (update.type) {
      case 'newMessage':
        this.#emitter.emit('message', update.message);
        return;
      case 'editMessage':
        this.#emitter.emit('messageEdited', update.message);
        return;
      case 'deleteMessages':
        this.#emitter.emit('messagesDeleted', { chatId: update.chatId, messageIds: update.messageIds });
        return;
      default:
        return;
    }
  }

  // --- lifecycle ----------------------------------------------------------------------------

  async #start(): Promise<Welcome> {
    await this.#load();
    if (this.#stoppedError !== null) throw this.#stoppedError;
    this.#connection.start();
    return this.#firstWelcome.promise;
  }

  #load(): Promise<void> {
    this.#loading ??= this.#loadState();
    return this.#loading;
  }

  async #loadState(): Promise<void> {
    const stored = await this.#persisted.load();
    if (this.#optionToken !== undefined) {
      if (stored.token !== this.#optionToken) this.#adoptOptionToken(stored);
    } else if (stored.token !== undefined) {
      this.#token = stored.token;
    }
    if (this.#token === null && stored.outbox.length > 0) {
      // Entries without a session could only ever be refused; a signed-out store should not hold any.
      this.#logger.warn?.('Dropping outbox stored without a session', { entries: stored.outbox.length });
      void this.#persisted.patch({ outbox: [] });
    }
    // Queued now, before any new message can be, so that they go out first and in their order.
    this.#outbox.resendStored();
  }

  /**
   * Stores the app's token in place of another one. A state whose user is unknown was made under the
   * other token, possibly another user's, so its pts and outbox go; with a known user, the check at
   * welcome decides ([SDK15]).
   */
  #adoptOptionToken(stored: Readonly<StoredState>): void {
    if (stored.userId === undefined && (stored.outbox.length > 0 || stored.pts !== undefined || stored.chatPts !== undefined)) {
      this.#logger.warn?.('Dropping state stored under another token', { entries: stored.outbox.length });
      void this.#persisted.patch({ token: this.#optionToken, pts: undefined, chatPts: undefined, outbox: [] });
      return;
    }
    void this.#persisted.patch({ token: this.#optionToken });
  }

  #stop(error: Error): void {
    this.#stoppedError = error;
    this.#connection.stop();
    // Keeps the pts but stops timers and makes any catch-up in flight a no-op.
    this.#sequencer.reset(this.#sequencer.pts);
    this.#chats.stop();
    this.#calls.rejectAll(error);
    this.#firstWelcome.reject(error);
  }

  #handleFatal(error: Error): void {
    this.#stop(error);
    this.#emitter.emit('error', error);
  }

  // --- connection events --------------------------------------------------------------------

  #handleHello(outcome: HelloOutcome): void {
    const welcome = outcome.type === 'welcome' ? outcome.welcome : this.#welcomeWithoutUser();
    if (welcome.user !== null) {
      this.#setSignedIn(welcome.user, welcome.sessionId);
    } else if (outcome.sentToken !== undefined) {
      this.#endSession('sessionTerminated');
    }
    // After the session check, so that calls of an ended session are rejected rather than resent.
    this.#calls.onConnected();
    if (this.#user !== null) void this.#startCatchUp();
    this.#firstWelcome.resolve(welcome);
  }

  #handleFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'update':
        if (this.#user === null) {
          this.#logger.warn?.('Dropped update while signed out', { pts: frame.update.pts });
          return;
        }
        this.#sequencer.push(frame.update);
        return;
      case 'chatUpdate':
        if (this.#user === null) {
          this.#logger.warn?.('Dropped chat update while signed out', { chatId: frame.chatId, pts: frame.update.pts });
          return;
        }
        this.#chats.push(frame.chatId, frame.update);
        return;
      case 'typing':
        this.#emitter.emit('typing', frame);
        return;
      case 'presence':
        this.#emitter.emit('presence', frame);
        return;
      case 'envelope':
        this.#emitter.emit('envelope', frame.envelope);
        return;
      case 'prekeysLow':
        this.#emitter.emit('prekeysLow', frame.remaining);
        return;
      case 'result':
        if (!this.#calls.handleResult(frame)) this.#logger.warn?.('Dropped result of unknown call', { id: frame.id });
        return;
      case 'error':
        this.#handleErrorFrame(frame);
        return;
      default:
        assertNever(frame);
    }
  }

  #handleErrorFrame(frame: ErrorFrame): void {
    // With a token, this code means the session is gone, whether it answers a call or stands alone.
    if (frame.code === 'AUTH_KEY_UNREGISTERED' && this.#token !== null) this.#endSession('sessionTerminated');
    if (frame.id === null) {
      this.#handleUnaddressedError(frame);
      return;
    }
    if (!this.#calls.handleError(frame)) this.#logger.debug?.('Dropped error of unknown call', { id: frame.id, code: frame.code });
  }

  /** An error that answers no call: the session ended (handled above), or a frame of ours was dropped. */
  #handleUnaddressedError(frame: ErrorFrame): void {
    if (frame.code === 'AUTH_KEY_UNREGISTERED') return;
    this.#logger.warn?.('Server reported an error', { code: frame.code, retryAfterSeconds: frame.retryAfterSeconds });
    if (frame.code === 'FLOOD_WAIT') {
      // The server dropped a frame without saying which call it carried, so that call would never be
      // answered. A new connection resends every call in flight, after the wait the server asked for.
      this.#connection.restart({ minDelayMs: (frame.retryAfterSeconds ?? 1) * 1000, reason: 'frame dropped by flood limit' });
    }
  }

  #handleLost(info: CloseInfo): void {
    this.#calls.onDisconnected();
    if (info.code === SESSION_TERMINATED_CLOSE_CODE && this.#token !== null) this.#endSession('sessionTerminated');
  }

  /** Sees each valid call result before its caller: updates go to the sequencers, sessions to the store. */
  #observeResult(outcome: CallOutcome): void {
    switch (outcome.method) {
      case 'updates.getDifference':
      case 'updates.getChatDifference':
        // Their updates belong to the sequencer that asked (or to an app reading history itself).
        return;
      case 'auth.signIn':
      case 'auth.signUp':
        if (outcome.result.type === 'authorization') this.#applyAuthorization(outcome.result);
        return;
      case 'auth.logOut':
        this.#endSession('logOut');
        return;
      case 'account.terminateSession':
        // Ending this very session signs the connection out without an error frame to say so.
        if (outcome.params.sessionId === this.#sessionId) this.#endSession('logOut');
        return;
      default:
        this.#applySequencedUpdates(sequencedUpdatesOf(outcome.result));
        return;
    }
  }

  /**
   * Feeds the updates a call caused to their sequencers at once ([SDK16]); the server pushes the
   * same updates too, and each sequencer keeps whichever copy comes first.
   */
  #applySequencedUpdates(updates: readonly SequencedUpdate[]): void {
    if (updates.length === 0) return;
    if (this.#user === null) {
      this.#logger.warn?.('Dropped call result updates while signed out', { updates: updates.length });
      return;
    }
    for (const { chatId, update } of updates) {
      if (chatId === null) this.#sequencer.push(update);
      else this.#chats.push(chatId, update);
    }
  }

  // --- session ------------------------------------------------------------------------------

  #applyAuthorization(authorization: Authorization): void {
    this.#token = authorization.token;
    this.#setSignedIn(authorization.user, authorization.sessionId);
    void this.#persisted.patch({ token: authorization.token });
    void this.#startCatchUp();
  }

  async #afterAuthorization(): Promise<void> {
    await this.#catchingUp;
    await this.#persisted.flush();
  }

  /**
   * Catches up with every sequence ([SDK5], [SDK26]): the user's own first, whose joins and leaves
   * say which chats to follow, then the chats. Never rejects; failures are retried inside.
   */
  #startCatchUp(): Promise<void> {
    const userId = this.#user?.id;
    const catchingUp = (async () => {
      await this.#sequencer.sync();
      // The session may have ended, or the client closed, meanwhile: then there is nothing to catch up.
      if (this.#user?.id !== userId || this.#stoppedError !== null) return;
      await this.#chats.catchUp();
    })();
    this.#catchingUp = catchingUp;
    return catchingUp;
  }

  #setSignedIn(user: User, sessionId: number | null): void {
    this.#user = user;
    this.#sessionId = sessionId;
    const stored = this.#persisted.current;
    // No stored user: the state was made under the current token before its user was known.
    if (stored.userId !== undefined && stored.userId !== user.id) {
      // The stored pts and outbox belong to someone else: neither may leak into this user's session.
      this.#logger.info?.('Another user signed in; dropping stored state', { userId: user.id });
      this.#outbox.clear(new RpcError('AUTH_KEY_UNREGISTERED', 'Cannot send message: the session that queued it ended'));
      this.#sequencer.reset(null);
      this.#chats.reset();
      void this.#persisted.patch({ userId: user.id, pts: undefined, chatPts: undefined });
      return;
    }
    if (stored.userId === undefined) void this.#persisted.patch({ userId: user.id });
    if (this.#sequencer.pts === null && stored.pts !== undefined) this.#sequencer.reset(stored.pts);
    this.#chats.restore();
  }

  /**
   * Forgets the session: the token, the calls that need it and the outbox. A terminated session
   * keeps the user's pts, so signing the same user in again catches up instead of starting over;
   * `logOut` forgets it too.
   */
  #endSession(reason: LoggedOutEvent['reason']): void {
    const hadSession = this.#token !== null || this.#user !== null;
    this.#token = null;
    this.#user = null;
    this.#sessionId = null;
    const error = new RpcError('AUTH_KEY_UNREGISTERED', `Cannot finish call: ${reason === 'logOut' ? 'logged out' : 'the session was terminated'}`);
    this.#calls.rejectWhere((call) => call.needsAuth, error);
    this.#outbox.clear(error);
    this.#sequencer.reset(null);
    this.#chats.reset();
    void this.#persisted.patch(
      reason === 'logOut' ? { token: undefined, userId: undefined, pts: undefined, chatPts: undefined } : { token: undefined },
    );
    if (!hadSession) return;
    this.#logger.info?.('Logged out', { reason });
    this.#emitter.emit('loggedOut', { reason });
  }

  // --- helpers ------------------------------------------------------------------------------

  #request<M extends MethodName>(method: M, params: MethodParams<M>, options: RequestOptions): Promise<MethodResult<M>> {
    if (this.#stoppedError !== null) return Promise.reject(this.#stoppedError);
    return this.#calls.request(method, params, options);
  }

  #timeoutOptions(): RequestOptions {
    return this.#requestTimeoutMs === undefined ? {} : { timeoutMs: this.#requestTimeoutMs };
  }

  /** What `connect` resolves with when the stored token was refused: the connection is up, signed out. */
  #welcomeWithoutUser(): Welcome {
    return { protocolVersion: PROTOCOL_VERSION, serverTime: Math.floor(this.#timers.now() / 1000), user: null, sessionId: null };
  }
}

function resolveWebSocket(WebSocket: WebSocketConstructor | undefined): WebSocketConstructor {
  if (WebSocket !== undefined) return WebSocket;
  // Typed as always present (DOM lib), but Node 20 has none.
  const global: WebSocketConstructor | undefined = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof global !== 'function') {
    throw new TypeError('Cannot create SamizdatClient: there is no global WebSocket; pass the WebSocket option (e.g. from the ws package)');
  }
  return global;
}

/** The `messages.send` params of an outbox entry: every (re)send carries exactly these. */
function sendParams(entry: OutboxEntry): MethodParams<'messages.send'> {
  const params: MethodParams<'messages.send'> = { peer: entry.peer, text: entry.text, randomId: entry.randomId };
  if (entry.replyToId !== undefined) params.replyToId = entry.replyToId;
  if (entry.entities !== undefined) params.entities = entry.entities;
  if (entry.media !== undefined) params.media = entry.media;
  return params;
}

/** The difference methods, whose `updates` are plain updates of the sequence that asked. */
type DifferenceMethod = 'updates.getDifference' | 'updates.getChatDifference';

/** The type of `updates` in any variant of a result (distributes over unions); never when none has one. */
type UpdatesOf<R> = R extends { updates: infer U } ? U : never;

/** Methods (other than the differences) whose result has an `updates` that is not `SequencedUpdate[]`: none. */
type UpdatesNotSequenced = {
  [M in Exclude<MethodName, DifferenceMethod>]: [UpdatesOf<MethodResult<M>>] extends [SequencedUpdate[]] ? never : M;
}[Exclude<MethodName, DifferenceMethod>];

/**
 * The `updates` of a call result: every state-changing method returns the updates it caused as
 * `SequencedUpdate[]`. The result was checked against its method's schema by `resultFault`.
 */
function sequencedUpdatesOf(result: unknown): readonly SequencedUpdate[] {
  // Fails to compile when a method other than the differences returns `updates` of another shape.
  true satisfies [UpdatesNotSequenced] extends [never] ? true : never;
  if (typeof result !== 'object' || result === null || !('updates' in result) || !Array.isArray(result.updates)) return [];
  return result.updates as SequencedUpdate[];
}

function resolveFetch(fetch: FetchLike | undefined): FetchLike {
  if (fetch !== undefined) return fetch;
  // Called through a wrapper: a browser's fetch throws "Illegal invocation" when called on another object.
  return (url, init) => globalThis.fetch(url, init);
}

function requirePhone(phone: string): string {
  const normalized = normalizePhone(phone);
  // The message names the length only: phone numbers stay out of errors and logs.
  if (normalized === null) throw new RpcError('PHONE_NUMBER_INVALID', `Cannot use phone number: ${phone.length} characters, not in E.164 form`);
  return normalized;
}

function definedOnly(options: BackoffOptions): BackoffOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function toError(error: unknown, context: string): Error {
  return error instanceof Error ? error : new Error(`${context}: ${describeError(error)}`);
}
