/**
 * Secret chats on top of a signed-in {@link SamizdatClient}: end-to-end encrypted conversations
 * between two users that cover every device of both. Each message is encrypted once per device
 * (the peer's devices and the sender's own other devices) with PQXDH and the Double Ratchet; the
 * server relays ciphertext and keeps none once delivered. See SPEC.md [SDK35]–[SDK44].
 *
 * @module
 */
import {
  acceptSession,
  decrypt,
  deserializeSession,
  DeviceKeys,
  emojiFingerprint,
  encrypt,
  encryptedFileSize,
  fromBase64,
  initiateSession,
  RatchetError,
  safetyNumber,
  serializeSession,
  type Session,
} from '@samizdat/crypto';
import {
  MAX_MESSAGE_LENGTH,
  parseSecretPayload,
  RpcError,
  SECRET_PAYLOAD_VERSION,
  SECRET_TTL_SECONDS_MAX,
  SECRET_TTL_SECONDS_MIN,
  type Envelope,
  type MediaKind,
  type MessageEntity,
  type SecretBody,
  type SecretFile,
  type SecretPayload,
} from '@samizdat/protocol';
import type { DownloadSink } from '../file-download.ts';
import type { FileSource } from '../file-source.ts';
import { generateRandomId } from '../random-id.ts';
import type { SamizdatClient } from '../samizdat-client.ts';
import { systemTimers, type TimerHandle, type Timers } from '../timers.ts';
import { describeError, TypedEmitter } from '../typed-emitter.ts';
import { decryptingSink, ENCRYPTED_FILE_MIME, ENCRYPTED_FILE_NAME, encryptingSource } from './secret-files.ts';
import {
  applyBody,
  findMessage,
  markRead,
  nextExpiry,
  removeExpired,
  type HistoryChange,
  type SecretChatState,
  type SecretMessage,
} from './secret-history.ts';
import { isSecretState, MemorySecretStore, sessionKey, type KnownDevice, type PendingFanout, type SecretState, type SecretStore } from './secret-state.ts';

/** One-time prekeys a device keeps on the server; topped up when the server says the stock is low. */
export const ONE_TIME_PREKEY_STOCK = 100;
/** Signed prekeys are replaced this often (old ones still open late first messages for a while). */
export const PREKEY_ROTATION_MS = 7 * 24 * 3600 * 1000;
/** Sessions kept per peer device: the current one and earlier ones that may still get messages. */
const SESSIONS_PER_DEVICE = 3;
/** Envelopes per `secret.sendEnvelopes` call, and their total size, under the 64 KiB frame limit. */
const ENVELOPES_PER_CALL = 20;
const ENVELOPE_BYTES_PER_CALL = 40 * 1024;

/** Options of {@link SecretChats}. */
export interface SecretChatsOptions {
  /** Where keys, sessions and histories are kept. @default new MemorySecretStore() */
  store?: SecretStore;
  /** Clock and timers of self-destruct countdowns. @default systemTimers */
  timers?: Timers;
}

/** A chat as an app shows it. */
export interface SecretChatView {
  peerUserId: number;
  ttlSeconds: number;
  history: SecretChatState['history'];
}

/** The events of {@link SecretChats}. */
export type SecretChatsEvents = {
  /** A message arrived, from the peer or from one of this user's other devices. */
  message: { peerUserId: number; message: SecretMessage };
  messageEdited: { peerUserId: number; message: SecretMessage };
  /** Messages gone from this device: deleted by either user, or self-destructed. */
  messagesDeleted: { peerUserId: number; ids: string[]; reason: 'deleted' | 'expired' };
  reaction: { peerUserId: number; message: SecretMessage };
  timerChanged: { peerUserId: number; ttlSeconds: number; byUserId: number };
  /** Messages read by the user they were sent to: their countdown started. */
  read: { peerUserId: number; ids: string[] };
  /** A user's devices changed since last seen: their safety number with this user changed. */
  devicesChanged: { userId: number; added: number[]; removed: number[] };
  /** An envelope that could not be opened (tampered, replayed from another session, or from an unexpected key). */
  decryptFailed: { senderUserId: number; senderDeviceId: number; qts: number; reason: string };
  /** Something failed that no promise reports (a background send, a store error). */
  error: Error;
};

/** Options of {@link SecretChats.sendText}. */
export interface SecretSendOptions {
  replyToId?: string;
  entities?: MessageEntity[];
}

/** Options of {@link SecretChats.sendFile}. */
export interface SecretFileOptions {
  name: string;
  mimeType: string;
  kind?: MediaKind;
  caption?: string;
}

/** A safety number to compare with the peer, in person or over another channel. */
export interface SafetyNumber {
  /** 60 digits, identical on both sides. */
  digits: string;
  /** A short emoji sequence over the same keys. */
  emoji: string[];
  /** The devices it covers: any change to them changes the number. */
  devices: { mine: KnownDevice[]; theirs: KnownDevice[] };
}

/**
 * End-to-end encrypted chats of the signed-in user. Call {@link SecretChats.start} once the client
 * is signed in; the device then registers its keys, catches up with envelopes that waited for it,
 * and keeps receiving. Every change is saved to the store before the server is told it arrived.
 */
export class SecretChats {
  readonly #client: SamizdatClient;
  readonly #store: SecretStore;
  readonly #timers: Timers;
  readonly #emitter = new TypedEmitter<SecretChatsEvents>();
  readonly #sessions = new Map<string, Session[]>();
  readonly #unsubscribes: (() => void)[] = [];
  #state: SecretState | null = null;
  #keys: DeviceKeys | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #drainer = new Rerunnable(() => this.#exclusive(() => this.#drainOnce()), (error) => this.#report(error));
  readonly #replenisher = new Rerunnable(() => this.#replenishPrekeys(), (error) => this.#report(error));
  #lowPrekeyReport: number | null = null;
  #serverPrekeyStock: number | null = null;
  readonly #flusher = new Rerunnable(() => this.#flushOutbox(), (error) => this.#report(error));
  #expiryTimer: TimerHandle | null = null;
  #closed = false;

  constructor(client: SamizdatClient, options: SecretChatsOptions = {}) {
    this.#client = client;
    this.#store = options.store ?? new MemorySecretStore();
    this.#timers = options.timers ?? systemTimers;
  }

  /** Calls `handler` on every `event`; returns the function that unsubscribes it. */
  on<E extends keyof SecretChatsEvents>(event: E, handler: (payload: SecretChatsEvents[E]) => void): () => void {
    return this.#emitter.on(event, handler);
  }

  /** This device's id on the server (its session). */
  get deviceId(): number {
    return this.#requireState().deviceId;
  }

  /** One-time prekeys the server held for this device at the last registration or upload; null before. */
  get serverPrekeyStock(): number | null {
    return this.#serverPrekeyStock;
  }

  /**
   * Loads (or creates) this device's keys and registers them, then fetches what waited for the
   * device and keeps receiving. The client must be signed in.
   */
  async start(): Promise<void> {
    this.#unsubscribes.push(
      this.#client.on('envelope', () => this.#requestDrain()),
      this.#client.on('prekeysLow', (remaining) => {
        this.#lowPrekeyReport = remaining;
        void this.#replenisher.request();
      }),
      this.#client.on('update', (update) => {
        if (update.type === 'secretDevicesChanged') void this.#exclusive(() => this.#refreshDevices(update.userId)).catch((e) => this.#report(e));
      }),
      this.#client.on('connectionState', (state) => {
        if (state !== 'connected') return;
        this.#requestDrain();
        this.#requestFlush();
      }),
    );
    await this.#exclusive(() => this.#load());
    await this.#exclusive(async () => {
      const me = this.#requireState().userId;
      await this.#refreshDevices(me);
      for (const peer of Object.keys(this.#requireState().chats)) await this.#refreshDevices(Number(peer));
    });
    this.#requestFlush();
    await this.#requestDrain();
    await this.#exclusive(async () => this.#expire());
  }

  /** Stops receiving and timers; the state is saved. The client is left open. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
    if (this.#expiryTimer !== null) this.#timers.clearTimeout(this.#expiryTimer);
    await this.#drainer.idle();
    await this.#flusher.idle();
    await this.#replenisher.idle();
    await this.#queue.catch(() => {});
  }

  /** The secret chats on this device. */
  chats(): SecretChatView[] {
    return Object.values(this.#requireState().chats).map(view);
  }

  /** The secret chat with `peerUserId`, or null. */
  chat(peerUserId: number): SecretChatView | null {
    const chat = this.#requireState().chats[String(peerUserId)];
    return chat === undefined ? null : view(chat);
  }

  /**
   * Starts a secret chat with a user (a no-op if there is one). Fails with `DEVICE_NOT_REGISTERED`
   * when the user has no device that takes part in secret chats.
   */
  async startChat(peerUserId: number): Promise<SecretChatView> {
    return this.#exclusive(async () => {
      if (peerUserId === this.#requireState().userId) throw new RpcError('PEER_ID_INVALID', 'Cannot start a secret chat with yourself');
      const devices = await this.#refreshDevices(peerUserId);
      if (devices.length === 0) throw new RpcError('DEVICE_NOT_REGISTERED', `Cannot start a secret chat with user ${peerUserId}: they have no device for secret chats`);
      const chat = this.#chatWith(peerUserId, true);
      await this.#save();
      return view(chat);
    });
  }

  /** Sends a text message; resolves once it is encrypted for every device and saved to go. */
  async sendText(peerUserId: number, text: string, options: SecretSendOptions = {}): Promise<SecretMessage> {
    if (text.trim().length === 0) throw new RpcError('MESSAGE_EMPTY', 'Cannot send message: the text is empty');
    return this.#sendMessage(peerUserId, text, options, undefined);
  }

  /**
   * Encrypts a file on this device with a fresh key, uploads the ciphertext, lets the peer read it
   * and sends the key inside the encrypted message. The server never sees the bytes, name or type.
   */
  async sendFile(peerUserId: number, source: FileSource, options: SecretFileOptions): Promise<SecretMessage> {
    const encrypted = encryptingSource(source);
    const info = await this.#client.uploadFile(encrypted.source, { name: ENCRYPTED_FILE_NAME, mimeType: ENCRYPTED_FILE_MIME });
    await this.#client.call('files.grantAccess', { fileId: info.id, userIds: [peerUserId] });
    const file: SecretFile = { fileId: info.id, key: encrypted.key, size: source.size, name: options.name, mimeType: options.mimeType, kind: options.kind ?? 'document' };
    return this.#sendMessage(peerUserId, options.caption ?? '', {}, file);
  }

  /**
   * Downloads a message's file and decrypts it on the way into `sink` (plaintext, in order).
   * Resolves with its size; rejects if the ciphertext was altered or cut short.
   */
  async downloadFile(file: SecretFile, sink: DownloadSink): Promise<number> {
    const size = encryptedFileSize(file.size);
    const decrypting = decryptingSink(file.key, size, sink);
    await this.#client.downloadFile(file.fileId, decrypting.sink, { size });
    return decrypting.finish();
  }

  /** Edits one of this user's messages on every device. */
  async edit(peerUserId: number, id: string, text: string, entities?: MessageEntity[]): Promise<void> {
    if (text.trim().length === 0) throw new RpcError('MESSAGE_EMPTY', 'Cannot edit message: the text is empty');
    await this.#exclusive(async () => {
      const message = this.#requireMessage(peerUserId, id, 'edit');
      if (message.senderUserId !== this.#requireState().userId) throw new RpcError('MESSAGE_AUTHOR_REQUIRED', 'Cannot edit message: only its sender may');
      await this.#sendBody(peerUserId, entities === undefined ? { type: 'edit', id, text } : { type: 'edit', id, text, entities });
    });
  }

  /** Deletes messages (either user's) from every device of both users. */
  async delete(peerUserId: number, ids: string[]): Promise<void> {
    await this.#exclusive(() => this.#sendBody(peerUserId, { type: 'delete', ids }));
  }

  /** Sets (or, with null, takes back) this user's reaction to a message. */
  async react(peerUserId: number, id: string, emoji: string | null): Promise<void> {
    await this.#exclusive(async () => {
      this.#requireMessage(peerUserId, id, 'react to');
      await this.#sendBody(peerUserId, { type: 'reaction', id, emoji });
    });
  }

  /** Sets the chat's self-destruct timer for messages sent from now on, on both sides; 0 turns it off. */
  async setTimer(peerUserId: number, ttlSeconds: number): Promise<void> {
    if (ttlSeconds !== 0 && !(Number.isInteger(ttlSeconds) && ttlSeconds >= SECRET_TTL_SECONDS_MIN && ttlSeconds <= SECRET_TTL_SECONDS_MAX)) {
      throw new RpcError('PARAMS_INVALID', `Cannot set timer: ${ttlSeconds} s is not 0 or from ${SECRET_TTL_SECONDS_MIN} s to ${SECRET_TTL_SECONDS_MAX} s`);
    }
    await this.#exclusive(() => this.#sendBody(peerUserId, { type: 'timer', ttlSeconds }));
  }

  /**
   * Marks every message received in the chat as read, on every device: messages sent under a
   * timer start their countdown everywhere. Resolves with the ids marked.
   */
  async markRead(peerUserId: number): Promise<string[]> {
    return this.#exclusive(async () => {
      const state = this.#requireState();
      const chat = this.#chatWith(peerUserId, false);
      const ids = markRead(chat, 'all', state.userId, this.#timers.now());
      if (ids.length === 0) return [];
      // Sent as an ordinary body, so the peer's devices and this user's other devices apply it too.
      for (let i = 0; i < ids.length; i += 500) await this.#sendBody(peerUserId, { type: 'read', ids: ids.slice(i, i + 500) }, { alreadyApplied: true });
      this.#scheduleExpiry();
      return ids;
    });
  }

  /** The safety number of this user and the peer, over every device of both as the server lists them now. */
  async safetyNumber(peerUserId: number): Promise<SafetyNumber> {
    return this.#exclusive(async () => {
      const mine = await this.#refreshDevices(this.#requireState().userId);
      const theirs = await this.#refreshDevices(peerUserId);
      const myKeys = joinedKeys(mine);
      const theirKeys = joinedKeys(theirs);
      return {
        digits: safetyNumber({ identityKey: myKeys, stableId: String(this.#requireState().userId) }, { identityKey: theirKeys, stableId: String(peerUserId) }),
        emoji: emojiFingerprint(myKeys, theirKeys),
        devices: { mine, theirs },
      };
    });
  }

  /** Settles once every message sent so far was handed to the server for every device (or refused for good). */
  flush(): Promise<void> {
    return this.#requestFlush();
  }

  /** Settles once envelopes waiting on the server have been fetched and applied. */
  sync(): Promise<void> {
    return this.#requestDrain();
  }

  // --- sending ---------------------------------------------------------------------------------

  async #sendMessage(peerUserId: number, text: string, options: SecretSendOptions, file: SecretFile | undefined): Promise<SecretMessage> {
    if (text.length > MAX_MESSAGE_LENGTH) throw new RpcError('MESSAGE_TOO_LONG', `Cannot send message: text is ${text.length} characters, limit is ${MAX_MESSAGE_LENGTH}`);
    return this.#exclusive(async () => {
      const chat = this.#chatWith(peerUserId, true);
      if (options.replyToId !== undefined) this.#requireMessage(peerUserId, options.replyToId, 'reply to');
      const body: Extract<SecretBody, { type: 'message' }> = { type: 'message', id: generateRandomId(), text, ttlSeconds: chat.ttlSeconds };
      if (options.entities !== undefined) body.entities = options.entities;
      if (options.replyToId !== undefined) body.replyToId = options.replyToId;
      if (file !== undefined) body.file = file;
      await this.#sendBody(peerUserId, body);
      return findMessage(chat, body.id)!;
    });
  }

  /**
   * Applies a body here, encrypts it for every other device of both users, and saves the result
   * before anything is sent: a crash can then only resend envelopes (which devices drop as replays),
   * never reuse a message key. Runs inside the queue.
   */
  async #sendBody(peerUserId: number, body: SecretBody, options: { alreadyApplied?: boolean } = {}): Promise<void> {
    const state = this.#requireState();
    const now = this.#timers.now();
    const payload: SecretPayload = { v: SECRET_PAYLOAD_VERSION, chatWith: peerUserId, sentAt: now, body };
    if (options.alreadyApplied !== true) {
      const change = applyBody(this.#chatWith(peerUserId, true), body, { userId: state.userId, deviceId: state.deviceId, sentAt: now, now });
      this.#emitChange(peerUserId, change);
    }
    const targets = await this.#targets(peerUserId);
    const entry: PendingFanout = { id: generateRandomId(), peerUserId, plaintext: JSON.stringify(payload), envelopes: {}, coverDeviceIds: targets.map((t) => t.deviceId) };
    for (const target of targets) entry.envelopes[String(target.deviceId)] = await this.#encryptFor(target.userId, target, entry.plaintext);
    state.outbox.push(entry);
    await this.#save();
    this.#requestFlush();
  }

  /** Every device of both users but this one, as last seen (fetched when never seen). */
  async #targets(peerUserId: number): Promise<(KnownDevice & { userId: number })[]> {
    const state = this.#requireState();
    const out: (KnownDevice & { userId: number })[] = [];
    for (const userId of [peerUserId, state.userId]) {
      const devices = state.devices[String(userId)] ?? (await this.#refreshDevices(userId));
      for (const device of devices) if (device.deviceId !== state.deviceId) out.push({ ...device, userId });
    }
    return out;
  }

  async #encryptFor(userId: number, device: KnownDevice, plaintext: string): Promise<string> {
    const key = sessionKey(userId, device.deviceId);
    let session = this.#sessions.get(key)?.[0];
    if (session === undefined) {
      const { bundle } = await this.#client.call('secret.getBundle', { deviceId: device.deviceId });
      if (bundle.identityKey !== device.identityKey) {
        throw new RpcError('DEVICE_ID_INVALID', `Cannot encrypt for device ${device.deviceId}: its identity key is not the one listed; refetch its devices`);
      }
      session = initiateSession(this.#requireKeys(), {
        identityKey: bundle.identityKey,
        signedPrekey: bundle.signedPrekey,
        pqPrekey: bundle.pqPrekey,
        oneTimePrekeys: bundle.oneTimePrekey === null ? [] : [bundle.oneTimePrekey],
      });
      this.#sessions.set(key, [session, ...(this.#sessions.get(key) ?? [])].slice(0, SESSIONS_PER_DEVICE));
    }
    return encrypt(session, new TextEncoder().encode(plaintext));
  }

  #requestFlush(): Promise<void> {
    return this.#flusher.request();
  }

  /**
   * Hands saved fan-outs to the server, oldest first, a few envelopes per call. Each step looks its
   * fan-out up again in the current state: another process sharing the store may have replaced it.
   */
  async #flushOutbox(): Promise<void> {
    while (!this.#closed) {
      const state = this.#state;
      const entry = state?.outbox[0];
      if (state === null || entry === undefined) return;
      const update = (change: (current: PendingFanout, outbox: PendingFanout[]) => Promise<void> | void) =>
        this.#exclusive(async () => {
          const outbox = this.#requireState().outbox;
          const current = outbox.find((e) => e.id === entry.id);
          if (current === undefined) return;
          await change(current, outbox);
          await this.#save();
        });
      const chunk = takeChunk(entry.envelopes);
      if (chunk.length === 0) {
        await update((current, outbox) => void outbox.splice(outbox.indexOf(current), 1));
        continue;
      }
      try {
        await this.#client.call('secret.sendEnvelopes', { envelopes: chunk, cover: { userIds: [state.userId, entry.peerUserId], deviceIds: entry.coverDeviceIds } });
      } catch (error) {
        if (error instanceof RpcError && (error.code === 'SECRET_DEVICES_CHANGED' || error.code === 'DEVICE_ID_INVALID')) {
          await update((current) => this.#retarget(current));
          continue;
        }
        if (!(error instanceof RpcError)) throw error;
        // Refused for good (the server says why): dropped, so later messages are not held up behind it.
        await update((current, outbox) => void outbox.splice(outbox.indexOf(current), 1));
        this.#report(error);
        continue;
      }
      await update((current) => {
        for (const { deviceId } of chunk) delete current.envelopes[String(deviceId)];
      });
    }
  }

  /** The devices changed under a fan-out: drop the gone ones, encrypt for the new ones. */
  async #retarget(entry: PendingFanout): Promise<void> {
    const state = this.#requireState();
    await this.#refreshDevices(state.userId);
    await this.#refreshDevices(entry.peerUserId);
    const targets = await this.#targets(entry.peerUserId);
    const before = new Set(entry.coverDeviceIds);
    const now = new Set(targets.map((t) => t.deviceId));
    for (const id of Object.keys(entry.envelopes)) if (!now.has(Number(id))) delete entry.envelopes[id];
    for (const target of targets) {
      if (!before.has(target.deviceId)) entry.envelopes[String(target.deviceId)] = await this.#encryptFor(target.userId, target, entry.plaintext);
    }
    entry.coverDeviceIds = [...now];
    await this.#save();
  }

  // --- receiving -------------------------------------------------------------------------------

  #requestDrain(): Promise<void> {
    return this.#drainer.request();
  }

  /** Applies every waiting envelope, saves, then acknowledges: nothing is acked before it is kept. */
  async #drainOnce(): Promise<void> {
    const state = this.#requireState();
    for (;;) {
      const { envelopes } = await this.#client.call('secret.getEnvelopes', { limit: 100 });
      if (envelopes.length === 0 || this.#closed) return;
      for (const envelope of envelopes) await this.#receive(envelope);
      state.qts = Math.max(state.qts, envelopes.at(-1)!.qts);
      await this.#save();
      this.#scheduleExpiry();
      await this.#client.call('secret.ack', { qts: state.qts });
    }
  }

  async #receive(envelope: Envelope): Promise<void> {
    const state = this.#requireState();
    if (envelope.qts <= state.qts) return;
    const failed = (reason: string) =>
      this.#emitter.emit('decryptFailed', { senderUserId: envelope.senderUserId, senderDeviceId: envelope.senderDeviceId, qts: envelope.qts, reason });
    const opened = await this.#open(envelope);
    if ('fault' in opened) return opened.fault === null ? undefined : failed(opened.fault);
    const parsed = parseSecretPayload(new TextDecoder().decode(opened.plaintext));
    if ('fault' in parsed) return failed(parsed.fault);
    const { payload } = parsed;
    const fromSelf = envelope.senderUserId === state.userId;
    // The peer must be writing to this user; this user's other devices name the peer.
    if (!fromSelf && payload.chatWith !== state.userId) return failed(`payload names user ${payload.chatWith}, not this user`);
    const peerUserId = fromSelf ? payload.chatWith : envelope.senderUserId;
    if (peerUserId === state.userId) return failed('payload names this user as its own peer');
    const chat = this.#chatWith(peerUserId, true);
    const change = applyBody(chat, payload.body, { userId: envelope.senderUserId, deviceId: envelope.senderDeviceId, sentAt: payload.sentAt, now: this.#timers.now() });
    this.#emitChange(peerUserId, change);
  }

  /**
   * Decrypts with a session of the sending device (the newest that opens it), or accepts the new
   * session the envelope starts. `fault: null` is a replay: dropped without a word.
   */
  async #open(envelope: Envelope): Promise<{ plaintext: Uint8Array } | { fault: string | null }> {
    const key = sessionKey(envelope.senderUserId, envelope.senderDeviceId);
    const sessions = this.#sessions.get(key) ?? [];
    for (const [index, session] of sessions.entries()) {
      try {
        const plaintext = decrypt(session, envelope.ciphertext);
        // The session the peer writes with becomes the one to answer with (two devices may start sessions at once).
        if (index > 0) this.#sessions.set(key, [session, ...sessions.filter((s) => s !== session)]);
        return { plaintext };
      } catch (error) {
        if (error instanceof RatchetError && error.code === 'REPLAY') return { fault: null };
      }
    }
    try {
      const accepted = acceptSession(this.#requireKeys(), envelope.ciphertext);
      const listed = await this.#knownDevice(envelope.senderUserId, envelope.senderDeviceId);
      if (listed === undefined || fromBase64(listed.identityKey).join() !== accepted.session.theirIdentityKey.join()) {
        return { fault: `device ${envelope.senderDeviceId} of user ${envelope.senderUserId} wrote with an identity key it has not registered` };
      }
      this.#sessions.set(key, [accepted.session, ...sessions].slice(0, SESSIONS_PER_DEVICE));
      return { plaintext: accepted.plaintext };
    } catch (error) {
      return { fault: describeError(error) };
    }
  }

  // --- devices -----------------------------------------------------------------------------------

  /** A device of a user as listed now; the list is refetched when the device is not known yet. */
  async #knownDevice(userId: number, deviceId: number): Promise<KnownDevice | undefined> {
    const known = this.#requireState().devices[String(userId)]?.find((d) => d.deviceId === deviceId);
    if (known !== undefined) return known;
    return (await this.#refreshDevices(userId)).find((d) => d.deviceId === deviceId);
  }

  /**
   * Fetches a user's devices. A change since they were last seen is never silent: it is emitted
   * as `devicesChanged` and written into the chat with that user as a service entry.
   */
  async #refreshDevices(userId: number): Promise<KnownDevice[]> {
    const state = this.#requireState();
    const { devices } = await this.#client.call('secret.getDevices', { userId });
    const fresh = devices.map((d) => ({ deviceId: d.deviceId, identityKey: d.identityKey }));
    const known = state.devices[String(userId)];
    state.devices[String(userId)] = fresh;
    if (known === undefined) return fresh;
    const same = (a: KnownDevice) => (b: KnownDevice) => a.deviceId === b.deviceId && a.identityKey === b.identityKey;
    const added = fresh.filter((d) => !known.some(same(d))).map((d) => d.deviceId);
    const removed = known.filter((d) => !fresh.some(same(d))).map((d) => d.deviceId);
    if (added.length === 0 && removed.length === 0) return fresh;
    for (const deviceId of removed) this.#sessions.delete(sessionKey(userId, deviceId));
    const chat = state.chats[String(userId)];
    if (chat !== undefined) chat.history.push({ kind: 'service', at: this.#timers.now(), action: { type: 'devicesChanged', userId, added, removed } });
    await this.#save();
    this.#emitter.emit('devicesChanged', { userId, added, removed });
    return fresh;
  }

  /**
   * Tops the server's stock of one-time prekeys back up to {@link ONE_TIME_PREKEY_STOCK}. Reports
   * that arrived while an upload ran predate it and are dropped, so a burst of draws (one report
   * each) costs one upload, not one per report.
   */
  async #replenishPrekeys(): Promise<void> {
    const remaining = this.#lowPrekeyReport;
    if (remaining === null) return;
    await this.#exclusive(async () => {
      const keys = this.#requireKeys();
      const ids = new Set(keys.addOneTimePrekeys(Math.max(1, ONE_TIME_PREKEY_STOCK - remaining)));
      await this.#save();
      const fresh = keys.publicBundle().oneTimePrekeys.filter((k) => ids.has(k.id));
      for (let i = 0; i < fresh.length; i += 100) {
        this.#serverPrekeyStock = (await this.#client.call('secret.uploadPrekeys', { oneTimePrekeys: fresh.slice(i, i + 100) })).oneTimePrekeyCount;
      }
    });
    this.#lowPrekeyReport = null;
  }

  // --- state -------------------------------------------------------------------------------------

  /** Loads the saved state of this device, or makes and registers new keys for a new session. */
  async #load(): Promise<void> {
    const user = this.#client.user;
    const deviceId = this.#client.sessionId;
    if (user === null || deviceId === null) throw new RpcError('AUTH_KEY_UNREGISTERED', 'Cannot start secret chats: not signed in');
    const saved = await this.#store.load();
    if (saved !== null && isSecretState(saved) && saved.userId === user.id && saved.deviceId === deviceId) {
      this.#adopt(saved);
    } else {
      // Another session is another device: it gets keys of its own, never those of a previous sign-in.
      this.#keys = DeviceKeys.generate({ oneTimePrekeyCount: ONE_TIME_PREKEY_STOCK });
      this.#state = { v: 1, revision: 0, userId: user.id, deviceId, keys: '', prekeysRotatedAt: this.#timers.now(), qts: 0, sessions: {}, devices: {}, chats: {}, outbox: [] };
      this.#sessions.clear();
    }
    const state = this.#requireState();
    const keys = this.#requireKeys();
    const { devices } = await this.#client.call('secret.getDevices', { userId: user.id });
    const listed = devices.find((d) => d.deviceId === deviceId);
    const rotate = this.#timers.now() - state.prekeysRotatedAt > PREKEY_ROTATION_MS;
    if (rotate) {
      // The old prekeys still open first messages made from a bundle fetched before (for PREKEY_GRACE_MS).
      keys.rotateSignedPrekey({ now: this.#timers.now() });
      keys.rotatePqPrekey({ now: this.#timers.now() });
      state.prekeysRotatedAt = this.#timers.now();
    }
    keys.pruneRetiredPrekeys(this.#timers.now());
    await this.#save();
    if (listed === undefined || listed.identityKey !== keys.publicBundle().identityKey || rotate) {
      const bundle = keys.publicBundle();
      const registered = await this.#client.call('secret.registerDevice', { ...bundle, oneTimePrekeys: bundle.oneTimePrekeys.slice(0, ONE_TIME_PREKEY_STOCK) });
      this.#serverPrekeyStock = registered.oneTimePrekeyCount;
    }
  }

  /** Takes the state another process saved since this one last read or wrote it. */
  async #reloadIfStale(): Promise<void> {
    if (this.#state === null) return;
    const saved = await this.#store.load();
    if (saved === null || !isSecretState(saved) || saved.revision === this.#state.revision) return;
    if (saved.userId !== this.#state.userId || saved.deviceId !== this.#state.deviceId) return;
    this.#adopt(saved);
    // Countdowns another process started (a read there) must run here too.
    this.#scheduleExpiry();
  }

  #adopt(saved: SecretState): void {
    this.#state = saved;
    this.#keys = DeviceKeys.deserialize(saved.keys);
    this.#sessions.clear();
    for (const [key, list] of Object.entries(saved.sessions)) this.#sessions.set(key, list.map((s) => deserializeSession(s)));
  }

  async #save(): Promise<void> {
    const state = this.#requireState();
    state.revision += 1;
    state.keys = this.#requireKeys().serialize();
    state.sessions = {};
    for (const [key, list] of this.#sessions) state.sessions[key] = list.map(serializeSession);
    await this.#store.save(state);
  }

  #chatWith(peerUserId: number, create: boolean): SecretChatState {
    const state = this.#requireState();
    let chat = state.chats[String(peerUserId)];
    if (chat === undefined) {
      if (!create) throw new RpcError('PEER_ID_INVALID', `Cannot use secret chat with user ${peerUserId}: there is none`);
      chat = { peerUserId, ttlSeconds: 0, history: [{ kind: 'service', at: this.#timers.now(), action: { type: 'started' } }] };
      state.chats[String(peerUserId)] = chat;
    }
    return chat;
  }

  #requireMessage(peerUserId: number, id: string, what: string): SecretMessage {
    const message = findMessage(this.#chatWith(peerUserId, false), id);
    if (message === undefined) throw new RpcError('MESSAGE_ID_INVALID', `Cannot ${what} message ${id}: it is not in the secret chat`);
    return message;
  }

  #requireState(): SecretState {
    if (this.#state === null) throw new Error('Cannot use secret chats before start() resolved');
    return this.#state;
  }

  #requireKeys(): DeviceKeys {
    if (this.#keys === null) throw new Error('Cannot use secret chats before start() resolved');
    return this.#keys;
  }

  // --- timers and events -------------------------------------------------------------------------

  /** Removes what self-destructed, then waits for the next countdown to end. */
  async #expire(): Promise<void> {
    const state = this.#requireState();
    const now = this.#timers.now();
    let changed = false;
    for (const chat of Object.values(state.chats)) {
      const ids = removeExpired(chat, now);
      if (ids.length === 0) continue;
      changed = true;
      this.#emitter.emit('messagesDeleted', { peerUserId: chat.peerUserId, ids, reason: 'expired' });
    }
    if (changed) await this.#save();
    this.#scheduleExpiry();
  }

  #scheduleExpiry(): void {
    if (this.#expiryTimer !== null) this.#timers.clearTimeout(this.#expiryTimer);
    this.#expiryTimer = null;
    if (this.#closed) return;
    const times = Object.values(this.#requireState().chats).map(nextExpiry).filter((t): t is number => t !== null);
    if (times.length === 0) return;
    const delay = Math.max(0, Math.min(...times) - this.#timers.now());
    this.#expiryTimer = this.#timers.setTimeout(() => void this.#exclusive(() => this.#expire()).catch((e) => this.#report(e)), delay);
  }

  #emitChange(peerUserId: number, change: HistoryChange): void {
    switch (change.type) {
      case 'message':
        return this.#emitter.emit('message', { peerUserId, message: change.message });
      case 'edited':
        return this.#emitter.emit('messageEdited', { peerUserId, message: change.message });
      case 'deleted':
        if (change.ids.length > 0) this.#emitter.emit('messagesDeleted', { peerUserId, ids: change.ids, reason: 'deleted' });
        return;
      case 'reaction':
        return this.#emitter.emit('reaction', { peerUserId, message: change.message });
      case 'timer':
        return this.#emitter.emit('timerChanged', { peerUserId, ttlSeconds: change.ttlSeconds, byUserId: change.byUserId });
      case 'read':
        if (change.ids.length > 0) this.#emitter.emit('read', { peerUserId, ids: change.ids });
        return;
      case 'none':
        return;
    }
  }

  /**
   * Runs `task` after every task queued before it: sessions and the state change one task at a
   * time, and, with a shared store, one process at a time.
   */
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const store = this.#store;
    const locked = store.exclusive === undefined ? task : () => store.exclusive!(async () => (await this.#reloadIfStale(), task()));
    const run = this.#queue.then(locked, locked);
    this.#queue = run.catch(() => {});
    return run;
  }

  #report(error: unknown): void {
    if (this.#closed) return;
    this.#emitter.emit('error', error instanceof Error ? error : new Error(describeError(error)));
  }
}

function view(chat: SecretChatState): SecretChatView {
  return { peerUserId: chat.peerUserId, ttlSeconds: chat.ttlSeconds, history: chat.history };
}

/** A user's identity keys in device order, joined: what their half of the safety number covers. */
function joinedKeys(devices: KnownDevice[]): Uint8Array {
  const keys = [...devices].sort((a, b) => a.deviceId - b.deviceId).map((d) => fromBase64(d.identityKey));
  const out = new Uint8Array(keys.reduce((n, k) => n + k.length, 0));
  let offset = 0;
  for (const key of keys) {
    out.set(key, offset);
    offset += key.length;
  }
  return out;
}

/** The next envelopes of a fan-out that fit one call. */
function takeChunk(envelopes: Record<string, string>): { deviceId: number; ciphertext: string }[] {
  const chunk: { deviceId: number; ciphertext: string }[] = [];
  let bytes = 0;
  for (const [deviceId, ciphertext] of Object.entries(envelopes)) {
    if (chunk.length === ENVELOPES_PER_CALL || (chunk.length > 0 && bytes + ciphertext.length > ENVELOPE_BYTES_PER_CALL)) break;
    chunk.push({ deviceId: Number(deviceId), ciphertext });
    bytes += ciphertext.length;
  }
  return chunk;
}

/**
 * A task run by one caller at a time: a request while it runs makes it run once more after, so no
 * request made during a run is missed. Failures go to `onError`; the promise never rejects.
 */
class Rerunnable {
  #running: Promise<void> | null = null;
  #again = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  request(): Promise<void> {
    if (this.#running !== null) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          await this.task();
        } catch (error) {
          this.onError(error);
          return;
        }
      } while (this.#again);
    })().finally(() => (this.#running = null));
    return this.#running;
  }

  /** Settles when no run is going on. */
  async idle(): Promise<void> {
    await this.#running;
  }
}
