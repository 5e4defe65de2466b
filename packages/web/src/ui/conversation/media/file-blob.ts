import type { FileInfo } from '@samizdat/protocol';
import { useEffect, useState } from 'react';
import { useMediaServices, type MediaClient } from './media-context.tsx';

/** Object URLs of files fetched this page's life, by file id; bounded so that a long scroll does not keep every photo. */
const urlCache = new Map<string, Promise<string>>();
const MAX_CACHED_URLS = 300;

/**
 * Fetches a file's bytes through the SDK into a `Blob` ([WEB21]): the HTTP endpoint needs the
 * session's `Authorization` header, which an `<img src>` cannot send.
 */
export async function downloadBlob(client: MediaClient, file: FileInfo, options: { onProgress?: (fraction: number) => void; signal?: AbortSignal } = {}): Promise<Blob> {
  const chunks: Uint8Array[] = [];
  await client.downloadFile(file.id, (bytes) => void chunks.push(bytes.slice()), {
    size: file.size,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onProgress: (received, total) => options.onProgress?.(total === 0 ? 1 : received / total),
  });
  return new Blob(chunks as BlobPart[], { type: file.mimeType });
}

/** An object URL of the file's bytes, fetched once per page life and shared by every component showing it. */
export function fileObjectUrl(client: MediaClient, file: FileInfo): Promise<string> {
  let url = urlCache.get(file.id);
  if (url === undefined) {
    url = downloadBlob(client, file).then((blob) => URL.createObjectURL(blob));
    urlCache.set(file.id, url);
    url.catch(() => urlCache.delete(file.id));
    if (urlCache.size > MAX_CACHED_URLS) {
      // Forget the oldest; its object URL is revoked only after a while, as it may still be on screen.
      const [oldestId, oldest] = urlCache.entries().next().value as [string, Promise<string>];
      urlCache.delete(oldestId);
      void oldest.then((stale) => setTimeout(() => URL.revokeObjectURL(stale), 60_000), () => {});
    }
  }
  return url;
}

/** The object URL of `file` once fetched (null before, or when `file` is null), and the error if it failed. */
export function useFileUrl(file: FileInfo | null): { url: string | null; error: string | null } {
  const { client } = useMediaServices();
  const [state, setState] = useState<{ id: string | null; url: string | null; error: string | null }>({ id: null, url: null, error: null });
  const id = file?.id ?? null;
  useEffect(() => {
    if (file === null) return;
    let isCurrent = true;
    fileObjectUrl(client, file).then(
      (url) => isCurrent && setState({ id: file.id, url, error: null }),
      (error: unknown) => isCurrent && setState({ id: file.id, url: null, error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      isCurrent = false;
    };
    // The file's id names its bytes; the object itself changes with every snapshot.
  }, [client, id]);
  return state.id === id ? { url: state.url, error: state.error } : { url: null, error: null };
}
