import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BotIdentity } from '../bots/bot-accounts.ts';
import type { ContentStore } from '../files/content-store.ts';
import type { Logger } from '../shared/logger.ts';
import { notFound, toTelegramError, unauthorized, TelegramError } from './bot-errors.ts';
import { createBotMethods, type BotApiDeps } from './bot-methods.ts';
import { BotParams, readBotParams } from './bot-request.ts';

export interface BotApiRoutesDeps extends BotApiDeps {
  store: ContentStore;
  logger: Logger;
}

/** The Bot API over HTTP: `/bot<token>/<method>` and `/file/bot<token>/<file_path>`, as Telegram serves them. */
export interface BotApi {
  /** Answers the request if it is the Bot API's; false leaves it to other routes. */
  handle(request: IncomingMessage, response: ServerResponse, path: string): boolean;
  /** Runs a method as a bot (a webhook's reply). */
  run(botId: number, method: string, params: Record<string, unknown>): Promise<unknown>;
}

const CALL_PATH = /^\/bot([^/]+)\/([A-Za-z]+)\/?$/;
const FILE_PATH = /^\/file\/bot([^/]+)\/([0-9a-f]{16,64})\/[^/]*$/;

export function createBotApi(deps: BotApiRoutesDeps): BotApi {
  const methods = createBotMethods(deps);

  const call = async (bot: BotIdentity, name: string, params: BotParams, signal: AbortSignal): Promise<unknown> => {
    const method = methods.get(name.toLowerCase());
    if (method === undefined) throw notFound();
    return method({ bot, params, signal });
  };

  const answerCall = async (request: IncomingMessage, response: ServerResponse, token: string, name: string): Promise<void> => {
    const hangUp = new AbortController();
    response.on('close', () => hangUp.abort());
    try {
      const bot = await deps.bots.authenticate(decodeURIComponent(token));
      if (bot === null) throw unauthorized();
      const params = await readBotParams(request, new URL(request.url ?? '/', 'http://localhost'));
      const result = await call(bot, name, params, hangUp.signal);
      send(response, 200, { ok: true, result });
    } catch (error) {
      const known = toTelegramError(error);
      if (known !== null) {
        send(response, known.errorCode, known.toJSON());
        return;
      }
      deps.logger.log('error', 'botapi.failed', { method: name, error: String(error) });
      send(response, 500, new TelegramError(500, 'Internal Server Error').toJSON());
    }
  };

  const answerFile = async (response: ServerResponse, token: string, fileId: string): Promise<void> => {
    const bot = await deps.bots.authenticate(decodeURIComponent(token));
    if (bot === null) return void send(response, 401, unauthorized().toJSON());
    const file = await deps.files.readable(bot.id, fileId).catch(() => null);
    if (file === null) return void send(response, 404, notFound().toJSON());
    response.writeHead(200, { 'content-type': file.mime_type || 'application/octet-stream', 'content-length': String(file.size), 'cache-control': 'private, no-store' });
    const stream = deps.store.read(file.sha256);
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  };

  return {
    handle(request, response, path) {
      const callMatch = CALL_PATH.exec(path);
      if (callMatch !== null) {
        void answerCall(request, response, callMatch[1]!, callMatch[2]!);
        return true;
      }
      const fileMatch = FILE_PATH.exec(path);
      if (fileMatch !== null && (request.method === 'GET' || request.method === 'HEAD')) {
        void answerFile(response, fileMatch[1]!, fileMatch[2]!).catch((error: unknown) => {
          deps.logger.log('error', 'botapi.file_failed', { error: String(error) });
          if (!response.headersSent) send(response, 500, new TelegramError(500, 'Internal Server Error').toJSON());
          else response.destroy();
        });
        return true;
      }
      return false;
    },
    async run(botId, method, params) {
      const bot = await deps.bots.byId(botId);
      if (bot === null) throw unauthorized();
      return call(bot, method, new BotParams(params, new Map()), new AbortController().signal);
    },
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }).end(text);
}
