import { assertNever, type Media } from '@samizdat/protocol';
import { DocumentView } from './document-view.tsx';
import { useOptionalMediaServices } from './media-context.tsx';
import { PendingMediaLabel } from './pending-media-label.tsx';
import { PhotoView } from './photo-view.tsx';
import { VideoView } from './video-view.tsx';
import { VoiceView } from './voice-view.tsx';
import './media.css';

/** The media of a stored message, shown above its caption ([WEB21]). */
export function MessageMedia({ media }: { media: Media }) {
  // Outside a conversation (no way to fetch files there) the media is named, not shown.
  if (useOptionalMediaServices() === null) return <PendingMediaLabel media={{ kind: media.kind, fileId: media.file.id }} />;
  return (
    <div className="bubble-media" data-media-kind={media.kind}>
      {renderMedia(media)}
    </div>
  );
}

function renderMedia(media: Media) {
  switch (media.kind) {
    case 'photo':
      return <PhotoView media={media} />;
    case 'video':
      return <VideoView media={media} />;
    case 'voice':
      return <VoiceView media={media} />;
    case 'document':
      return <DocumentView media={media} />;
    default:
      return assertNever(media.kind);
  }
}
