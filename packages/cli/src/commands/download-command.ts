import { createHash } from 'node:crypto';
import { open, rm, stat, type FileHandle } from 'node:fs/promises';
import { RpcError, type FileInfo, type Message, type Peer } from '@samizdat/protocol';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { commandContext } from '../command-context.ts';
import { chooseDownloadPath, downloadName, moveIntoPlace, partialPath } from '../download-target.ts';
import { describeFsError } from '../file-handle-source.ts';
import { formatBytes, sanitize } from '../format.ts';
import { MESSAGE_REF_HELP, parseMessageRef } from '../message-ref.ts';
import { output } from '../output.ts';
import { resolvePeer, type MethodCaller } from '../peer.ts';
import { ProgressBar } from '../progress-bar.ts';
import { withSession, type Session } from '../session.ts';
import { abortOnStopSignal } from '../signals.ts';

/** Bytes read at a time when hashing the part of a file already on disk. */
const HASH_READ_BYTES = 1024 * 1024;

/** `samizdat download PEER:MESSAGE_ID`: saves the file of a message. */
export function downloadCommand(): Command {
  return new Command('download')
    .description('Save the photo, video, voice note or document of a message to a file; prints where it went')
    .argument('<message>', MESSAGE_REF_HELP)
    .option('--out <path>', "file or folder to save to (default: the file's own name in the current folder)")
    .addHelpText(
      'after',
      '\nAn existing file is never replaced: the name gets " (1)", " (2)" … instead. The bytes go to\n' +
        '"<name>.<hash>.part" first and are checked against the file\'s SHA-256 before it is renamed; a\n' +
        'download cut off (Ctrl-C, a lost connection) resumes from there when the same command runs again.\n' +
        'A progress bar is drawn on stderr when it is a terminal.\n' +
        '\nWith --json: {"path","messageId","chatId","file"} with the FileInfo.',
    )
    .action(async (reference: string, options: { out?: string }, command: Command) => {
      const context = commandContext(command);
      const { peerInput, messageId } = parseMessageRef(reference);
      await withSession(context, async (session) => {
        const { peer } = await resolvePeer(session.client, peerInput, session.user);
        const message = await findMessage(session.client, peer, messageId, reference);
        const file = message.media?.file;
        if (file === undefined) throw new RpcError('MEDIA_INVALID', `Cannot download ${reference}: message #${messageId} has no file`);
        const path = await saveFile(session, file, options.out);
        if (context.isJson) output.json({ path, messageId: message.id, chatId: message.chatId, file });
        else output.line(path);
      });
    });
}

/** The message `messageId` of the chat: the one history page that starts right after it. */
async function findMessage(caller: MethodCaller, peer: Peer, messageId: number, reference: string): Promise<Message> {
  const page = await caller.call('messages.getHistory', { peer, offsetId: messageId + 1, limit: 1 });
  const message = page.messages[0];
  if (message === undefined || message.id !== messageId) {
    throw new RpcError('MESSAGE_ID_INVALID', `Cannot download ${reference}: the chat has no message #${messageId}`);
  }
  return message;
}

/**
 * Streams the file to a partial file next to its destination (resuming one left by an earlier
 * run), checks the SHA-256, then moves it into place without replacing anything. Returns the path.
 */
async function saveFile(session: Session, file: FileInfo, out: string | undefined): Promise<string> {
  const path = await chooseDownloadPath(file, out, process.cwd());
  const partial = partialPath(path, file);
  const hash = createHash('sha256');
  let handle: FileHandle;
  let offset = 0;
  try {
    const existing = await sizeOrNull(partial);
    if (existing !== null && existing <= file.size) {
      handle = await open(partial, 'r+');
      offset = await hashPrefix(handle, existing, hash);
    } else {
      // No partial, or one longer than the file (not ours after all): start afresh.
      handle = await open(partial, 'w');
    }
  } catch (error) {
    throw new CliError('FILE_UNREADABLE', `Cannot write ${partial}: ${describeFsError(error)}`);
  }
  if (offset > 0) output.note(`Resuming from ${formatBytes(offset)} already in ${partial}`);

  const bar = new ProgressBar({ label: sanitize(downloadName(file)), stream: process.stderr });
  const controller = new AbortController();
  const removeHandlers = abortOnStopSignal(
    controller,
    () => new CliError('INTERRUPTED', `Cannot download: interrupted; what arrived is kept in ${partial} and the same command resumes from there`),
  );
  try {
    await session.client.downloadFile(
      file.id,
      async (bytes, at) => {
        // The SDK hands the bytes over in order, so the partial file is always a prefix of the file.
        await handle.write(bytes, 0, bytes.length, at);
        hash.update(bytes);
      },
      { size: file.size, offset, signal: controller.signal, onProgress: (done, total) => bar.update(done, total) },
    );
    bar.finish();
    await handle.sync();
  } catch (error) {
    bar.abandon();
    throw error;
  } finally {
    removeHandlers();
    await handle.close();
  }
  const digest = hash.digest('hex');
  if (digest !== file.sha256) {
    await rm(partial, { force: true });
    throw new RpcError('FILE_HASH_INVALID', `Cannot download file ${file.id}: the bytes received do not match its SHA-256; the partial file was removed, run the command again`);
  }
  return moveIntoPlace(partial, path);
}

/** Feeds the first `length` bytes of the open file to `hash`; returns how many it read. */
async function hashPrefix(handle: FileHandle, length: number, hash: ReturnType<typeof createHash>): Promise<number> {
  const buffer = new Uint8Array(Math.min(HASH_READ_BYTES, Math.max(1, length)));
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, length - done), done);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    done += bytesRead;
  }
  return done;
}

async function sizeOrNull(path: string): Promise<number | null> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats.size : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
