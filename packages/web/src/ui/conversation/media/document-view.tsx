import type { Media } from '@samizdat/protocol';
import { formatBytes } from '../../../model/media-format.ts';
import { DocumentCard } from './document-card.tsx';
import { downloadBlob } from './file-blob.ts';
import { useMediaServices } from './media-context.tsx';

/** A cloud document in a bubble: downloaded from the server with its progress shown. */
export function DocumentView({ media }: { media: Media }) {
  const { client } = useMediaServices();
  return (
    <DocumentCard
      fileName={media.file.name}
      size={media.file.size}
      fetchBlob={(onProgress) => downloadBlob(client, media.file, { onProgress })}
      busyText={(fraction) => `${Math.round(fraction * 100)}% of ${formatBytes(media.file.size)}`}
    />
  );
}
