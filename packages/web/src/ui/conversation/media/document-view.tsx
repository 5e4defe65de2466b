import type { Media } from '@samizdat/protocol';
import { useState } from 'react';
import { formatBytes } from '../../../model/media-format.ts';
import { downloadBlob } from './file-blob.ts';
import { DownloadIcon, FileIcon } from './media-icons.tsx';
import { useMediaServices } from './media-context.tsx';

/** A file in a bubble: its name and size, and a button that fetches it and saves it under its name. */
export function DocumentView({ media }: { media: Media }) {
  const { client } = useMediaServices();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const name = media.file.name === '' ? 'file' : media.file.name;

  async function download(): Promise<void> {
    setError(null);
    setProgress(0);
    try {
      const blob = await downloadBlob(client, media.file, { onProgress: setProgress });
      saveBlob(blob, name);
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
          {progress === null ? formatBytes(media.file.size) : `${Math.round(progress * 100)}% of ${formatBytes(media.file.size)}`}
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
