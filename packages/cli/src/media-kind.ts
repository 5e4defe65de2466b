import type { MediaKind } from '@samizdat/protocol';
import { extname } from 'node:path';

/** MIME types by lowercase file extension (without the dot), for the kinds of files people send. */
const MIME_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  svg: 'image/svg+xml',
  bmp: 'image/bmp',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/opus',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  wav: 'audio/wav',
  flac: 'audio/flac',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  json: 'application/json',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  html: 'text/html',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The MIME type a file's extension suggests; `application/octet-stream` when it suggests none. */
export function guessMimeType(path: string): string {
  return MIME_TYPES[extensionOf(path)] ?? 'application/octet-stream';
}

/** The kinds `--kind` accepts. */
export const MEDIA_KINDS = ['photo', 'video', 'voice', 'document'] as const satisfies readonly MediaKind[];

const PHOTO_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'webp', 'gif']);
const VIDEO_EXTENSIONS = new Set(['mp4', 'mov', 'webm']);
const VOICE_EXTENSIONS = new Set(['ogg', 'oga', 'opus']);
const PHOTO_MIME_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);
const VIDEO_MIME_TYPES = new Set(['video/mp4', 'video/quicktime', 'video/webm']);
const VOICE_MIME_TYPES = new Set(['audio/ogg', 'audio/opus']);

/**
 * How a file is sent when `--kind` is not given: jpg/jpeg/png/webp/gif as a photo, mp4/mov/webm as
 * a video, ogg/oga/opus as a voice note, anything else as a document. The extension decides; a
 * file without a known one goes by `mimeType`.
 */
export function guessMediaKind(path: string, mimeType?: string): MediaKind {
  const extension = extensionOf(path);
  if (PHOTO_EXTENSIONS.has(extension)) return 'photo';
  if (VIDEO_EXTENSIONS.has(extension)) return 'video';
  if (VOICE_EXTENSIONS.has(extension)) return 'voice';
  if (extension !== '' && MIME_TYPES[extension] !== undefined) return 'document';
  const mime = mimeType?.toLowerCase().split(';')[0]?.trim() ?? '';
  if (PHOTO_MIME_TYPES.has(mime)) return 'photo';
  if (VIDEO_MIME_TYPES.has(mime)) return 'video';
  if (VOICE_MIME_TYPES.has(mime)) return 'voice';
  return 'document';
}

function extensionOf(path: string): string {
  return extname(path).slice(1).toLowerCase();
}
