import { blobSource, generateRandomId, type SamizdatClient } from '@samizdat/client';
import type { InputMedia, MediaKind, Peer } from '@samizdat/protocol';

/** The part of the SDK the queue uses, so that tests can hand it a fake. */
export type UploadClient = Pick<SamizdatClient, 'uploadFile'>;

/** Where a finished upload goes: `ChatStore.sendMedia`. */
export interface MediaSender {
  sendMedia(peer: Peer, media: InputMedia, caption: string): Promise<void>;
}

/** One file on its way to the server, as the conversation shows it. */
export interface UploadItem {
  /** Local id, for cancelling. */
  id: string;
  /** The conversation it is for (`ResolvedTarget.key`). */
  targetKey: string;
  name: string;
  mimeType: string;
  kind: MediaKind;
  /** Bytes the server holds so far, of `size`. */
  sentBytes: number;
  size: number;
  /** Why it failed (cancelled uploads leave the queue instead), or null while it runs. */
  error: string | null;
}

/** What {@link UploadQueue.add} needs besides the bytes. */
export interface AddUploadOptions {
  peer: Peer;
  targetKey: string;
  /** @default the file's name, or "file" */
  name?: string;
  /** @default the blob's type, or application/octet-stream */
  mimeType?: string;
  /** @default {@link mediaKindOf} the MIME type */
  kind?: MediaKind;
  /** @default '' */
  caption?: string;
  /** Extra fields of the sent media (a voice note's duration and waveform, a video's size). */
  media?: Pick<InputMedia, 'width' | 'height' | 'duration' | 'waveform'>;
}

/** Image types the server decodes for a thumbnail; other images go as documents. */
const PHOTO_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/bmp', 'image/tiff']);
const MIN_PART_BYTES = 64 * 1024;
const MAX_PART_BYTES = 512 * 1024;
/** Aim for at least this many parts, so that progress moves in visible steps. */
const TARGET_PARTS = 16;

/** How a file of this MIME type is sent: images the server can read as photos, videos as videos, the rest as documents. */
export function mediaKindOf(mimeType: string): MediaKind {
  if (PHOTO_TYPES.has(mimeType.toLowerCase())) return 'photo';
  if (mimeType.toLowerCase().startsWith('video/')) return 'video';
  return 'document';
}

/** A power of two from 64 KiB to 512 KiB giving about {@link TARGET_PARTS} parts. */
export function partSizeFor(size: number): number {
  let partSize = MIN_PART_BYTES;
  while (partSize < MAX_PART_BYTES && partSize * TARGET_PARTS < size) partSize *= 2;
  return partSize;
}

/**
 * The uploads of the signed-in account ([WEB20]): each file goes up through the SDK with its
 * progress shown, can be cancelled (its `AbortSignal`) and, once stored, is handed to the
 * {@link MediaSender}, which puts it in the outbox. A failed upload stays, marked, until dismissed.
 * Screens read it with `useSyncExternalStore`.
 */
export class UploadQueue {
  readonly #client: UploadClient;
  readonly #sender: MediaSender;
  readonly #listeners = new Set<() => void>();
  readonly #controllers = new Map<string, AbortController>();
  #items: readonly UploadItem[] = [];
  #onError: (error: unknown) => void;

  constructor(client: UploadClient, sender: MediaSender, options: { onError?: (error: unknown) => void } = {}) {
    this.#client = client;
    this.#sender = sender;
    this.#onError = options.onError ?? (() => {});
  }

  /** For `useSyncExternalStore`. */
  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** For `useSyncExternalStore`: the same array until something changes. */
  getSnapshot = (): readonly UploadItem[] => this.#items;

  /**
   * Starts uploading `file`; resolves once it is sent to the outbox (or failed, or was cancelled)
   * with the upload's id, which {@link UploadQueue.cancel} takes, already known to `getSnapshot`.
   */
  add(file: Blob, options: AddUploadOptions): { id: string; done: Promise<void> } {
    const id = generateRandomId();
    const name = options.name ?? (file instanceof File && file.name !== '' ? file.name : 'file');
    const mimeType = options.mimeType ?? (file.type === '' ? 'application/octet-stream' : file.type);
    const kind = options.kind ?? mediaKindOf(mimeType);
    const item: UploadItem = { id, targetKey: options.targetKey, name, mimeType, kind, sentBytes: 0, size: file.size, error: null };
    const controller = new AbortController();
    this.#controllers.set(id, controller);
    this.#set([...this.#items, item]);
    const done = this.#run(id, file, { ...options, name, mimeType, kind }, controller.signal);
    return { id, done };
  }

  /** Stops an upload and drops it from view; a failed one is just dropped. */
  cancel(id: string): void {
    this.#controllers.get(id)?.abort(new DOMException('The upload was cancelled', 'AbortError'));
    this.#controllers.delete(id);
    this.#set(this.#items.filter((item) => item.id !== id));
  }

  async #run(id: string, file: Blob, options: AddUploadOptions & { name: string; mimeType: string; kind: MediaKind }, signal: AbortSignal): Promise<void> {
    try {
      const stored = await this.#client.uploadFile(blobSource(file), {
        name: options.name,
        mimeType: options.mimeType,
        partSize: partSizeFor(file.size),
        signal,
        onProgress: (sentBytes) => this.#update(id, { sentBytes }),
      });
      if (signal.aborted) return;
      this.#controllers.delete(id);
      // Leaving the queue and entering the outbox in one step: the pending bubble takes over.
      this.#set(this.#items.filter((item) => item.id !== id));
      const media: InputMedia = { fileId: stored.id, kind: options.kind, ...options.media };
      await this.#sender.sendMedia(options.peer, media, options.caption ?? '');
    } catch (error) {
      if (signal.aborted) return;
      this.#controllers.delete(id);
      this.#update(id, { error: error instanceof Error ? error.message : String(error) });
      this.#onError(error);
    }
  }

  #update(id: string, change: Partial<UploadItem>): void {
    if (!this.#items.some((item) => item.id === id)) return;
    this.#set(this.#items.map((item) => (item.id === id ? { ...item, ...change } : item)));
  }

  #set(items: readonly UploadItem[]): void {
    this.#items = items;
    for (const listener of this.#listeners) listener();
  }
}
