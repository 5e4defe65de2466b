import type { Media } from '@samizdat/protocol';

/** The photo's box in a bubble: its proportions, at most 320 px a side, at least 120 × 60 (240 × 180 unmeasured). */
export function photoDisplaySize(width: number | null, height: number | null): { width: number; height: number } {
  if (width === null || height === null || width === 0 || height === 0) return { width: 240, height: 180 };
  const scale = Math.min(1, 320 / Math.max(width, height));
  return { width: Math.max(120, Math.round(width * scale)), height: Math.max(60, Math.round(height * scale)) };
}

/** About how tall a message's media is in its bubble, for the timeline's guess before it measures. */
export function estimateMediaHeight(media: Media | null): number {
  if (media === null) return 0;
  switch (media.kind) {
    case 'photo':
      return photoDisplaySize(media.width, media.height).height;
    case 'video':
      return 200;
    case 'voice':
    case 'document':
      return 52;
  }
}
