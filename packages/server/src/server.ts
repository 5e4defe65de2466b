import { hkdfSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { MAX_FRAME_BYTES } from '@samizdat/protocol';
import { WebSocketServer } from 'ws';
import { AuthService, DEFAULT_AUTH_LIMITS, type AuthLimits } from './accounts/auth-service.ts';
import { logCodeDelivery, webhookCodeDelivery, type CodeDelivery } from './accounts/code-delivery.ts';
import { PhoneCodes } from './accounts/phone-codes.ts';
import { Sessions } from './accounts/sessions.ts';
import { Users } from './accounts/users.ts';
import type { Bus } from './bus/bus.ts';
import { InProcessBus } from './bus/in-process-bus.ts';
import { ClientConnection, type ConnectionDeps } from './gateway/client-connection.ts';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './gateway/connection-limits.ts';
import { createHandlers } from './gateway/handlers.ts';
import { startHeartbeat } from './gateway/heartbeat.ts';
import { createHttpHandler } from './http/http-routes.ts';
import { LocalContentStore } from './files/content-store.ts';
import { FileService } from './files/file-service.ts';
import { UploadService } from './files/upload-service.ts';
import { SecretRelay } from './secret/secret-relay.ts';
import { loadOperatorKey } from './keys/operator-key.ts';
import { IpRecords } from './safety/ip-records.ts';
import { Legal } from './safety/legal.ts';
import { Moderation } from './safety/moderation.ts';
import { Reports } from './safety/reports.ts';
import { Roles } from './safety/roles.ts';
import { SendChecks } from './safety/send-checks.ts';
import { SpamLimits } from './safety/spam-limits.ts';
import { TransparencyLog } from './safety/transparency-log.ts';
import { mkdir } from 'node:fs/promises';
import { ChatKeyring } from './keys/chat-keyring.ts';
import { envMasterKey, fileMasterKey, type MasterKeyProvider } from './keys/master-key.ts';
import { ChatDirectory } from './chats/chat-access.ts';
import { ChatService } from './chats/chat-service.ts';
import { Contacts } from './accounts/contacts.ts';
import { Presence } from './accounts/presence.ts';
import { MessageService } from './messages/message-service.ts';
import { systemClock, unixSeconds, type Clock } from './shared/clock.ts';
import { createLogger, type Logger } from './shared/logger.ts';
import { migrate } from './storage/migrations.ts';
import { openSqliteStorage } from './storage/sqlite-storage.ts';
import { UpdateService } from './updates/update-service.ts';
import type { PresenceRegistry } from './accounts/presence-registry.ts';
import type { WriteLock } from './storage/write-lock.ts';
import { BotAccounts } from './bots/bot-accounts.ts';
import { BotInbox } from './bots/bot-inbox.ts';
import { CallbackQueries } from './bots/callback-queries.ts';
import { BotFather } from './bots/bot-father.ts';
import { WebhookSender } from './bots/webhook-sender.ts';
import { createBotApi } from './bot-api/bot-api-routes.ts';
import { BotRateLimits } from './bot-api/bot-rate-limits.ts';
import { LocalRateLimits, type RateLimits } from './shared/rate-limits.ts';

/** Telegram's limit: 2 GiB a file. */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 ** 3;
/** IP addresses of sessions are kept this long, then purged. */
export const DEFAULT_IP_RETENTION_SECONDS = 30 * 24 * 3600;

/** How to run a server. Every field has a default that suits a self-hosted single node. */
export interface ServerOptions {
  /** @default 8080; 0 picks a free port */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Folder for the database and the key file. @default './data' */
  dataDir?: string;
  /** Accept `+99966XYYYY` numbers with code `XXXXX`, as Telegram's test servers do. @default false */
  testNumbers?: boolean;
  /** Where codes go. @default the server log, or a webhook when `codeWebhookUrl` is set */
  codeDelivery?: CodeDelivery;
  codeWebhookUrl?: string;
  /** Largest file accepted, in bytes. @default 2 GiB */
  maxFileBytes?: number;
  /** How long the IP addresses of sessions are kept (the only thing besides a phone number a lawful request can disclose). @default 30 days */
  ipRetentionSeconds?: number;
  /**
   * A folder of static files to serve at `/` (the web client's build): its `index.html` answers
   * `/` and unknown page paths, files under `assets/` are cached as immutable. Without it, `/` is a
   * landing page. @default none
   */
  webRoot?: string;
  /** Base URL of invite links (`<publicUrl>/+<hash>`). @default `http://host:port` */
  publicUrl?: string;
  /** @default SAMIZDAT_MASTER_KEY when set, else the file `<dataDir>/master.key` */
  masterKey?: MasterKeyProvider;
  clock?: Clock;
  logger?: Logger;
  bus?: Bus;
  authLimits?: Partial<AuthLimits>;
  connectionLimits?: Partial<ConnectionLimits>;
  /** How long a press of an inline button waits for the bot's answer. @default 15 s */
  botCallbackTimeoutMs?: number;
  /**
   * Several processes serve one data folder (`startCluster`): who is online and the rate limits
   * per account, address and bot are counted across them, and only the leader runs what must run
   * once (@BotFather, webhook senders, sweeps).
   * @default a single process, which is the leader
   */
  cluster?: { isLeader: boolean; presence: PresenceRegistry; writeLock: WriteLock; rateLimits: RateLimits };
}

/** A server that is listening. */
export interface RunningServer {
  readonly port: number;
  readonly host: string;
  /** `http://host:port` */
  readonly httpUrl: string;
  /** `ws://host:port/ws` */
  readonly wsUrl: string;
  readonly databasePath: string;
  /** Reclaims expired uploads now (the server also does so every hour). */
  sweepUploads(): Promise<number>;
  /** Forgets IP addresses past the retention window now (the server also does so at start and every hour); how many records went. */
  purgeIpRecords(): Promise<number>;
  close(): Promise<void>;
}

/** Opens the store, brings its schema forward, and starts listening for HTTP and WebSocket clients. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger();
  const dataDir = resolve(options.dataDir ?? './data');
  const databasePath = join(dataDir, 'samizdat.db');
  const masterKeyProvider = options.masterKey ?? (process.env.SAMIZDAT_MASTER_KEY ? envMasterKey() : fileMasterKey(join(dataDir, 'master.key')));
  const masterKey = await masterKeyProvider.loadKey();
  const storage = openSqliteStorage(databasePath, options.cluster === undefined ? {} : { writeLock: options.cluster.writeLock });
  const schemaVersion = await migrate(storage.db, unixSeconds(clock));
  const bus = options.bus ?? new InProcessBus();
  const keyring = new ChatKeyring(masterKey);
  const users = new Users(storage.db);
  const isLeader = options.cluster?.isLeader ?? true;
  const rateLimits = options.cluster?.rateLimits ?? new LocalRateLimits(clock);
  const ips = new IpRecords({ db: storage.db, clock, retentionSeconds: options.ipRetentionSeconds ?? DEFAULT_IP_RETENTION_SECONDS });
  if (isLeader) await ips.purge();
  const sessions = new Sessions(storage.db, ips);
  const codeMacKey = new Uint8Array(hkdfSync('sha256', masterKey, new Uint8Array(0), 'samizdat/phone-code-mac', 32));
  const codes = new PhoneCodes(storage.db, clock, { lifetimeSeconds: 300, maxAttempts: 5, acceptTestNumbers: options.testNumbers ?? false }, codeMacKey);
  const delivery = options.codeDelivery ?? (options.codeWebhookUrl ? webhookCodeDelivery(options.codeWebhookUrl) : logCodeDelivery(logger));
  const auth = new AuthService({ users, sessions, codes, delivery, clock, logger, limits: { ...DEFAULT_AUTH_LIMITS, ...options.authLimits }, rateLimits });
  const directory = new ChatDirectory(storage.db, keyring, clock);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  const contacts = new Contacts(storage.db, users);
  const presence = new Presence({ db: storage.db, contacts, bus, clock, logger, ...(options.cluster === undefined ? {} : { registry: options.cluster.presence }) });
  let boundUrl = '';
  const botInbox = new BotInbox({ db: storage.db, keyring, directory, bus, clock });
  const bots = new BotAccounts({ db: storage.db, users, clock, keyring });
  const chats = new ChatService({ db: storage.db, directory, users, keyring, bus, clock, publicUrl: () => options.publicUrl ?? boundUrl, memberObserver: botInbox });
  const store = new LocalContentStore(join(dataDir, 'files'));
  const uploads = new UploadService({ db: storage.db, store, uploadsDir: join(dataDir, 'uploads'), clock, logger, maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES });
  const files = new FileService({ db: storage.db, store, clock, logger, tempDir: join(dataDir, 'uploads') });
  await mkdir(join(dataDir, 'uploads'), { recursive: true });
  if (isLeader) await uploads.sweepExpired();
  const sweeper = setInterval(() => {
    if (!isLeader) return;
    void uploads.sweepExpired().catch((error: unknown) => logger.log('warn', 'files.sweep_failed', { error: String(error) }));
    void secret.sweep().catch((error: unknown) => logger.log('warn', 'secret.sweep_failed', { error: String(error) }));
    void ips.purge().catch((error: unknown) => logger.log('warn', 'ips.purge_failed', { error: String(error) }));
    void callbacks.sweep().catch((error: unknown) => logger.log('warn', 'callbacks.sweep_failed', { error: String(error) }));
  }, 3_600_000);
  sweeper.unref();
  const spamLimits = new SpamLimits({ db: storage.db, clock });
  const messages = new MessageService({ db: storage.db, directory, users, keyring, bus, clock, files, policy: new SendChecks({ db: storage.db, clock, spamLimits }), observer: botInbox });
  const callbacks = new CallbackQueries({ db: storage.db, bus, clock, messages, inbox: botInbox, ...(options.botCallbackTimeoutMs === undefined ? {} : { timeoutMs: options.botCallbackTimeoutMs }) });
  const updates = new UpdateService({ db: storage.db, users, keyring, clock });
  const secret = new SecretRelay({ db: storage.db, bus, clock });
  if (isLeader) await secret.sweep();
  const roles = new Roles(storage.db);
  const transparency = new TransparencyLog({ db: storage.db, clock, signingKey: await loadOperatorKey(dataDir) });
  const reports = new Reports({ db: storage.db, keyring, roles, clock, spamLimits, rateLimits });
  const moderation = new Moderation({ db: storage.db, roles, log: transparency, bus, clock, messages, secret, spamLimits });
  const legal = new Legal({ db: storage.db, roles, ips, log: transparency, clock });
  const services = { auth, users, sessions, contacts, presence, chats, messages, updates, uploads, files, store, secret, reports, moderation, legal, bus, clock, bots, callbacks };
  const handlers = createHandlers(services);
  const webhooks = new WebhookSender({ bots, inbox: botInbox, bus, clock, logger, runsSenders: isLeader });
  const botApi = createBotApi({ db: storage.db, bots, inbox: botInbox, callbacks, webhooks, messages, chats, files, bus, clock, limits: new BotRateLimits(rateLimits), store, logger });
  webhooks.onReply(async (botId, method, params) => void (await botApi.run(botId, method, params)));
  const botFather = new BotFather({ bots, inbox: botInbox, messages, bus, logger, apiRoot: () => options.publicUrl ?? boundUrl });
  if (isLeader) await botFather.start();
  const hooked = await storage.db.selectFrom('bots').select('user_id').where('webhook_url', 'is not', null).execute();
  await webhooks.start(hooked.map((row) => row.user_id));
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.connectionLimits };

  const webRoot = options.webRoot === undefined ? undefined : resolve(options.webRoot);
  const http = createServer(createHttpHandler({ sessions, uploads, files, store, clock, logger, transparency, botApi, ...(webRoot === undefined ? {} : { webRoot }) }));
  // The open sockets are tracked by the connections, not by ws: its tracking costs a closure per connection.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, clientTracking: false });
  const connectionDeps: ConnectionDeps = { services, handlers, clock, logger, limits, openSockets: new Set() };
  http.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      new ClientConnection(ws, socket, request.socket.remoteAddress ?? 'unknown', connectionDeps);
      wss.emit('connection', ws, request);
    });
  });
  const stopHeartbeat = startHeartbeat(wss, connectionDeps.openSockets, limits.heartbeatIntervalMs);
  const boundPort = await listen(http, port, host);
  const url = `${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  boundUrl = `http://${url}`;
  logger.log('info', 'server.started', {
    url: `http://${url}`,
    data: dataDir,
    schemaVersion,
    masterKey: masterKeyProvider.kind,
    codes: options.testNumbers ? `${delivery.kind}+test-numbers` : delivery.kind,
  });
  return {
    port: boundPort,
    host,
    httpUrl: `http://${url}`,
    wsUrl: `ws://${url}/ws`,
    databasePath,
    sweepUploads: () => uploads.sweepExpired(),
    purgeIpRecords: () => ips.purge(),
    async close() {
      stopHeartbeat();
      clearInterval(sweeper);
      botFather.stop();
      webhooks.stopAll();
      for (const socket of connectionDeps.openSockets) socket.terminate();
      await new Promise<void>((done) => wss.close(() => done()));
      http.closeAllConnections();
      await new Promise<void>((done) => http.close(() => done()));
      await bus.close();
      await storage.close();
      logger.log('info', 'server.stopped', {});
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done((server.address() as AddressInfo).port);
    });
  });
}
