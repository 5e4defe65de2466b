import type { Media } from '@samizdat/protocol';
import { useState } from 'react';
import { PhotoLightbox } from './photo-lightbox.tsx';
import { useFileUrl } from './file-blob.ts';
import { photoDisplaySize } from './media-height.ts';

/** A photo in a bubble: the server's thumbnail at the photo's proportions; a click opens the full photo. */
export function PhotoView({ media }: { media: Media }) {
  const [isOpen, setOpen] = useState(false);
  const { url, error } = useFileUrl(media.thumbnail ?? media.file);
  const { width, height } = photoDisplaySize(media.width, media.height);
  return (
    <>
      <button type="button" className="media-photo" aria-label="Open photo" style={{ width, height }} onClick={() => setOpen(true)}>
        {url !== null ? <img src={url} alt="Photo" draggable={false} /> : <span className="media-placeholder" role="status">{error === null ? 'Loading…' : 'Cannot load photo'}</span>}
      </button>
      {isOpen && <PhotoLightbox media={media} thumbnailUrl={url} onClose={() => setOpen(false)} />}
    </>
  );
}
