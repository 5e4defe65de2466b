import {
  PROTOCOL_VERSION,
  RpcError,
  parseClientFrame,
  type CallFrame,
  type ClientFrame,
  type ErrorCode,
  type Message,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type Peer,
  type ServerFrame,
  type Update,
  type User,
} from '@samizdat/protocol';
import type { WebSocketConstructor, WebSocketLike } from '../websocket-like.ts';

/** The sign-in code the fake server accepts for every phone. */
export const FAKE_CODE = '12345';

interface FakeAccount {
  id: number;
  phone: string;
  displayName: string;
}

interface FakeSession {
  id: number;
  token: string;
  userId: number;
  isTerminated: boolean;
}

/**
 * A scripted, in-memory Samizdat server for the SDK's unit tests: it speaks the wire protocol
 * through fake sockets (no network) and lets a test drop connections, lose pushes, inject errors
 * and terminate sessions at will. It implements only what the SDK's tests need.
 */
export class FakeServer {
  /** Pass as the client's `WebSocket` option. */
  readonly WebSocket: WebSocketConstructor;
  readonly connections: FakeServerConnection[] = [];
  /** While true, new sockets fail to open (close 1006). */
  isDown = false;
  /** While false, updates are logged but not pushed (the SDK must notice the gap). */
  isPushing = true;
  /** How far behind a client may be before `getDifference` answers `tooLong`. */
  tooLongThreshold = 100_000;
  /** The most updates one difference answer carries. */
  differenceSliceLimit = 1000;
  /** The protocol version the server accepts. */
  protocolVersion = PROTOCOL_VERSION;
  /** Runs before the built-in handling of each call; return true when it answered the call itself. */
  intercept: ((connection: FakeServerConnection, frame: CallFrame) => boolean) | null = null;

  readonly #accounts = new Map<number, FakeAccount>();
  readonly #sessions = new Map<string, FakeSession>();
  readonly #updates = new Map<number, Update[]>();
  readonly #sentByRandomId = new Map<string, { message: Message; pts: number }>();
  readonly #chatIds = new Map<string, number>();
  readonly #chatMessageCounts = new Map<number, number>();
  readonly #readInbox = new Map<string, number>();
  #nextId = 1;

  constructor() {
    const server = this;
    this.WebSocket = class extends FakeSocket {
      constructor(url: string) {
        super(url, server);
      }
    };
  }

  /** Creates an account and a session for it. */
  addUser(phone: string, displayName = phone): { user: User; token: string } {
    const account: FakeAccount = { id: this.#nextId++, phone, displayName };
    this.#accounts.set(account.id, account);
    this.#updates.set(account.id, []);
    return { user: this.userView(account.id, account.id), token: this.issueToken(account.id) };
  }

  /** A new session token of `userId`. */
  issueToken(userId: number): string {
    const session: FakeSession = { id: this.#nextId++, token: `token-${this.#nextId++}`, userId, isTerminated: false };
    this.#sessions.set(session.token, session);
    return session.token;
  }

  /** The user's update log, pts 1 first. */
  updatesOf(userId: number): readonly Update[] {
    return this.#updates.get(userId) ?? [];
  }

  /** Appends an update (built from its pts) to the user's sequence and pushes it to their connections. */
  addUpdate(userId: number, build: (pts: number) => Update): Update {
    const log = this.#updates.get(userId);
    if (log === undefined) throw new Error(`No user ${userId}`);
    const update = build(log.length + 1);
    log.push(update);
    if (this.isPushing) {
      for (const connection of this.connections) {
        if (connection.userId === userId && connection.isOpen) connection.send({ type: 'update', update });
      }
    }
    return update;
  }

  /** Appends `count` read-inbox updates (cheap filler) to the user's sequence. */
  addFillerUpdates(userId: number, count: number): void {
    for (let i = 0; i < count; i++) {
      this.addUpdate(userId, (pts) => ({ type: 'readHistoryInbox', pts, chatId: 1, maxId: pts }));
    }
  }

  /** Ends a session as another device would: error frame with id null, then close 4001. */
  terminate(token: string): void {
    const session = this.#sessions.get(token);
    if (session !== undefined) session.isTerminated = true;
    for (const connection of this.connections) {
      if (connection.token !== token || !connection.isOpen) continue;
      connection.send({ type: 'error', id: null, code: 'AUTH_KEY_UNREGISTERED', message: 'The session was terminated' });
      connection.close(4001, 'session terminated');
    }
  }

  /** Closes every open connection, as a network failure or a server restart would. */
  dropConnections(code = 1006): void {
    for (const connection of this.connections) if (connection.isOpen) connection.close(code, 'dropped');
  }

  /** The open connections. */
  get openConnections(): FakeServerConnection[] {
    return this.connections.filter((connection) => connection.isOpen);
  }

  /** Every call received for `method`, on any connection, in order. */
  callsOf(method: MethodName): CallFrame[] {
    return this.connections.flatMap((connection) => connection.calls.filter((call) => call.method === method));
  }

  /** The user as `viewerId` sees them. */
  userView(userId: number, viewerId: number): User {
    const account = this.#accounts.get(userId);
    if (account === undefined) throw new Error(`No user ${userId}`);
    const isSelf = userId === viewerId;
    return { id: account.id, displayName: account.displayName, username: null, phone: isSelf ? account.phone : null, isSelf };
  }

  /** @internal Handles one frame from a fake socket. */
  receive(connection: FakeServerConnection, text: string): void {
    const parsed = parseClientFrame(text);
    if ('fault' in parsed) {
      connection.send({ type: 'error', id: parsed.id, code: 'FRAME_INVALID', message: parsed.fault });
      return;
    }
    connection.frames.push(parsed.frame);
    if (parsed.frame.type === 'hello') this.#hello(connection, parsed.frame);
    else this.#call(connection, parsed.frame);
  }

  #hello(connection: FakeServerConnection, frame: Extract<ClientFrame, { type: 'hello' }>): void {
    if (frame.protocolVersion !== this.protocolVersion) {
      connection.send({ type: 'error', id: frame.id, code: 'PROTOCOL_VERSION_UNSUPPORTED', message: 'Unsupported version' });
      return;
    }
    connection.isWelcomed = true;
    if (frame.token !== undefined) {
      const session = this.#sessions.get(frame.token);
      if (session === undefined || session.isTerminated) {
        connection.send({ type: 'error', id: frame.id, code: 'AUTH_KEY_UNREGISTERED', message: 'Unknown session' });
        return;
      }
      connection.signIn(session);
    }
    const user = connection.userId === null ? null : this.userView(connection.userId, connection.userId);
    const welcome = { protocolVersion: this.protocolVersion, serverTime: 1_700_000_000, user, sessionId: connection.sessionId };
    connection.send({ type: 'result', id: frame.id, result: welcome });
  }

  #call(connection: FakeServerConnection, frame: CallFrame): void {
    connection.calls.push(frame);
    if (!connection.isWelcomed) {
      connection.send({ type: 'error', id: frame.id, code: 'HELLO_REQUIRED', message: 'Say hello first' });
      return;
    }
    if (this.intercept?.(connection, frame) === true) return;
    try {
      const result = this.#dispatch(connection, frame.method as MethodName, frame.params);
      connection.send({ type: 'result', id: frame.id, result });
    } catch (error) {
      if (!(error instanceof RpcError)) throw error;
      connection.sendError(frame.id, { code: error.code, message: error.message });
    }
  }

  #dispatch(connection: FakeServerConnection, method: MethodName, params: unknown): unknown {
    switch (method) {
      case 'auth.sendCode':
        return { phoneCodeHash: 'hash', timeoutSeconds: 60 };
      case 'auth.signIn':
        return this.#signIn(connection, params as MethodParams<'auth.signIn'>);
      case 'auth.signUp':
        return this.#signUp(connection, params as MethodParams<'auth.signUp'>);
      default:
        break;
    }
    const userId = connection.userId;
    if (userId === null) throw new RpcError('AUTH_KEY_UNREGISTERED');
    switch (method) {
      case 'auth.logOut':
        connection.logOut();
        return { ok: true };
      case 'users.getSelf':
        return { user: this.userView(userId, userId) };
      case 'messages.send':
        return this.#send(userId, params as MethodParams<'messages.send'>);
      case 'messages.readHistory':
        return this.#readHistory(userId, params as MethodParams<'messages.readHistory'>);
      case 'updates.getState':
        return { pts: this.updatesOf(userId).length, date: 1_700_000_000 };
      case 'updates.getDifference':
        return this.#difference(userId, params as MethodParams<'updates.getDifference'>);
      default:
        throw new RpcError('METHOD_INVALID');
    }
  }

  #signIn(connection: FakeServerConnection, params: MethodParams<'auth.signIn'>): MethodResult<'auth.signIn'> {
    if (params.code !== FAKE_CODE) throw new RpcError('PHONE_CODE_INVALID');
    const account = [...this.#accounts.values()].find((candidate) => candidate.phone === params.phone);
    if (account === undefined) return { type: 'signUpRequired' };
    return this.#authorize(connection, account.id);
  }

  #signUp(connection: FakeServerConnection, params: MethodParams<'auth.signUp'>): MethodResult<'auth.signUp'> {
    if (params.code !== FAKE_CODE) throw new RpcError('PHONE_CODE_INVALID');
    const { user } = this.addUser(params.phone, params.displayName);
    return this.#authorize(connection, user.id);
  }

  #authorize(connection: FakeServerConnection, userId: number): MethodResult<'auth.signUp'> {
    if (connection.userId !== null) throw new RpcError('ALREADY_AUTHORIZED');
    const token = this.issueToken(userId);
    const session = this.#sessions.get(token);
    if (session === undefined) throw new Error('Session vanished');
    connection.signIn(session);
    return { type: 'authorization', token, sessionId: session.id, user: this.userView(userId, userId) };
  }

  #send(userId: number, params: MethodParams<'messages.send'>): MethodResult<'messages.send'> {
    const key = `${userId}:${params.randomId}`;
    const existing = this.#sentByRandomId.get(key);
    if (existing !== undefined) return existing;
    const peerUserId = this.#peerUserId(params.peer);
    if (params.text.length === 0) throw new RpcError('MESSAGE_EMPTY');
    const chatId = this.#chatId(userId, peerUserId);
    const id = (this.#chatMessageCounts.get(chatId) ?? 0) + 1;
    this.#chatMessageCounts.set(chatId, id);
    const message: Message = { chatId, id, senderId: userId, date: 1_700_000_000, text: params.text, randomId: params.randomId };
    const own = this.addUpdate(userId, (pts) => ({ type: 'newMessage', pts, message }));
    if (peerUserId !== userId) this.addUpdate(peerUserId, (pts) => ({ type: 'newMessage', pts, message }));
    const result = { message, pts: own.pts };
    this.#sentByRandomId.set(key, result);
    return result;
  }

  #readHistory(userId: number, params: MethodParams<'messages.readHistory'>): MethodResult<'messages.readHistory'> {
    const chatId = this.#chatId(userId, this.#peerUserId(params.peer));
    const key = `${userId}:${chatId}`;
    if ((this.#readInbox.get(key) ?? 0) >= params.maxId) return { update: null };
    this.#readInbox.set(key, params.maxId);
    const update = this.addUpdate(userId, (pts) => ({ type: 'readHistoryInbox', pts, chatId, maxId: params.maxId }));
    return { update };
  }

  #difference(userId: number, params: MethodParams<'updates.getDifference'>): MethodResult<'updates.getDifference'> {
    const log = this.updatesOf(userId);
    const state = { pts: log.length, date: 1_700_000_000 };
    if (params.pts > state.pts) throw new RpcError('PTS_INVALID');
    if (state.pts - params.pts > this.tooLongThreshold) return { type: 'tooLong', state };
    const limit = Math.min(params.limit ?? this.differenceSliceLimit, this.differenceSliceLimit);
    const updates = log.slice(params.pts, params.pts + limit);
    const lastPts = updates.at(-1)?.pts ?? params.pts;
    return { type: 'difference', updates, users: [], state: { pts: lastPts, date: state.date }, isFinal: lastPts === state.pts };
  }

  #peerUserId(peer: Peer): number {
    if (peer.type !== 'user' || !this.#accounts.has(peer.userId)) throw new RpcError('PEER_ID_INVALID');
    return peer.userId;
  }

  #chatId(userA: number, userB: number): number {
    const key = [userA, userB].sort((a, b) => a - b).join(':');
    let chatId = this.#chatIds.get(key);
    if (chatId === undefined) {
      chatId = this.#nextId++;
      this.#chatIds.set(key, chatId);
    }
    return chatId;
  }
}

/** The server's side of one fake socket. */
export class FakeServerConnection {
  /** Every frame the client sent, in order. */
  readonly frames: ClientFrame[] = [];
  /** Every call the client sent, in order. */
  readonly calls: CallFrame[] = [];
  isWelcomed = false;
  userId: number | null = null;
  sessionId: number | null = null;
  token: string | null = null;
  readonly #socket: FakeSocket;

  constructor(socket: FakeSocket) {
    this.#socket = socket;
  }

  get isOpen(): boolean {
    return this.#socket.readyState === 1;
  }

  signIn(session: FakeSession): void {
    this.userId = session.userId;
    this.sessionId = session.id;
    this.token = session.token;
  }

  logOut(): void {
    this.userId = null;
    this.sessionId = null;
    this.token = null;
  }

  /** Sends a frame to the client (delivered in a microtask). */
  send(frame: ServerFrame): void {
    this.sendText(JSON.stringify(frame));
  }

  /** Sends raw text, e.g. a malformed frame. */
  sendText(text: string): void {
    this.#socket.deliverFromServer(text);
  }

  sendError(id: number | null, error: { code: ErrorCode; message?: string; retryAfterSeconds?: number }): void {
    const { code, message = code, retryAfterSeconds } = error;
    this.send({ type: 'error', id, code, message, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) });
  }

  /** Closes the socket from the server's side. */
  close(code: number, reason = ''): void {
    this.#socket.closeFromServer(code, reason);
  }
}

/** The client's side of a fake socket, shaped like a browser WebSocket. */
class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly #server: FakeServer;
  readonly #connection: FakeServerConnection;

  constructor(url: string, server: FakeServer) {
    this.#server = server;
    this.#connection = new FakeServerConnection(this);
    if (!url.startsWith('ws')) throw new SyntaxError(`Invalid URL: ${url}`);
    queueMicrotask(() => {
      if (this.readyState !== 0) return;
      if (server.isDown) {
        this.readyState = 3;
        this.onerror?.({});
        this.onclose?.({ code: 1006, reason: '' });
        return;
      }
      server.connections.push(this.#connection);
      this.readyState = 1;
      this.onopen?.({});
    });
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('WebSocket is not open');
    queueMicrotask(() => {
      if (this.readyState === 1) this.#server.receive(this.#connection, data);
    });
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }

  deliverFromServer(text: string): void {
    queueMicrotask(() => {
      if (this.readyState === 1) this.onmessage?.({ data: text });
    });
  }

  closeFromServer(code: number, reason: string): void {
    if (this.readyState >= 2) return;
    // Like TCP: frames sent before the close arrive before it.
    queueMicrotask(() => {
      this.readyState = 3;
      this.onclose?.({ code, reason });
    });
  }
}
