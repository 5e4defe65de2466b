import { basename } from 'node:path';
import { MAX_CAPTION_LENGTH, RpcError, type FileInfo, type MediaKind } from '@samizdat/protocol';
import { Command, Option } from 'commander';
import { CliError } from '../cli-error.ts';
import { commandContext } from '../command-context.ts';
import { openFileSource } from '../file-handle-source.ts';
import { guessMediaKind, guessMimeType, MEDIA_KINDS } from '../media-kind.ts';
import { output } from '../output.ts';
import { PEER_HELP, resolvePeer } from '../peer.ts';
import { ProgressBar } from '../progress-bar.ts';
import { formatSeconds, withSession, withTimeout, type Session } from '../session.ts';
import { abortOnStopSignal } from '../signals.ts';
import { readCaptionArgument } from '../text-input.ts';
import { printSent } from './send-command.ts';

interface SendFileOptions {
  caption?: string;
  kind?: MediaKind;
  uploadId?: string;
  randomId?: string;
}

/** `samizdat send-file PEER PATH`: uploads a file and sends it as a photo, video, voice note or document. */
export function sendFileCommand(): Command {
  return new Command('send-file')
    .description('Upload a file and send it as a photo, video, voice note or document; prints the id of the stored message')
    .argument('<peer>', PEER_HELP)
    .argument('<path>', 'the file to send')
    .option('--caption <text>', `text shown with the file, up to ${MAX_CAPTION_LENGTH} characters; - reads it from stdin`)
    .addOption(new Option('--kind <kind>', 'how the file is shown (default: from its extension)').choices(MEDIA_KINDS))
    .option('--upload-id <id>', 'resume an interrupted upload of the same file (the id the interrupted run printed)')
    .option('--random-id <id>', 'idempotency key: sending again with the same key stores the message once')
    .addHelpText(
      'after',
      '\nWithout --kind: jpg, jpeg, png, webp, gif are sent as a photo; mp4, mov, webm as a video; ogg, oga,\n' +
        'opus as a voice note; anything else as a document. The file is read part by part, never whole.\n' +
        'A progress bar is drawn on stderr when it is a terminal. Ctrl-C stops the upload and prints how to resume it.\n' +
        '\nWith --json: the stored Message object.',
    )
    .action(async (peerInput: string, path: string, options: SendFileOptions, command: Command) => {
      const context = commandContext(command);
      const caption = await readCaptionArgument(options.caption);
      // Opened before connecting, so that a wrong path fails at once.
      const opened = await openFileSource(path);
      try {
        await withSession(context, async (session) => {
          const { peer } = await resolvePeer(session.client, peerInput, session.user);
          const mimeType = guessMimeType(path);
          const kind = options.kind ?? guessMediaKind(path, mimeType);
          const file = await upload(session, opened.source, { path, peerInput, mimeType, uploadId: options.uploadId });
          const message = await withTimeout(
            session.client.sendMedia(peer, { fileId: file.id, kind }, caption, options.randomId === undefined ? {} : { randomId: options.randomId }),
            context.timeoutMs,
            () =>
              new CliError(
                'CONNECTION_FAILED',
                `Cannot send file: no answer within ${formatSeconds(context.timeoutMs)}; the upload is done and the message stays queued in the profile and goes out on the next run`,
              ),
          );
          printSent(context, message);
        });
      } finally {
        await opened.close();
      }
    });
}

/**
 * Uploads with a progress bar; Ctrl-C aborts cleanly. An upload that fails after it started says
 * on stderr how to resume it, which sends only the parts the server lacks.
 */
async function upload(
  session: Session,
  source: Parameters<Session['client']['uploadFile']>[0],
  options: { path: string; peerInput: string; mimeType: string; uploadId: string | undefined },
): Promise<FileInfo> {
  const name = basename(options.path);
  const bar = new ProgressBar({ label: name, stream: process.stderr });
  const controller = new AbortController();
  let uploadId = options.uploadId;
  const removeHandlers = abortOnStopSignal(controller, () => new CliError('INTERRUPTED', 'Cannot send file: interrupted'));
  try {
    const file = await session.client.uploadFile(source, {
      name,
      mimeType: options.mimeType,
      signal: controller.signal,
      ...(options.uploadId === undefined ? {} : { uploadId: options.uploadId }),
      onStarted: (state) => (uploadId = state.uploadId),
      onProgress: (sent, total) => bar.update(sent, total),
    });
    bar.finish();
    return file;
  } catch (error) {
    bar.abandon();
    const isResumable = !(error instanceof RpcError && (error.code === 'UPLOAD_ID_INVALID' || error.code === 'FILE_TOO_BIG' || error.code === 'FILE_HASH_INVALID'));
    if (uploadId !== undefined && isResumable) {
      output.note(`To resume the upload: samizdat send-file ${shellQuote(options.peerInput)} ${shellQuote(options.path)} --upload-id ${uploadId}`);
    }
    throw error;
  } finally {
    removeHandlers();
  }
}

/** A word as a POSIX shell reads it back: as it is when plain, else in single quotes. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
