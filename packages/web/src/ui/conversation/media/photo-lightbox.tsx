import type { Media } from '@samizdat/protocol';
import { useEffect, useRef } from 'react';
import { CloseIcon } from '../../common/icons.tsx';
import { IconButton } from '../../common/icon-button.tsx';
import { useFileUrl } from './file-blob.ts';

/** The full photo over everything (a modal `<dialog>`); the thumbnail shows until it arrives. Esc, the button or a click outside closes it. */
export function PhotoLightbox({ media, thumbnailUrl, onClose }: { media: Media; thumbnailUrl: string | null; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const { url } = useFileUrl(media.file);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog !== null && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  const shown = url ?? thumbnailUrl;
  return (
    <dialog
      ref={ref}
      className="media-lightbox"
      aria-label="Photo"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <IconButton label="Close photo" className="media-lightbox-close" onClick={onClose}>
        <CloseIcon />
      </IconButton>
      {shown !== null && <img src={shown} alt="Full-size photo" data-full={url !== null} width={media.width ?? undefined} height={media.height ?? undefined} />}
    </dialog>
  );
}
