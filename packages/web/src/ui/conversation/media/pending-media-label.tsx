import type { InputMedia } from '@samizdat/protocol';
import { FileIcon, MicIcon, PlayIcon } from './media-icons.tsx';
import './media.css';

const KIND_NAMES = { photo: 'Photo', video: 'Video', voice: 'Voice message', document: 'File' } as const;

/** What a media message in the outbox shows until the server stores it: its kind, uploaded and on its way. */
export function PendingMediaLabel({ media }: { media: InputMedia }) {
  return (
    <span className="pending-media" data-media-kind={media.kind}>
      {media.kind === 'voice' ? <MicIcon /> : media.kind === 'video' ? <PlayIcon /> : <FileIcon />}
      {KIND_NAMES[media.kind]}
    </span>
  );
}
