import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RpcError, type FileInfo, type InputMedia, type Media } from '@samizdat/protocol';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { memberState, isPublic } from '../chats/permissions.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { Database, FilesTable } from '../storage/database.ts';
import type { ContentStore } from './content-store.ts';
import { renderFile } from './upload-service.ts';

/** Photos larger than this are stored but not decoded for a thumbnail. */
const MAX_DECODED_PHOTO_BYTES = 20 * 1024 * 1024;
const THUMBNAIL_SIDE = 320;

/**
 * Who may read a file, and the media of messages: a file is readable by its uploader and by anyone
 * who may read a chat where it was sent. Photos are measured and get a thumbnail once.
 */
export class FileService {
  constructor(private readonly deps: { db: Kysely<Database>; store: ContentStore; clock: Clock; logger: Logger; tempDir: string }) {}

  /** The file, if `userId` may read it; `FILE_ID_INVALID` otherwise (whether it exists is not for others to learn). */
  async readable(userId: number, fileId: string): Promise<Selectable<FilesTable>> {
    const file = await this.deps.db.selectFrom('files').selectAll().where('id', '=', fileId).executeTakeFirst();
    if (file === undefined) throw new RpcError('FILE_ID_INVALID', 'Cannot read file: no such file');
    if (file.owner_id === userId) return file;
    const granted = await this.deps.db.selectFrom('file_grants').select('user_id').where('file_id', '=', fileId).where('user_id', '=', userId).executeTakeFirst();
    if (granted !== undefined) return file;
    // A thumbnail is readable wherever the photo it belongs to is.
    const parents = await this.deps.db.selectFrom('files').select('id').where('thumbnail_id', '=', fileId).execute();
    const ids = [file.id, ...parents.map((p) => p.id)];
    const places = await this.deps.db.selectFrom('message_media').select('chat_id').distinct().where('file_id', 'in', ids).execute();
    const now = unixSeconds(this.deps.clock);
    for (const { chat_id: chatId } of places) {
      const chat = await this.deps.db.selectFrom('chats').selectAll().where('id', '=', chatId).executeTakeFirstOrThrow();
      const state = await memberState(this.deps.db, chatId, userId, now);
      if (state.role !== null || (chat.type !== 'private' && isPublic(chat) && !state.isBanned && chat.blocked_category === null)) return file;
    }
    throw new RpcError('FILE_ID_INVALID', 'Cannot read file: no such file');
  }

  /**
   * Lets `userIds` read a file the caller uploaded: how a secret chat's attachment, ciphertext sent
   * in no cloud chat, reaches the peer. Only the uploader may grant.
   */
  async grant(ownerId: number, fileId: string, userIds: number[]): Promise<void> {
    const file = await this.deps.db.selectFrom('files').select('owner_id').where('id', '=', fileId).executeTakeFirst();
    if (file === undefined || file.owner_id !== ownerId) throw new RpcError('FILE_ID_INVALID', 'Cannot grant access to file: no such file of yours');
    await this.deps.db.insertInto('file_grants').values(userIds.map((userId) => ({ file_id: fileId, user_id: userId }))).onConflict((oc) => oc.doNothing()).execute();
  }

  /** What a message shows of an attached file; the sender must be able to read the file. */
  async media(senderId: number, input: InputMedia): Promise<Media> {
    const file = await this.readable(senderId, input.fileId);
    const measured = input.kind === 'photo' ? await this.#measurePhoto(file) : null;
    return {
      kind: input.kind,
      file: renderFile(file),
      width: measured?.width ?? input.width ?? null,
      height: measured?.height ?? input.height ?? null,
      duration: input.kind === 'video' || input.kind === 'voice' ? (input.duration ?? null) : null,
      waveform: input.kind === 'voice' ? (input.waveform ?? null) : null,
      thumbnail: measured?.thumbnail ?? null,
    };
  }

  /** Records that a message carries a file, so its chat's readers may read it. */
  async attach(trx: Transaction<Database>, media: Media, where: { chatId: number; messageId: number }): Promise<void> {
    await trx.insertInto('message_media').values({ file_id: media.file.id, chat_id: where.chatId, message_id: where.messageId }).onConflict((oc) => oc.doNothing()).execute();
  }

  async #measurePhoto(file: Selectable<FilesTable>): Promise<{ width: number; height: number; thumbnail: FileInfo | null } | null> {
    if (file.width !== null && file.height !== null) {
      const thumbnail = file.thumbnail_id === null ? null : await this.deps.db.selectFrom('files').selectAll().where('id', '=', file.thumbnail_id).executeTakeFirst();
      return { width: file.width, height: file.height, thumbnail: thumbnail === undefined || thumbnail === null ? null : renderFile(thumbnail) };
    }
    if (!file.mime_type.startsWith('image/') || file.size > MAX_DECODED_PHOTO_BYTES) {
      throw new RpcError('MEDIA_INVALID', `Cannot send file ${file.id} as a photo: it is ${file.mime_type}, ${file.size} bytes; send it as a document`);
    }
    // Loaded on the first photo, not at start: the image library alone takes longer to load than the rest of the server.
    const { Jimp } = await import('jimp');
    let image: Awaited<ReturnType<typeof Jimp.read>>;
    try {
      image = await Jimp.read(Buffer.from(await this.deps.store.readSlice(file.sha256, 0, file.size)));
    } catch {
      throw new RpcError('MEDIA_INVALID', `Cannot send file ${file.id} as a photo: it is not an image the server can read`);
    }
    const { width, height } = image;
    const scale = Math.min(1, THUMBNAIL_SIDE / Math.max(width, height));
    const bytes = await image.resize({ w: Math.max(1, Math.round(width * scale)), h: Math.max(1, Math.round(height * scale)) }).getBuffer('image/jpeg', { quality: 70 });
    const thumbnail = await this.storeBytes(bytes, { name: `thumb-${file.name}.jpg`, mimeType: 'image/jpeg', ownerId: file.owner_id });
    await this.deps.db.updateTable('files').set({ width, height, thumbnail_id: thumbnail.id }).where('id', '=', file.id).execute();
    return { width, height, thumbnail };
  }

  /** Stores bytes the server already holds (thumbnails, files a bot uploaded in its call) as a file of `ownerId`. */
  async storeBytes(bytes: Buffer, meta: { name: string; mimeType: string; ownerId: number }): Promise<FileInfo> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const temp = join(this.deps.tempDir, `${randomBytes(8).toString('hex')}.tmp`);
    await writeFile(temp, bytes);
    await this.deps.store.adopt(temp, sha256);
    const row = await this.deps.db
      .insertInto('files')
      .values({ id: randomBytes(16).toString('hex'), sha256, size: bytes.length, name: meta.name, mime_type: meta.mimeType, owner_id: meta.ownerId, created_at: unixSeconds(this.deps.clock) })
      .returningAll()
      .executeTakeFirstOrThrow();
    return renderFile(row);
  }
}
