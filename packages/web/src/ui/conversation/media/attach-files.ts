import type { InputMedia, Peer } from '@samizdat/protocol';
import { mediaKindOf, type UploadQueue } from '../../../model/upload-queue.ts';

/** A conversation files are attached to. */
export interface AttachTarget {
  peer: Peer;
  key: string;
}

const PROBE_TIMEOUT_MS = 3000;

/**
 * Starts an upload for each file ([WEB20]), `caption` going with the first: images the server can read as photos, videos as
 * videos (with their size and length, read by the browser), the rest as documents.
 */
export function attachFiles(uploads: UploadQueue, files: readonly File[], target: AttachTarget, caption = ''): void {
  files.forEach((file, index) => {
    if (file.size === 0) return;
    const kind = mediaKindOf(file.type);
    // One caption for the selection, on its first file.
    const options = { peer: target.peer, targetKey: target.key, kind, caption: index === 0 ? caption : '' };
    if (kind === 'video') {
      void probeVideo(file).then((media) => uploads.add(file, { ...options, media }));
    } else {
      uploads.add(file, options);
    }
  });
}

/** A video's width, height and duration as the browser reads them; {} when it cannot within a few seconds. */
function probeVideo(file: File): Promise<Pick<InputMedia, 'width' | 'height' | 'duration'>> {
  return new Promise((resolve) => {
    const video = document.createElement('video');
    const url = URL.createObjectURL(file);
    const finish = (media: Pick<InputMedia, 'width' | 'height' | 'duration'>) => {
      clearTimeout(timer);
      URL.revokeObjectURL(url);
      resolve(media);
    };
    const timer = setTimeout(() => finish({}), PROBE_TIMEOUT_MS);
    video.preload = 'metadata';
    video.onloadedmetadata = () => {
      const media: Pick<InputMedia, 'width' | 'height' | 'duration'> = {};
      if (video.videoWidth > 0 && video.videoHeight > 0) Object.assign(media, { width: video.videoWidth, height: video.videoHeight });
      if (Number.isFinite(video.duration) && video.duration > 0) media.duration = Math.round(video.duration * 10) / 10;
      finish(media);
    };
    video.onerror = () => finish({});
    video.src = url;
  });
}
