import { link, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { FileInfo } from '@samizdat/protocol';

/** Longest file name written, in characters (file systems allow 255 bytes; names may be multi-byte). */
const MAX_NAME_CHARS = 120;

/**
 * A name from the server that is safe to write in a folder: no folders (`/`, `\`), no control
 * characters, not `.` or `..`, not too long (the extension kept). Empty when nothing usable is left.
 */
export function safeFileName(name: string): string {
  // C0 and C1 control characters could drive a terminal that lists the folder; separators would leave it.
  const cleaned = name.replace(/[\u0000-\u001f\u007f-\u009f/\\]/g, '_').trim();
  if (cleaned === '' || /^\.+$/.test(cleaned)) return '';
  if (cleaned.length <= MAX_NAME_CHARS) return cleaned;
  const extension = extname(cleaned).slice(0, 16);
  return `${cleaned.slice(0, MAX_NAME_CHARS - extension.length)}${extension}`;
}

/** The name a downloaded file gets: its own, made safe, or `file-<id>` when it has none usable. */
export function downloadName(file: FileInfo): string {
  return safeFileName(file.name) || `file-${file.id.slice(0, 12)}`;
}

/** `photo.jpg` → `photo (1).jpg`; `archive.tar.gz` → `archive.tar (1).gz`; `README` → `README (1)`. */
export function numberedName(name: string, number: number): string {
  if (number === 0) return name;
  const extension = extname(name);
  const stem = extension === '' || extension === name ? name : name.slice(0, -extension.length);
  return `${stem} (${number})${stem === name ? '' : extension}`;
}

/**
 * Where a download goes: `out` (a folder, or a file path) or the current folder, under the
 * file's name, numbered (` (1)`, ` (2)` …) past any file already there: nothing is overwritten.
 */
export async function chooseDownloadPath(file: FileInfo, out: string | undefined, cwd: string): Promise<string> {
  return chooseDownloadPathFor(downloadName(file), out, cwd);
}

/** {@link chooseDownloadPath} for a file known by its (already safe) name only, as a secret chat's file is. */
export async function chooseDownloadPathFor(safeName: string, out: string | undefined, cwd: string): Promise<string> {
  let folder = cwd;
  let name = safeName;
  if (out !== undefined) {
    if (out.endsWith('/') || (await isDirectory(out))) folder = out;
    else {
      folder = dirname(out);
      name = basename(out);
    }
  }
  for (let number = 0; ; number += 1) {
    const candidate = join(folder, numberedName(name, number));
    if (!(await exists(candidate))) return candidate;
  }
}

/**
 * The partial file a download into `path` writes first: named after the content's hash, so a
 * rerun resumes only a partial of the very same file.
 */
export function partialPath(path: string, file: FileInfo): string {
  return `${path}.${file.sha256.slice(0, 12)}.part`;
}

/**
 * Moves a finished partial file to `path` without replacing anything that appeared there
 * meanwhile: a hard link fails on an existing name, where a rename would overwrite it. Returns the
 * path used (numbered past a newcomer).
 */
export async function moveIntoPlace(partial: string, path: string): Promise<string> {
  const name = basename(path);
  const folder = dirname(path);
  for (let number = 0; ; number += 1) {
    const candidate = join(folder, numberedName(name, number));
    try {
      await link(partial, candidate);
      await unlink(partial);
      return candidate;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      // File systems without hard links: check, then rename (a narrow race, but no silent overwrite in practice).
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EXDEV') {
        if (await exists(candidate)) continue;
        await rename(partial, candidate);
        return candidate;
      }
      throw error;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
