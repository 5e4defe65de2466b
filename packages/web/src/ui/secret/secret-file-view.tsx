import type { SecretFile } from '@samizdat/protocol';
import { useEffect, useState } from 'react';
import { formatBytes } from '../../model/media-format.ts';
import { DocumentCard } from '../conversation/media/document-card.tsx';
import { photoDisplaySize } from '../conversation/media/media-height.ts';
import '../conversation/media/media.css';

/** Decrypts a secret file into a `Blob` (the store's `downloadFile`). */
export type LoadSecretFile = (file: SecretFile) => Promise<Blob>;

/** Object URLs of decrypted photos this page's life, by file id (bounded). */
const photoUrls = new Map<string, Promise<string>>();
const MAX_CACHED_URLS = 100;

function photoUrl(load: LoadSecretFile, file: SecretFile): Promise<string> {
  let url = photoUrls.get(file.fileId);
  if (url === undefined) {
    url = load(file).then((blob) => URL.createObjectURL(blob));
    photoUrls.set(file.fileId, url);
    url.catch(() => photoUrls.delete(file.fileId));
    if (photoUrls.size > MAX_CACHED_URLS) {
      const [oldestId, oldest] = photoUrls.entries().next().value as [string, Promise<string>];
      photoUrls.delete(oldestId);
      void oldest.then((stale) => setTimeout(() => URL.revokeObjectURL(stale), 60_000), () => {});
    }
  }
  return url;
}

/**
 * A secret message's file ([WEB49]): a photo is downloaded, decrypted in the browser and shown
 * from an object URL (the server holds only ciphertext, so there is no thumbnail); any other file
 * shows its name and size with a button that decrypts it and saves it under its name.
 */
export function SecretFileView({ file, load }: { file: SecretFile; load: LoadSecretFile }) {
  return (
    <div className="bubble-media secret-file" data-media-kind={file.kind === 'photo' ? 'photo' : 'document'}>
      {file.kind === 'photo' ? <SecretPhoto file={file} load={load} /> : <SecretDocument file={file} load={load} />}
    </div>
  );
}

function SecretPhoto({ file, load }: { file: SecretFile; load: LoadSecretFile }) {
  const [state, setState] = useState<{ url: string | null; error: string | null }>({ url: null, error: null });
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  useEffect(() => {
    let isCurrent = true;
    photoUrl(load, file).then(
      (url) => isCurrent && setState({ url, error: null }),
      (error: unknown) => isCurrent && setState({ url: null, error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      isCurrent = false;
    };
    // The file id names its bytes; the object changes with every snapshot.
  }, [load, file.fileId]);
  const box = size === null ? { width: 240, height: 180 } : photoDisplaySize(size.width, size.height);
  return (
    <div className="media-photo secret-photo" style={box}>
      {state.url !== null ? (
        <img src={state.url} alt={file.name === '' ? 'Photo' : `Photo ${file.name}`} draggable={false} onLoad={(event) => setSize({ width: event.currentTarget.naturalWidth, height: event.currentTarget.naturalHeight })} />
      ) : (
        <span className="media-placeholder" role="status">
          {state.error === null ? 'Decrypting…' : 'Cannot load photo'}
        </span>
      )}
    </div>
  );
}

/** A secret non-photo file: decrypted in the browser, which reports no progress. */
function SecretDocument({ file, load }: { file: SecretFile; load: LoadSecretFile }) {
  return <DocumentCard fileName={file.name} size={file.size} fetchBlob={() => load(file)} busyText={() => `Decrypting ${formatBytes(file.size)}…`} />;
}
