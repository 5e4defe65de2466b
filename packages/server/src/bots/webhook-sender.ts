import { WEBHOOKS_TOPIC, type Bus } from '../bus/bus.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { BotAccounts } from './bot-accounts.ts';
import type { BotInbox } from './bot-inbox.ts';

/** What a webhook's answer may ask of the Bot API ("reply to the webhook"): a method and its parameters. */
export type WebhookReply = (botId: number, method: string, params: Record<string, unknown>) => Promise<void>;

export interface WebhookSettings {
  url: string;
  secret: string | null;
  maxConnections: number;
  allowedUpdates?: string[];
  dropPending: boolean;
}

/** How long one delivery may take before it counts as failed. */
const DELIVERY_TIMEOUT_MS = 15_000;
/** Retries back off from 1 s, doubling, to at most a minute. */
const FIRST_RETRY_MS = 1_000;
const LAST_RETRY_MS = 60_000;
/** An idle sender looks again this often even without a wake-up (a missed bus event only delays). */
const IDLE_RECHECK_MS = 30_000;

/**
 * Delivers each bot's updates to its webhook, one at a time and in order, as Telegram does: an
 * update leaves the queue only when the webhook answered 2xx; a failure is retried with backoff
 * and recorded for getWebhookInfo. A JSON answer naming a `method` is run as the bot, which is how
 * libraries "reply to the webhook".
 */
export class WebhookSender {
  readonly #running = new Map<number, AbortController>();
  #reply: WebhookReply = async () => {};

  #unsubscribe: () => void = () => {};

  /**
   * Only one process of a server sends webhooks (`runsSenders`); a change made on any process
   * reaches it over the bus.
   */
  constructor(private readonly deps: { bots: BotAccounts; inbox: BotInbox; bus: Bus; clock: Clock; logger: Logger; runsSenders: boolean }) {
    if (deps.runsSenders) {
      this.#unsubscribe = deps.bus.subscribe(WEBHOOKS_TOPIC, (event) => {
        if (event.kind !== 'webhookChanged') return;
        this.#stop(event.botId);
        this.#ensure(event.botId);
      });
    }
  }

  /** Set once the Bot API exists (it needs the sender, the sender needs it). */
  onReply(reply: WebhookReply): void {
    this.#reply = reply;
  }

  /** Starts a sender for every bot that has a webhook (at server start, in the process that sends them). */
  async start(botIds: readonly number[]): Promise<void> {
    if (!this.deps.runsSenders) return;
    for (const botId of botIds) this.#ensure(botId);
  }

  async set(botId: number, settings: WebhookSettings): Promise<void> {
    if (settings.dropPending) await this.deps.inbox.dropAll(botId);
    await this.deps.bots.update(botId, {
      webhook_url: settings.url,
      webhook_secret_sealed: settings.secret === null ? null : this.deps.bots.sealWebhookSecret(botId, settings.secret),
      webhook_max_connections: settings.maxConnections,
      webhook_last_error_date: null,
      webhook_last_error_message: null,
      ...(settings.allowedUpdates === undefined ? {} : { allowed_updates: JSON.stringify(settings.allowedUpdates) }),
    });
    this.deps.bus.publish(WEBHOOKS_TOPIC, { kind: 'webhookChanged', botId });
  }

  async remove(botId: number, dropPending: boolean): Promise<void> {
    await this.deps.bots.update(botId, { webhook_url: null, webhook_secret_sealed: null, webhook_last_error_date: null, webhook_last_error_message: null });
    if (dropPending) await this.deps.inbox.dropAll(botId);
    this.deps.bus.publish(WEBHOOKS_TOPIC, { kind: 'webhookChanged', botId });
  }

  stopAll(): void {
    this.#unsubscribe();
    for (const botId of [...this.#running.keys()]) this.#stop(botId);
  }

  #stop(botId: number): void {
    this.#running.get(botId)?.abort();
    this.#running.delete(botId);
  }

  #ensure(botId: number): void {
    if (this.#running.has(botId)) return;
    const control = new AbortController();
    this.#running.set(botId, control);
    void this.#run(botId, control.signal)
      .catch((error: unknown) => this.deps.logger.log('error', 'webhook.sender_failed', { botId, error: String(error) }))
      .finally(() => {
        if (this.#running.get(botId)?.signal === control.signal) this.#running.delete(botId);
      });
  }

  async #run(botId: number, signal: AbortSignal): Promise<void> {
    let retryMs = FIRST_RETRY_MS;
    while (!signal.aborted) {
      const bot = await this.deps.bots.byId(botId);
      if (bot === null || bot.row.webhook_url === null) return;
      // Listening before reading: an update committed between the read and the wait still wakes it.
      const taken = new AbortController();
      const woken = this.deps.inbox.waitForUpdates(botId, IDLE_RECHECK_MS, AbortSignal.any([signal, taken.signal]));
      const [update] = await this.deps.inbox.take(botId, { offset: 0, limit: 1 });
      if (update === undefined) {
        await woken;
        continue;
      }
      taken.abort();
      const secret = bot.row.webhook_secret_sealed === null ? null : this.deps.bots.openWebhookSecret(botId, bot.row.webhook_secret_sealed);
      const failure = await this.#deliver(bot.row.webhook_url, secret, update, signal);
      if (signal.aborted) return;
      if (failure === null || typeof failure === 'object') {
        await this.deps.inbox.remove(botId, update.update_id);
        retryMs = FIRST_RETRY_MS;
        if (failure !== null) await this.#reply(botId, failure.method, failure.params).catch((error: unknown) => {
          this.deps.logger.log('warn', 'webhook.reply_failed', { botId, method: failure.method, error: String(error) });
        });
        continue;
      }
      await this.deps.bots.update(botId, { webhook_last_error_date: Math.floor(this.deps.clock.nowMs() / 1000), webhook_last_error_message: failure });
      this.deps.logger.log('warn', 'webhook.delivery_failed', { botId, updateId: update.update_id, error: failure, retryInMs: retryMs });
      await sleep(retryMs, signal);
      retryMs = Math.min(LAST_RETRY_MS, retryMs * 2);
    }
  }

  /**
   * Null (or the method its answer asks for) when the webhook took the update; otherwise
   * Telegram's wording of what went wrong.
   */
  async #deliver(url: string, secret: string | null, update: unknown, signal: AbortSignal): Promise<string | { method: string; params: Record<string, unknown> } | null> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }) },
        body: JSON.stringify(update),
        signal: AbortSignal.any([signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
        redirect: 'manual',
      });
    } catch (error) {
      if (signal.aborted) return 'Webhook was removed';
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      if (cause === 'ECONNREFUSED') return 'Connection refused';
      if ((error as Error).name === 'TimeoutError') return 'Read timeout expired';
      return `Failed to connect: ${cause ?? (error as Error).message}`;
    }
    const body = await response.text().catch(() => '');
    if (response.status < 200 || response.status > 299) return `Wrong response from the webhook: ${response.status} ${response.statusText}`.trim();
    return parseReply(body);
  }
}

function parseReply(body: string): { method: string; params: Record<string, unknown> } | null {
  if (body.trim() === '') return null;
  try {
    const value = JSON.parse(body) as unknown;
    if (typeof value !== 'object' || value === null || typeof (value as { method?: unknown }).method !== 'string') return null;
    const { method, ...params } = value as { method: string } & Record<string, unknown>;
    return { method, params };
  } catch {
    return null;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    }
    signal.addEventListener('abort', finish);
  });
}
