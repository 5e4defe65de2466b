import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes `text` to `path` so that readers see either the old file or the new one, never half of
 * it: a temporary file next to it (mode 0600, created exclusively), fsync, rename, then an fsync
 * of the folder. The folder is created with mode 0700 when missing. The profile's files carry a
 * session token and private keys, hence the modes. Throws Node's error as it is (the temporary
 * file removed); callers say which file of what failed.
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  const temporaryPath = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const handle = await open(temporaryPath, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      // Without the sync a crash after the rename could leave an empty file under the real name.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, path);
  } catch (error) {
    await unlink(temporaryPath).catch(() => {});
    throw error;
  }
  await syncFolder(dir);
}

/**
 * Makes a rename in `dir` durable. Not every platform can open a folder (Windows cannot); the file
 * is complete either way, so a failure here costs durability across a power loss only.
 */
export async function syncFolder(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // See above: best effort.
  }
}

/** Whether `error` is a Node system error (it has an errno `code`). */
export function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
