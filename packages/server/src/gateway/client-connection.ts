import {
  isMethodName,
  paramsFault,
  parseClientFrame,
  PROTOCOL_VERSION,
  RpcError,
  ERROR_CATALOG,
  type CallFrame,
  type ErrorCode,
  type HelloFrame,
  type MethodName,
  type ServerFrame,
  type Welcome,
} from '@samizdat/protocol';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { renderUser } from '../accounts/users.ts';
import { chatTopic, userTopic, type BusEvent } from '../bus/bus.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { TokenBucket } from '../shared/rate-limiter.ts';
import type { ConnectionLimits } from './connection-limits.ts';
import { createHandlers, isPublicMethod, type CallContext, type Services } from './handlers.ts';
import { textFrame } from './prepared-frame.ts';

/** WebSocket close codes of our own (4000–4999 are for applications). */
export const CLOSE_SESSION_TERMINATED = 4001;
export const CLOSE_HELLO_TIMEOUT = 4002;
export const CLOSE_FLOOD = 4008;

type Handlers = ReturnType<typeof createHandlers>;

/** What every connection of a server shares: made once per server, not per connection. */
export interface ConnectionDeps {
  services: Services;
  handlers: Handlers;
  clock: Clock;
  logger: Logger;
  limits: ConnectionLimits;
  /** Every connection's socket from its start to its close: what the heartbeat pings and a stop closes. */
  openSockets: Set<WebSocket>;
}

/** A fan-out to 100,000 subscribers serialises, encodes and frames its push once, not 100,000 times. */
const preparedFrames = new WeakMap<BusEvent, Buffer>();

/** The connection a socket belongs to, so that its listeners can be the same three functions for every connection. */
const CONNECTION = Symbol('connection');
type ConnectionSocket = WebSocket & { [CONNECTION]: ClientConnection };

/** Shared, so holding a connection's writes for a tick allocates no closure. */
function uncork(socket: Duplex): void {
  socket.uncork();
}

/**
 * One client's WebSocket: reads and checks its frames, answers each call exactly once, and pushes
 * the updates of its user while it is signed in.
 */
export class ClientConnection implements CallContext {
  userId: number | null = null;
  sessionId: number | null = null;
  #hasSaidHello = false;
  #inFlight = 0;
  #floodStrikes = 0;
  #floodWindowStartedAt = 0;
  /** Made on the first group or channel: many connections follow none, and an empty set costs each of them. */
  #followedChats: Set<number> | null = null;
  #helloTimer: NodeJS.Timeout | null;
  readonly #bucket: TokenBucket;
  /** The one handler of every topic this connection follows (a closure per topic would cost each connection). */
  readonly #onBus = (event: BusEvent): void => this.#onBusEvent(event);

  // What a connection holds is what 100,000 idle ones cost: these are shared, not closures of each.
  static #onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    (this as ConnectionSocket)[CONNECTION].#onFrame(data, isBinary);
  }

  static #onSocketClose(this: WebSocket): void {
    (this as ConnectionSocket)[CONNECTION].#onClose();
  }

  static #onSocketError(this: WebSocket, error: Error): void {
    const connection = (this as ConnectionSocket)[CONNECTION];
    connection.deps.logger.log('debug', 'ws.error', { ip: connection.ip, error: error.message });
  }

  static #onHelloTimeout(ws: WebSocket): void {
    ws.close(CLOSE_HELLO_TIMEOUT, 'hello timeout');
  }

  constructor(
    private readonly ws: WebSocket,
    /** The socket under `ws`, which prepared pushes are written to. */
    private readonly socket: Duplex,
    readonly ip: string,
    private readonly deps: ConnectionDeps,
  ) {
    this.#bucket = new TokenBucket(deps.limits.frames, deps.clock);
    this.#helloTimer = setTimeout(ClientConnection.#onHelloTimeout, deps.limits.helloTimeoutMs, ws);
    (ws as ConnectionSocket)[CONNECTION] = this;
    deps.openSockets.add(ws);
    ws.on('message', ClientConnection.#onMessage);
    ws.on('close', ClientConnection.#onSocketClose);
    ws.on('error', ClientConnection.#onSocketError);
  }

  /**
   * Signs the connection in: it follows the user's topic and every group's and channel's before the
   * caller answers, so no update committed after the answer can miss this connection.
   */
  async authorize(userId: number, sessionId: number): Promise<void> {
    this.deauthorize();
    this.userId = userId;
    this.sessionId = sessionId;
    this.deps.services.bus.follow(userTopic(userId), this.#onBus);
    this.deps.services.presence.connected(userId);
    await this.#followChats(userId);
    await this.deps.services.bus.ready?.();
  }

  deauthorize(): void {
    const bus = this.deps.services.bus;
    if (this.userId !== null) {
      this.deps.services.presence.disconnected(this.userId);
      bus.unfollow(userTopic(this.userId), this.#onBus);
    }
    for (const chatId of this.#followedChats ?? []) bus.unfollow(chatTopic(chatId), this.#onBus);
    this.#followedChats = null;
    this.userId = null;
    this.sessionId = null;
  }

  /** Subscribes to the topics of every group and channel the user is in, for their pushes. */
  async #followChats(userId: number): Promise<void> {
    try {
      for (const chatId of await this.deps.services.chats.memberChatIds(userId)) {
        if (this.userId !== userId) return;
        this.#followChat(chatId);
      }
    } catch (error) {
      this.deps.logger.log('error', 'ws.follow_chats_failed', { userId, error: String(error) });
    }
  }

  #followChat(chatId: number): void {
    this.#followedChats ??= new Set();
    if (this.#followedChats.has(chatId)) return;
    this.#followedChats.add(chatId);
    this.deps.services.bus.follow(chatTopic(chatId), this.#onBus);
  }

  #unfollowChat(chatId: number): void {
    if (!this.#followedChats?.delete(chatId)) return;
    this.deps.services.bus.unfollow(chatTopic(chatId), this.#onBus);
  }

  #onBusEvent(event: BusEvent): void {
    switch (event.kind) {
      case 'update':
        if (event.update.type === 'chatJoined') this.#followChat(event.update.chatId);
        if (event.update.type === 'chatLeft') this.#unfollowChat(event.update.chatId);
        this.#sendShared(event, () => ({ type: 'update', update: event.update }));
        return;
      case 'chatUpdate':
        this.#sendShared(event, () => ({ type: 'chatUpdate', chatId: event.chatId, update: event.update }));
        return;
      case 'typing':
        if (event.frame.userId !== this.userId) this.#sendShared(event, () => event.frame);
        return;
      case 'presence':
        this.#sendShared(event, () => event.frame);
        return;
      case 'envelope':
      case 'prekeysLow':
        if (event.deviceId === this.sessionId) this.#sendShared(event, () => event.frame);
        return;
      case 'sessionTerminated':
        if (event.sessionId !== this.sessionId) return;
        this.deauthorize();
        this.#sendError(null, 'AUTH_KEY_UNREGISTERED', 'This session was ended; sign in again');
        this.ws.close(CLOSE_SESSION_TERMINATED, 'session terminated');
        return;
    }
  }

  /** Sends a frame made from a bus event, serialised once for all the connections it reaches. */
  #sendShared(event: BusEvent, frame: () => ServerFrame): void {
    let prepared = preparedFrames.get(event);
    if (prepared === undefined) {
      prepared = textFrame(Buffer.from(JSON.stringify(frame())));
      preparedFrames.set(event, prepared);
    }
    if (!this.#canSend()) return;
    this.#holdWritesForThisTick();
    // Beside ws's own sends, and in order with them: with no compression and no Blob payloads (the
    // server uses neither) ws writes each frame to the socket at once and queues nothing itself.
    this.socket.write(prepared);
  }

  #onFrame(data: unknown, isBinary: boolean): void {
    const wait = this.#bucket.take();
    if (wait > 0) return this.#refuseFlood(wait, data);
    if (isBinary) return this.#sendError(null, 'FRAME_INVALID', 'Cannot read frame: binary frames are not accepted');
    const parsed = parseClientFrame(String(data));
    if ('fault' in parsed) return this.#sendError(parsed.id, 'FRAME_INVALID', parsed.fault);
    const frame = parsed.frame;
    if (frame.type === 'hello') {
      void this.#answer(frame.id, () => this.#hello(frame));
      return;
    }
    this.#onCall(frame);
  }

  #refuseFlood(retryAfterSeconds: number, data: unknown): void {
    // Strikes are counted over a window, not reset by the odd frame the refilling bucket lets through:
    // a client that keeps sending above its rate is closed however slowly the server reads it.
    const now = Date.now();
    if (now - this.#floodWindowStartedAt > this.deps.limits.floodStrikeWindowMs) {
      this.#floodWindowStartedAt = now;
      this.#floodStrikes = 0;
    }
    this.#floodStrikes += 1;
    if (this.#floodStrikes > this.deps.limits.floodStrikesBeforeClose) {
      this.deps.logger.log('warn', 'ws.flood_close', { ip: this.ip, userId: this.userId });
      this.ws.close(CLOSE_FLOOD, 'flood');
      return;
    }
    // Answer under the call's id when it can be read, so the client knows which call to retry.
    const parsed = parseClientFrame(String(data));
    const id = 'frame' in parsed ? parsed.frame.id : parsed.id;
    this.#sendError(id, 'FLOOD_WAIT', `Too many frames; retry in ${retryAfterSeconds} s`, retryAfterSeconds);
  }

  #onCall(frame: CallFrame): void {
    if (!this.#hasSaidHello) return this.#sendError(frame.id, 'HELLO_REQUIRED', 'Cannot call a method before hello');
    const method = frame.method;
    if (!isMethodName(method)) return this.#sendError(frame.id, 'METHOD_INVALID', `Cannot call "${method.slice(0, 64)}": no such method`);
    const fault = paramsFault(method, frame.params);
    if (fault !== null) return this.#sendError(frame.id, 'PARAMS_INVALID', `Cannot call ${method}: ${fault}`);
    if (!isPublicMethod(method) && this.userId === null) {
      return this.#sendError(frame.id, 'AUTH_KEY_UNREGISTERED', `Cannot call ${method}: sign in first`);
    }
    if (this.#inFlight >= this.deps.limits.maxInFlight) {
      return this.#sendError(frame.id, 'FLOOD_WAIT', `Cannot call ${method}: ${this.#inFlight} calls are unanswered`, 1);
    }
    void this.#answer(frame.id, () => this.#dispatch(method, frame.params));
  }

  #dispatch(method: MethodName, params: unknown): Promise<unknown> {
    // The params were checked against the method's schema above, so the casts only restate that.
    const handler = this.deps.handlers[method] as (ctx: CallContext, params: unknown) => Promise<unknown>;
    return handler(this, params);
  }

  async #hello(frame: HelloFrame): Promise<Welcome> {
    if (frame.protocolVersion !== PROTOCOL_VERSION) {
      throw new RpcError(
        'PROTOCOL_VERSION_UNSUPPORTED',
        `Cannot connect: protocol version ${frame.protocolVersion} is not supported, the server speaks ${PROTOCOL_VERSION}`,
      );
    }
    this.#hasSaidHello = true;
    this.#clearHelloTimer();
    const now = unixSeconds(this.deps.clock);
    if (frame.token !== undefined) {
      const session = await this.deps.services.sessions.authenticate(frame.token, { ip: this.ip, nowSeconds: now });
      if (session === null) throw new RpcError('AUTH_KEY_UNREGISTERED', 'Cannot resume session: the token is unknown or was ended');
      await this.authorize(session.userId, session.sessionId);
      const row = await this.deps.services.users.byId(session.userId);
      if (row === undefined) throw new RpcError('AUTH_KEY_UNREGISTERED');
      return { protocolVersion: PROTOCOL_VERSION, serverTime: now, user: renderUser(row, row.id), sessionId: session.sessionId };
    }
    return { protocolVersion: PROTOCOL_VERSION, serverTime: now, user: null, sessionId: null };
  }

  async #answer(id: number, run: () => Promise<unknown>): Promise<void> {
    this.#inFlight += 1;
    try {
      this.#send({ type: 'result', id, result: await run() });
    } catch (error) {
      if (error instanceof RpcError) {
        this.#sendError(id, error.code, error.message, error.retryAfterSeconds);
      } else {
        // The stack on one line: an internal error is a bug, and its log line is all an operator has to find it by.
        const stack = error instanceof Error ? (error.stack ?? '').split('\n').slice(1, 8).map((frame) => frame.trim()).join(' | ') : '';
        this.deps.logger.log('error', 'call.failed', { ip: this.ip, userId: this.userId, error: String(error), stack });
        this.#sendError(id, 'INTERNAL', ERROR_CATALOG.INTERNAL.message);
      }
    } finally {
      this.#inFlight -= 1;
    }
  }

  #sendError(id: number | null, code: ErrorCode, message: string, retryAfterSeconds?: number): void {
    this.#send(retryAfterSeconds === undefined ? { type: 'error', id, code, message } : { type: 'error', id, code, message, retryAfterSeconds });
  }

  #send(frame: ServerFrame): void {
    this.#sendText(JSON.stringify(frame));
  }

  #sendText(text: string): void {
    if (!this.#canSend()) return;
    this.#holdWritesForThisTick();
    this.ws.send(text);
  }

  /**
   * A group commit settles many sends at once, so one connection is often owed several acks and
   * pushes in the same turn of the event loop. Corking its socket until the turn's callbacks have
   * run sends them in one write instead of one system call each. ws corks and uncorks within a
   * send, so a socket corked between sends is corked by us.
   */
  #holdWritesForThisTick(): void {
    if (this.socket.writableCorked > 0) return;
    this.socket.cork();
    process.nextTick(uncork, this.socket);
  }

  /** Whether the connection is open and keeping up; a client that reads too slowly is dropped. */
  #canSend(): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    if (this.ws.bufferedAmount > this.deps.limits.maxBufferedBytes) {
      // A client that reads this slowly is better served by a fresh start and a difference.
      this.deps.logger.log('warn', 'ws.slow_consumer', { ip: this.ip, userId: this.userId, bufferedBytes: this.ws.bufferedAmount });
      this.ws.terminate();
      return false;
    }
    return true;
  }

  #clearHelloTimer(): void {
    if (this.#helloTimer !== null) clearTimeout(this.#helloTimer);
    this.#helloTimer = null;
  }

  #onClose(): void {
    this.deps.openSockets.delete(this.ws);
    this.#clearHelloTimer();
    this.deauthorize();
  }
}
