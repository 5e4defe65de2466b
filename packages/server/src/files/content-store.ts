import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where file bytes live, by the SHA-256 of their content, so identical files are stored once. The
 * local-disk store is the default; an S3-compatible store can implement the same four operations.
 */
export interface ContentStore {
  has(sha256: string): Promise<boolean>;
  /** Moves a finished temporary file into the store under its hash (or drops it when the content is there already). */
  adopt(tempPath: string, sha256: string): Promise<void>;
  /** A stream of bytes `start`…`end` (inclusive) of the content. */
  read(sha256: string, range?: { start: number; end: number }): ReadStream;
  readSlice(sha256: string, offset: number, length: number): Promise<Uint8Array>;
}

/** Content-addressed files under `<root>/ab/cd/<sha256>`. */
export class LocalContentStore implements ContentStore {
  constructor(private readonly root: string) {}

  #path(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`Not a SHA-256: ${sha256.slice(0, 80)}`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.#path(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async adopt(tempPath: string, sha256: string): Promise<void> {
    const target = this.#path(sha256);
    if (await this.has(sha256)) {
      await rm(tempPath, { force: true });
      return;
    }
    await mkdir(join(target, '..'), { recursive: true });
    await rename(tempPath, target);
  }

  read(sha256: string, range?: { start: number; end: number }): ReadStream {
    return createReadStream(this.#path(sha256), range === undefined ? {} : { start: range.start, end: range.end });
  }

  async readSlice(sha256: string, offset: number, length: number): Promise<Uint8Array> {
    const handle = await open(this.#path(sha256), 'r');
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
}
