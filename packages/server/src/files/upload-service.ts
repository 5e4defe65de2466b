import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MAX_FILE_PART_BYTES, MIN_FILE_PART_BYTES, RpcError, type FileInfo, type MethodParams, type MethodResult } from '@samizdat/protocol';
import type { Kysely, Selectable } from 'kysely';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { Database, FilesTable, UploadsTable } from '../storage/database.ts';
import type { ContentStore } from './content-store.ts';

/** How long an unfinished upload waits for its parts before they are reclaimed. */
export const UPLOAD_LIFETIME_SECONDS = 24 * 3600;

type UploadState = MethodResult<'files.startUpload'>;

export function renderFile(row: Selectable<FilesTable>): FileInfo {
  return { id: row.id, size: row.size, mimeType: row.mime_type, name: row.name, sha256: row.sha256 };
}

/**
 * Uploads in parts (any order, in parallel, resumable), each part checked against its SHA-256,
 * the whole against its own, then stored once by content. Nothing is ever held whole in memory:
 * parts stream to disk and the whole is hashed while it is joined.
 */
export class UploadService {
  readonly #completing = new Map<string, Promise<FileInfo>>();

  constructor(
    private readonly deps: { db: Kysely<Database>; store: ContentStore; uploadsDir: string; clock: Clock; logger: Logger; maxFileBytes: number },
  ) {}

  async start(ownerId: number, params: MethodParams<'files.startUpload'>): Promise<UploadState> {
    if (params.size > this.deps.maxFileBytes) {
      throw new RpcError('FILE_TOO_BIG', `Cannot upload: the file is ${params.size} bytes, this server takes at most ${this.deps.maxFileBytes}`);
    }
    const { partSize } = params;
    if (partSize < MIN_FILE_PART_BYTES || partSize > MAX_FILE_PART_BYTES || (partSize & (partSize - 1)) !== 0) {
      throw new RpcError('FILE_PART_SIZE_INVALID', `Cannot upload in parts of ${partSize} bytes: use a power of two from 1 KiB to 512 KiB`);
    }
    const now = unixSeconds(this.deps.clock);
    const row = await this.deps.db
      .insertInto('uploads')
      .values({
        id: randomBytes(16).toString('hex'),
        owner_id: ownerId,
        size: params.size,
        part_size: partSize,
        part_count: Math.ceil(params.size / partSize),
        name: (params.name ?? 'file').replace(/[\u0000-\u001f/\\]/g, '_').slice(0, 255) || 'file',
        mime_type: params.mimeType ?? 'application/octet-stream',
        created_at: now,
        expires_at: now + UPLOAD_LIFETIME_SECONDS,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await mkdir(this.#dir(row.id), { recursive: true });
    return this.#state(row, []);
  }

  async state(ownerId: number, uploadId: string): Promise<UploadState> {
    const upload = await this.#upload(ownerId, uploadId);
    if (upload.file_id !== null) return this.#state(upload, Array.from({ length: upload.part_count }, (_, i) => i));
    return this.#state(upload, await this.#storedParts(upload.id));
  }

  /**
   * The parts on disk. A part's file appears (by rename) only once it was checked, so the folder
   * is the record: no database commit per part, which for a 2 GB upload would be 4,096 disk syncs.
   */
  async #storedParts(uploadId: string): Promise<number[]> {
    const names = await readdir(this.#dir(uploadId)).catch(() => [] as string[]);
    return names.filter((name) => /^\d+$/.test(name)).map(Number).sort((a, b) => a - b);
  }

  /**
   * Stores one part from a stream. A part that is longer than its place allows is cut off as soon
   * as it overflows; one whose bytes do not match `sha256` changes nothing stored.
   */
  async putPart(ownerId: number, uploadId: string, index: number, sha256: string, body: Readable): Promise<void> {
    const upload = await this.#upload(ownerId, uploadId);
    if (upload.file_id !== null) return;
    if (!Number.isInteger(index) || index < 0 || index >= upload.part_count) {
      throw new RpcError('FILE_PART_INVALID', `Cannot store part ${index}: this upload has parts 0 to ${upload.part_count - 1}`);
    }
    const expected = index < upload.part_count - 1 ? upload.part_size : upload.size - upload.part_size * (upload.part_count - 1);
    const temp = join(this.#dir(upload.id), `${index}.${randomBytes(4).toString('hex')}.tmp`);
    const hash = createHash('sha256');
    let received = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (received > expected) return done(new RpcError('FILE_PART_INVALID', `Cannot store part ${index}: it is longer than ${expected} bytes`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(temp));
      if (received !== expected) throw new RpcError('FILE_PART_INVALID', `Cannot store part ${index}: it is ${received} bytes, expected ${expected}`);
      if (hash.digest('hex') !== sha256.toLowerCase()) throw new RpcError('FILE_PART_HASH_INVALID', `Cannot store part ${index}: its bytes do not match the SHA-256 given`);
      await rename(temp, this.#partPath(upload.id, index));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /**
   * Joins the parts, checks the whole hash, and stores the content once. Idempotent: a repeat (a
   * client whose answer was lost) gets the same file, and a repeat while the join runs waits for it.
   */
  async complete(ownerId: number, params: MethodParams<'files.completeUpload'>): Promise<FileInfo> {
    const running = this.#completing.get(params.uploadId);
    if (running !== undefined) return running;
    const completing = this.#complete(ownerId, params)
      .catch(async (error: unknown) => {
        // Another worker finished the same upload meanwhile and took its parts away: its file is the answer.
        if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
        const finished = await this.#finished(ownerId, params);
        if (finished === null) throw error;
        return finished;
      })
      .finally(() => this.#completing.delete(params.uploadId));
    this.#completing.set(params.uploadId, completing);
    return completing;
  }

  /** The file a finished upload made, or null while it is not finished. */
  async #finished(ownerId: number, params: MethodParams<'files.completeUpload'>): Promise<FileInfo | null> {
    const upload = await this.#upload(ownerId, params.uploadId);
    if (upload.file_id === null) return null;
    const done = await this.deps.db.selectFrom('files').selectAll().where('id', '=', upload.file_id).executeTakeFirstOrThrow();
    if (done.sha256 !== params.sha256.toLowerCase()) throw new RpcError('FILE_HASH_INVALID', 'Cannot finish upload: it was finished with another SHA-256');
    return renderFile(done);
  }

  async #complete(ownerId: number, params: MethodParams<'files.completeUpload'>): Promise<FileInfo> {
    const finished = await this.#finished(ownerId, params);
    if (finished !== null) return finished;
    const upload = await this.#upload(ownerId, params.uploadId);
    const parts = await this.#storedParts(upload.id);
    if (parts.length !== upload.part_count) {
      throw new RpcError('FILE_PARTS_MISSING', `Cannot finish upload: ${upload.part_count - parts.length} of ${upload.part_count} parts have not arrived`);
    }
    // Named per call: two workers may join the same upload at once (a retry that reached the other one).
    const joined = join(this.#dir(upload.id), `joined-${randomBytes(6).toString('hex')}.tmp`);
    const hash = createHash('sha256');
    const out = createWriteStream(joined);
    try {
      for (let index = 0; index < upload.part_count; index++) {
        for await (const chunk of createReadStream(this.#partPath(upload.id, index))) {
          hash.update(chunk as Buffer);
          if (!out.write(chunk)) await once(out, 'drain');
        }
      }
    } finally {
      await new Promise<void>((done, fail) => out.end((error?: Error | null) => (error ? fail(error) : done())));
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== params.sha256.toLowerCase()) {
      await rm(joined, { force: true });
      throw new RpcError('FILE_HASH_INVALID', 'Cannot finish upload: the joined parts do not match the SHA-256 given');
    }
    await this.deps.store.adopt(joined, sha256);
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('uploads').select('file_id').where('id', '=', upload.id).executeTakeFirstOrThrow();
      if (current.file_id !== null) return trx.selectFrom('files').selectAll().where('id', '=', current.file_id).executeTakeFirstOrThrow();
      const file = await trx
        .insertInto('files')
        .values({ id: randomBytes(16).toString('hex'), sha256, size: upload.size, name: upload.name, mime_type: upload.mime_type, owner_id: ownerId, created_at: unixSeconds(this.deps.clock) })
        .returningAll()
        .executeTakeFirstOrThrow();
      // The upload stays, finished, until it expires: a repeated complete answers with this file.
      await trx.updateTable('uploads').set({ file_id: file.id }).where('id', '=', upload.id).execute();
      return file;
    });
    await rm(this.#dir(upload.id), { recursive: true, force: true });
    this.deps.logger.log('info', 'files.stored', { fileId: row.id, size: row.size });
    return renderFile(row);
  }

  /** Reclaims the parts of uploads that were not finished in time. */
  async sweepExpired(): Promise<number> {
    const now = unixSeconds(this.deps.clock);
    const expired = await this.deps.db.selectFrom('uploads').select('id').where('expires_at', '<=', now).execute();
    for (const { id } of expired) {
      await this.deps.db.deleteFrom('uploads').where('id', '=', id).execute();
      await rm(this.#dir(id), { recursive: true, force: true });
    }
    // Folders left by a crash between the database and the disk go too.
    const known = new Set((await this.deps.db.selectFrom('uploads').select('id').execute()).map((row) => row.id));
    for (const name of await readdir(this.deps.uploadsDir).catch(() => [] as string[])) {
      if (!known.has(name)) await rm(join(this.deps.uploadsDir, name), { recursive: true, force: true });
    }
    return expired.length;
  }

  async #upload(ownerId: number, uploadId: string): Promise<Selectable<UploadsTable>> {
    const upload = await this.deps.db.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirst();
    if (upload === undefined || upload.owner_id !== ownerId || upload.expires_at <= unixSeconds(this.deps.clock)) {
      throw new RpcError('UPLOAD_ID_INVALID', 'Cannot use this upload: it is unknown, not yours, or expired');
    }
    return upload;
  }

  #state(upload: Selectable<UploadsTable>, receivedParts: number[]): UploadState {
    return { uploadId: upload.id, size: upload.size, partSize: upload.part_size, partCount: upload.part_count, receivedParts, expiresAt: upload.expires_at };
  }

  #dir(uploadId: string): string {
    if (!/^[0-9a-f]{32}$/.test(uploadId)) throw new RpcError('UPLOAD_ID_INVALID', 'Cannot use this upload: the id is malformed');
    return join(this.deps.uploadsDir, uploadId);
  }

  #partPath(uploadId: string, index: number): string {
    return join(this.#dir(uploadId), String(index));
  }
}
