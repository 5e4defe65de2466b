import type { Media } from '@samizdat/protocol';
import { useState } from 'react';
import { formatBytes, formatDuration } from '../../../model/media-format.ts';
import { useFileUrl } from './file-blob.ts';
import { PlayIcon } from './media-icons.tsx';

/** A video: a poster (its thumbnail when it has one) with its length and a play button; a click fetches it and plays it in place. */
export function VideoView({ media }: { media: Media }) {
  const [isStarted, setStarted] = useState(false);
  const poster = useFileUrl(media.thumbnail);
  const video = useFileUrl(isStarted ? media.file : null);
  const aspect = media.width !== null && media.height !== null && media.width > 0 && media.height > 0 ? `${media.width} / ${media.height}` : '16 / 9';
  if (isStarted && video.url !== null) {
    return <video className="media-video" src={video.url} controls autoPlay playsInline style={{ aspectRatio: aspect }} />;
  }
  return (
    <button
      type="button"
      className="media-video media-video-poster"
      aria-label="Play video"
      style={{ aspectRatio: aspect, backgroundImage: poster.url === null ? undefined : `url(${poster.url})` }}
      onClick={() => setStarted(true)}
    >
      <span className="media-round-button media-video-play">
        <PlayIcon />
      </span>
      <span className="media-video-info">
        {isStarted ? (video.error === null ? 'Loading…' : 'Cannot load video') : `${media.duration === null ? '' : `${formatDuration(media.duration)} · `}${formatBytes(media.file.size)}`}
      </span>
    </button>
  );
}
