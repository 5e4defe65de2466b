import type { FileSource } from '@samizdat/client';
import { open, type FileHandle } from 'node:fs/promises';
import { CliError } from './cli-error.ts';

/** A {@link FileSource} over an open file, and the way to close it. */
export interface OpenedFileSource {
  source: FileSource;
  close(): Promise<void>;
}

/**
 * Opens a regular file for upload: the SDK reads it part by part through the handle (positioned
 * reads), so no more than a few parts are ever in memory. Fails with `FILE_UNREADABLE` when the
 * path is missing, unreadable, not a regular file or empty (the server stores 1 byte or more).
 */
export async function openFileSource(path: string): Promise<OpenedFileSource> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new CliError('FILE_UNREADABLE', `Cannot read file ${path}: ${describeFsError(error)}`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new CliError('FILE_UNREADABLE', `Cannot read file ${path}: not a regular file`);
    if (stats.size === 0) throw new CliError('FILE_UNREADABLE', `Cannot send file ${path}: it is empty`);
    const size = stats.size;
    const source: FileSource = {
      size,
      async read(offset, length) {
        const bytes = new Uint8Array(length);
        let filled = 0;
        // A positioned read may return fewer bytes than asked; a short file (it shrank) returns 0.
        while (filled < length) {
          const { bytesRead } = await handle.read(bytes, filled, length - filled, offset + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return filled === length ? bytes : bytes.subarray(0, filled);
      },
    };
    return { source, close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** `no such file or directory (ENOENT)`, or the message of anything else. */
export function describeFsError(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    const reason = error.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
    return `${reason} (${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}
