import {
  PROTOCOL_VERSION,
  RpcError,
  parseClientFrame,
  type CallFrame,
  type Chat,
  type ChatMember,
  type ChatType,
  type ClientFrame,
  type ErrorCode,
  type InputMedia,
  type Media,
  type MemberRole,
  type Message,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type Peer,
  type SequencedUpdate,
  type ServerFrame,
  type Update,
  type User,
} from '@samizdat/protocol';
import type { WebSocketConstructor, WebSocketLike } from '../websocket-like.ts';

/** The sign-in code the fake server accepts for every phone. */
export const FAKE_CODE = '12345';

/** The date every `getState` and `getDifference` answer reports. */
const STATE_DATE = 1_700_000_000;

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

/** A chat as the fake server keeps it. */
interface FakeChat {
  id: number;
  type: ChatType;
  title: string | null;
  /** Members by user id, with their role; a private chat has its two users (one, for saved messages). */
  members: Map<number, MemberRole>;
  /** The chat's own update sequence (groups and channels only), pts 1 first. */
  log: Update[];
  messages: Message[];
  /** Last activity: the newest message's date, or the creation date. */
  lastDate: number;
}

/** A message as the fake server builds it: the fields a test does not care about get defaults. */
export function fakeMessage(fields: Pick<Message, 'chatId' | 'id' | 'senderId' | 'text'> & Partial<Message>): Message {
  return {
    date: STATE_DATE,
    randomId: `fake-${fields.chatId}-${fields.id}`,
    entities: [],
    replyToId: null,
    forward: null,
    editDate: null,
    reactions: [],
    views: null,
    signature: null,
    media: null,
    ...fields,
  };
}

/** The media a message gets for an `InputMedia`: the fake server stores no files, so the file is a stub. */
function fakeMedia(input: InputMedia): Media {
  return {
    kind: input.kind,
    file: { id: input.fileId, size: 1, mimeType: 'application/octet-stream', name: 'file', sha256: '0'.repeat(64) },
    width: input.width ?? null,
    height: input.height ?? null,
    duration: input.duration ?? null,
    waveform: input.waveform ?? null,
    thumbnail: null,
  };
}

/**
 * A scripted, in-memory Samizdat server for the SDK's unit tests: it speaks the wire protocol
 * through fake sockets (no network) and lets a test drop connections, lose pushes, inject errors
 * and terminate sessions at will. It implements only what the SDK's tests need: private chats on the
 * user's sequence, and groups and channels with their own sequences (`chatUpdate` frames,
 * `updates.getChatDifference`, `chats.get`, `messages.getChats`, a few `chats.*` methods).
 */
export class FakeServer {
  /** Pass as the client's `WebSocket` option. */
  readonly WebSocket: WebSocketConstructor;
  readonly connections: FakeServerConnection[] = [];
  /** While true, new sockets fail to open (close 1006). */
  isDown = false;
  /** While false, updates (of every sequence) are logged but not pushed (the SDK must notice the gap). */
  isPushing = true;
  /** How far behind a client may be before a difference answers `tooLong`. */
  tooLongThreshold = 100_000;
  /** The most updates one difference answer carries. */
  differenceSliceLimit = 1000;
  /** The protocol version the server accepts. */
  protocolVersion = PROTOCOL_VERSION;
  /** While false, `messages.getChats` leaves out groups and channels without messages, as private chats always are. */
  isListingEmptyChats = true;
  /** Runs before the built-in handling of each call; return true when it answered the call itself. */
  intercept: ((connection: FakeServerConnection, frame: CallFrame) => boolean) | null = null;

  readonly #accounts = new Map<number, FakeAccount>();
  readonly #sessions = new Map<string, FakeSession>();
  readonly #updates = new Map<number, Update[]>();
  readonly #sentByRandomId = new Map<string, MethodResult<'messages.send'>>();
  readonly #chats = new Map<number, FakeChat>();
  readonly #privateChatIds = new Map<string, number>();
  readonly #readInbox = new Map<string, number>();
  #nextId = 1;
  #clock = STATE_DATE;

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

  /** A group's or channel's update log, pts 1 first. */
  chatUpdatesOf(chatId: number): readonly Update[] {
    return this.#requireChat(chatId).log;
  }

  /** Appends an update (built from its pts) to the user's sequence and pushes it to their connections. */
  addUpdate(userId: number, build: (pts: number) => Update): Update {
    const log = this.#updates.get(userId);
    if (log === undefined) throw new Error(`No user ${userId}`);
    const update = build(log.length + 1);
    log.push(update);
    if (this.isPushing) this.sendToUser(userId, { type: 'update', update });
    return update;
  }

  /** Appends `count` read-inbox updates (cheap filler) to the user's sequence. */
  addFillerUpdates(userId: number, count: number): void {
    for (let i = 0; i < count; i++) {
      this.addUpdate(userId, (pts) => ({ type: 'readHistoryInbox', pts, chatId: 1, maxId: pts }));
    }
  }

  /** Appends an update to a group's or channel's sequence and pushes it to its members' connections. */
  addChatUpdate(chatId: number, build: (pts: number) => Update): Update {
    const chat = this.#requireChat(chatId);
    if (chat.type === 'private') throw new Error(`Chat ${chatId} is private: it has no sequence of its own`);
    const update = build(chat.log.length + 1);
    chat.log.push(update);
    if (this.isPushing) {
      for (const userId of chat.members.keys()) this.sendToUser(userId, { type: 'chatUpdate', chatId, update });
    }
    return update;
  }

  /** Posts a message to a group or channel as `senderId` (who must be a member), as another device would. */
  postToChat(chatId: number, senderId: number, text: string): Message {
    return this.#postToChat(this.#requireChat(chatId), senderId, { text, randomId: `post-${this.#nextId++}` }).message;
  }

  /**
   * Creates a group (or a channel) owned by `ownerId` with `memberIds`, as the owner's call would:
   * each member gets `chatJoined` on their own sequence, the chat's sequence starts with `chatUpdated`.
   */
  createChat(ownerId: number, options: { type?: 'group' | 'channel'; title?: string; memberIds?: number[] } = {}): number {
    const { chat } = this.#createChat(ownerId, options.type ?? 'group', options.title ?? 'Chat', options.memberIds ?? []);
    return chat.id;
  }

  /** Adds a member as an admin's call would: `chatMember` on the chat's sequence, `chatJoined` on theirs. */
  addMember(chatId: number, userId: number): SequencedUpdate[] {
    const chat = this.#requireChat(chatId);
    if (chat.members.has(userId)) throw new RpcError('USER_ALREADY_PARTICIPANT');
    chat.members.set(userId, 'member');
    const member = this.addChatUpdate(chatId, (pts) => ({ type: 'chatMember', pts, chatId, userId, member: this.#memberView(userId, 'member') }));
    const joined = this.addUpdate(userId, (pts) => ({ type: 'chatJoined', pts, chatId, chatPts: member.pts }));
    return [{ chatId, update: member }, { chatId: null, update: joined }];
  }

  /** Removes a member: `chatMember` with null on the chat's sequence (before they leave it), `chatLeft` on theirs. */
  removeMember(chatId: number, userId: number): SequencedUpdate[] {
    const chat = this.#requireChat(chatId);
    if (!chat.members.has(userId)) throw new RpcError('USER_NOT_PARTICIPANT');
    const member = this.addChatUpdate(chatId, (pts) => ({ type: 'chatMember', pts, chatId, userId, member: null }));
    chat.members.delete(userId);
    const left = this.addUpdate(userId, (pts) => ({ type: 'chatLeft', pts, chatId }));
    return [{ chatId, update: member }, { chatId: null, update: left }];
  }

  /** Sends a frame to every open connection of `userId` (typing, presence, or anything else). */
  sendToUser(userId: number, frame: ServerFrame): void {
    for (const connection of this.connections) {
      if (connection.userId === userId && connection.isOpen) connection.send(frame);
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
    return { id: account.id, displayName: account.displayName, username: null, phone: isSelf ? account.phone : null, isSelf, isContact: false, isBot: false };
  }

  /** The chat as `viewerId` sees it. */
  chatView(chatId: number, viewerId: number): Chat {
    const chat = this.#requireChat(chatId);
    const role = chat.members.get(viewerId) ?? null;
    const peerUserId = chat.type === 'private' ? ([...chat.members.keys()].find((id) => id !== viewerId) ?? viewerId) : null;
    return {
      id: chat.id,
      type: chat.type,
      peerUserId,
      title: chat.title,
      about: '',
      username: null,
      memberCount: chat.members.size,
      pts: chat.type === 'private' ? 0 : chat.log.length,
      topMessage: chat.messages.at(-1) ?? null,
      unreadCount: 0,
      readInboxMaxId: 0,
      readOutboxMaxId: 0,
      myRole: chat.type === 'private' ? 'member' : role,
      myRights: null,
      myMutedUntil: null,
      pinnedMessageId: null,
      slowModeSeconds: 0,
      hasSignatures: false,
      hasNoForwards: false,
      linkedChatId: null,
      lastActivityDate: chat.lastDate,
      mutedUntil: null,
      draft: null,
      blocked: null,
      pinnedAt: null,
    };
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
    const welcome = { protocolVersion: this.protocolVersion, serverTime: STATE_DATE, user, sessionId: connection.sessionId };
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
      case 'messages.getChats':
        return this.#chatList(userId, params as MethodParams<'messages.getChats'>);
      case 'updates.getState':
        return { pts: this.updatesOf(userId).length, date: STATE_DATE };
      case 'updates.getDifference':
        return this.#difference(this.updatesOf(userId), params as MethodParams<'updates.getDifference'>);
      case 'updates.getChatDifference': {
        const { chatId, ...rest } = params as MethodParams<'updates.getChatDifference'>;
        return this.#difference(this.#memberChat(userId, chatId).log, rest);
      }
      case 'chats.get': {
        const chat = this.#memberChat(userId, (params as MethodParams<'chats.get'>).chatId);
        return { chat: this.chatView(chat.id, userId), users: [] };
      }
      case 'chats.createGroup': {
        const { title, userIds } = params as MethodParams<'chats.createGroup'>;
        return this.#chatResult(userId, this.#createChat(userId, 'group', title, userIds));
      }
      case 'chats.createChannel':
        return this.#chatResult(userId, this.#createChat(userId, 'channel', (params as MethodParams<'chats.createChannel'>).title, []));
      case 'chats.addMembers': {
        const { chatId, userIds } = params as MethodParams<'chats.addMembers'>;
        this.#memberChat(userId, chatId);
        // The caller's result carries the chat's updates only; the joins are the new members' own.
        return { updates: userIds.flatMap((memberId) => this.addMember(chatId, memberId).filter((item) => item.chatId !== null)) };
      }
      case 'chats.leave': {
        const { chatId } = params as MethodParams<'chats.leave'>;
        this.#memberChat(userId, chatId);
        return { updates: this.removeMember(chatId, userId) };
      }
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
    if (params.text.length === 0 && params.media === undefined) throw new RpcError('MESSAGE_EMPTY');
    const result =
      params.peer.type === 'chat'
        ? this.#postToChat(this.#memberChat(userId, params.peer.chatId), userId, params)
        : this.#sendPrivate(userId, params.peer.userId, params);
    this.#sentByRandomId.set(key, result);
    return result;
  }

  #sendPrivate(userId: number, peerUserId: number, params: MethodParams<'messages.send'>): MethodResult<'messages.send'> {
    if (!this.#accounts.has(peerUserId)) throw new RpcError('PEER_ID_INVALID');
    const chat = this.#privateChat(userId, peerUserId);
    const message = this.#addMessage(chat, userId, params);
    const own = this.addUpdate(userId, (pts) => ({ type: 'newMessage', pts, message }));
    if (peerUserId !== userId) this.addUpdate(peerUserId, (pts) => ({ type: 'newMessage', pts, message }));
    return { message, updates: [{ chatId: null, update: own }] };
  }

  #postToChat(chat: FakeChat, senderId: number, params: Pick<MethodParams<'messages.send'>, 'text' | 'randomId' | 'replyToId' | 'entities' | 'media'>): MethodResult<'messages.send'> {
    const role = chat.members.get(senderId);
    if (role === undefined) throw new RpcError('CHANNEL_PRIVATE');
    if (chat.type === 'channel' && role === 'member') throw new RpcError('CHAT_WRITE_FORBIDDEN');
    const message = this.#addMessage(chat, senderId, params);
    const update = this.addChatUpdate(chat.id, (pts) => ({ type: 'newMessage', pts, message }));
    return { message, updates: [{ chatId: chat.id, update }] };
  }

  #addMessage(chat: FakeChat, senderId: number, params: Pick<MethodParams<'messages.send'>, 'text' | 'randomId' | 'replyToId' | 'entities' | 'media'>): Message {
    const date = ++this.#clock;
    const message = fakeMessage({
      chatId: chat.id,
      id: chat.messages.length + 1,
      senderId,
      date,
      text: params.text,
      randomId: params.randomId,
      entities: params.entities ?? [],
      replyToId: params.replyToId ?? null,
      media: params.media === undefined ? null : fakeMedia(params.media),
    });
    chat.messages.push(message);
    chat.lastDate = date;
    return message;
  }

  #readHistory(userId: number, params: MethodParams<'messages.readHistory'>): MethodResult<'messages.readHistory'> {
    const chatId = params.peer.type === 'chat' ? this.#memberChat(userId, params.peer.chatId).id : this.#privateChat(userId, this.#peerUserId(params.peer)).id;
    const key = `${userId}:${chatId}`;
    if ((this.#readInbox.get(key) ?? 0) >= params.maxId) return { updates: [] };
    this.#readInbox.set(key, params.maxId);
    const update = this.addUpdate(userId, (pts) => ({ type: 'readHistoryInbox', pts, chatId, maxId: params.maxId }));
    return { updates: [{ chatId: null, update }] };
  }

  #difference(log: readonly Update[], params: { pts: number; limit?: number }): MethodResult<'updates.getDifference'> {
    const state = { pts: log.length, date: STATE_DATE };
    if (params.pts > state.pts) throw new RpcError('PTS_INVALID');
    if (state.pts - params.pts > this.tooLongThreshold) return { type: 'tooLong', state };
    const limit = Math.min(params.limit ?? this.differenceSliceLimit, this.differenceSliceLimit);
    const updates = log.slice(params.pts, params.pts + limit);
    const lastPts = updates.at(-1)?.pts ?? params.pts;
    return { type: 'difference', updates, users: [], state: { pts: lastPts, date: state.date }, isFinal: lastPts === state.pts };
  }

  /** The viewer's chats, most recent activity first, paged by (date, id) as the real server does. */
  #chatList(userId: number, params: MethodParams<'messages.getChats'>): MethodResult<'messages.getChats'> {
    const { offsetDate, offsetChatId = Number.MAX_SAFE_INTEGER, limit = 100 } = params;
    const chats = [...this.#chats.values()]
      .filter((chat) => chat.members.has(userId) && (chat.messages.length > 0 || (chat.type !== 'private' && this.isListingEmptyChats)))
      .filter((chat) => offsetDate === undefined || chat.lastDate < offsetDate || (chat.lastDate === offsetDate && chat.id < offsetChatId))
      .sort((a, b) => b.lastDate - a.lastDate || b.id - a.id)
      .slice(0, limit);
    return { chats: chats.map((chat) => this.chatView(chat.id, userId)), users: [] };
  }

  #createChat(ownerId: number, type: 'group' | 'channel', title: string, memberIds: number[]): { chat: FakeChat; updates: SequencedUpdate[] } {
    const chat: FakeChat = { id: this.#nextId++, type, title, members: new Map([[ownerId, 'owner']]), log: [], messages: [], lastDate: ++this.#clock };
    for (const memberId of memberIds) {
      if (!this.#accounts.has(memberId)) throw new RpcError('PEER_ID_INVALID');
      chat.members.set(memberId, 'member');
    }
    this.#chats.set(chat.id, chat);
    const created = this.addChatUpdate(chat.id, (pts) => ({ type: 'chatUpdated', pts, chatId: chat.id }));
    const updates: SequencedUpdate[] = [{ chatId: chat.id, update: created }];
    for (const memberId of chat.members.keys()) {
      const joined = this.addUpdate(memberId, (pts) => ({ type: 'chatJoined', pts, chatId: chat.id, chatPts: created.pts }));
      if (memberId === ownerId) updates.unshift({ chatId: null, update: joined });
    }
    return { chat, updates };
  }

  #chatResult(viewerId: number, created: { chat: FakeChat; updates: SequencedUpdate[] }): MethodResult<'chats.createGroup'> {
    return { chat: this.chatView(created.chat.id, viewerId), users: [], updates: created.updates };
  }

  #memberView(userId: number, role: MemberRole): ChatMember {
    return { userId, role, rights: null, mutedUntil: null, joinedAt: this.#clock };
  }

  #requireChat(chatId: number): FakeChat {
    const chat = this.#chats.get(chatId);
    if (chat === undefined) throw new Error(`No chat ${chatId}`);
    return chat;
  }

  /** A group or channel the user is in, or the error the real server answers. */
  #memberChat(userId: number, chatId: number): FakeChat {
    const chat = this.#chats.get(chatId);
    if (chat === undefined || chat.type === 'private') throw new RpcError('CHAT_ID_INVALID');
    if (!chat.members.has(userId)) throw new RpcError('CHANNEL_PRIVATE');
    return chat;
  }

  #peerUserId(peer: Peer): number {
    if (peer.type !== 'user' || !this.#accounts.has(peer.userId)) throw new RpcError('PEER_ID_INVALID');
    return peer.userId;
  }

  #privateChat(userA: number, userB: number): FakeChat {
    const key = [userA, userB].sort((a, b) => a - b).join(':');
    const chatId = this.#privateChatIds.get(key);
    if (chatId !== undefined) return this.#requireChat(chatId);
    const chat: FakeChat = {
      id: this.#nextId++,
      type: 'private',
      title: null,
      members: new Map([[userA, 'member'], [userB, 'member']]),
      log: [],
      messages: [],
      lastDate: ++this.#clock,
    };
    this.#chats.set(chat.id, chat);
    this.#privateChatIds.set(key, chat.id);
    return chat;
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
