import { useState } from 'react';
import { formatBytes } from '../../../model/media-format.ts';
import { DownloadIcon, FileIcon } from './media-icons.tsx';

/** Fetches the file's bytes, reporting the fraction done where the source can tell. */
export type FetchDocument = (onProgress: (fraction: number) => void) => Promise<Blob>;

/**
 * A file in a bubble: its name and size, and a button that fetches it and saves it under its
 * name. Cloud documents and secret files differ only in how the bytes are fetched (plain download
 * against decryption in the browser) and in what the size line says meanwhile, so each caller
 * passes those two.
 */
export function DocumentCard(props: { fileName: string; size: number; fetchBlob: FetchDocument; busyText: (fraction: number) => string }) {
  // Null while idle; the fraction fetched while a download runs.
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const name = props.fileName === '' ? 'file' : props.fileName;

  async function download(): Promise<void> {
    setError(null);
    setProgress(0);
    try {
      saveBlob(await props.fetchBlob(setProgress), name);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setProgress(null);
    }
  }

  return (
    <div className="media-document">
      <button type="button" className="media-document-button" aria-label={`Download ${name}`} disabled={progress !== null} onClick={() => void download()}>
        {progress === null ? <DownloadIcon /> : <FileIcon />}
      </button>
      <div className="media-document-text">
        <span className="media-document-name" title={name}>
          {name}
        </span>
        <span className="media-document-size">
          {progress === null ? formatBytes(props.size) : props.busyText(progress)}
          {error !== null && <span role="alert"> · Cannot download</span>}
        </span>
      </div>
    </div>
  );
}

/** Saves a blob as a file named `name`, the way a download link does. */
function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the blob after the click returns.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
