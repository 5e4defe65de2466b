import type { IncomingMessage } from 'node:http';
import { MultipartError, parseMultipart, type FormPart } from './multipart.ts';
import { BotApiInputError } from './telegram-types.ts';

/** Telegram's limit for a file a bot uploads. */
export const MAX_BOT_UPLOAD_BYTES = 50 * 1024 * 1024;
/** A request without files is small; this bounds what one call can make the server hold. */
const MAX_PLAIN_BODY_BYTES = 1024 * 1024;

/** A file a bot sent in a multipart request. */
export interface UploadedFile {
  name: string;
  mimeType: string;
  bytes: Buffer;
}

/** A body larger than the Bot API accepts: 413, as Telegram answers. */
export class BodyTooLargeError extends Error {}

/**
 * The parameters of one Bot API call, from wherever the bot put them: the query string, a JSON
 * body, a form, or a multipart form with files. Values from forms are strings; the getters read
 * them as the method needs, as Telegram does ("123" and 123 are the same integer).
 */
export class BotParams {
  constructor(
    private readonly values: Record<string, unknown>,
    private readonly files: Map<string, UploadedFile>,
  ) {}

  has(name: string): boolean {
    const value = this.values[name];
    return (value !== undefined && value !== null && value !== '') || this.files.has(name);
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new BotApiInputError(`field "${name}" must be of type String`);
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw new BotApiInputError(`${name} is empty`);
    return value;
  }

  int(name: string): number | undefined {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return undefined;
    const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!Number.isSafeInteger(number)) throw new BotApiInputError(`field "${name}" must be of type Integer`);
    return number;
  }

  requiredInt(name: string): number {
    const value = this.int(name);
    if (value === undefined) throw new BotApiInputError(`${name} is empty`);
    return value;
  }

  bool(name: string): boolean | undefined {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (value === true || value === 'true' || value === 'True' || value === '1' || value === 1) return true;
    if (value === false || value === 'false' || value === 'False' || value === '0' || value === 0) return false;
    throw new BotApiInputError(`field "${name}" must be of type Boolean`);
  }

  /** An object or array the bot sent as JSON, or as a JSON string in a form field. */
  json(name: string): unknown {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new BotApiInputError(`can't parse ${name} JSON object`);
    }
  }

  /** A file sent in the request under `name`, or one named by `attach://<field>`. */
  file(name: string): UploadedFile | undefined {
    const direct = this.files.get(name);
    if (direct !== undefined) return direct;
    const value = this.values[name];
    if (typeof value === 'string' && value.startsWith('attach://')) return this.files.get(value.slice('attach://'.length));
    return undefined;
  }
}

/** Reads the parameters of a call; throws BotApiInputError for a body that cannot be read. */
export async function readBotParams(request: IncomingMessage, url: URL): Promise<BotParams> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) values[key] = value;
  const files = new Map<string, UploadedFile>();
  if (request.method !== 'POST' && request.method !== 'PUT') return new BotParams(values, files);
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  const isMultipart = type.startsWith('multipart/form-data');
  const body = await readBody(request, isMultipart ? MAX_BOT_UPLOAD_BYTES + 1024 * 1024 : MAX_PLAIN_BODY_BYTES);
  if (body.length === 0) return new BotParams(values, files);
  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new BotApiInputError("can't parse JSON encoded request");
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BotApiInputError('JSON request must be an object');
    Object.assign(values, parsed);
  } else if (isMultipart) {
    let parts: FormPart[];
    try {
      parts = parseMultipart(body, request.headers['content-type']!);
    } catch (error) {
      if (error instanceof MultipartError) throw new BotApiInputError(`can't parse multipart/form-data request: ${error.message}`);
      throw error;
    }
    for (const part of parts) {
      if (part.filename === undefined) values[part.name] = part.body.toString('utf8');
      else {
        if (part.body.length > MAX_BOT_UPLOAD_BYTES) throw new BodyTooLargeError();
        files.set(part.name, { name: part.filename || part.name, mimeType: part.contentType || 'application/octet-stream', bytes: Buffer.from(part.body) });
      }
    }
  } else {
    // Telegram reads an untyped body as a form, which is what simple HTTP clients send.
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) values[key] = value;
  }
  return new BotParams(values, files);
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((done, fail) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) {
      request.resume();
      fail(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.destroy();
        fail(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => done(Buffer.concat(chunks)));
    request.on('error', fail);
  });
}
