/** A file's size for people: 512 B, 3.4 KB, 12 MB (powers of 1024, one decimal below 10). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 || value >= 10 ? Math.round(value).toString() : value.toFixed(1);
  return `${shown} ${units[unit]}`;
}

/** A duration as m:ss (or h:mm:ss), rounded to whole seconds; never below 0:01 for a positive duration. */
export function formatDuration(seconds: number): string {
  const total = seconds > 0 ? Math.max(1, Math.round(seconds)) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = (total % 60).toString().padStart(2, '0');
  return h > 0 ? `${h}:${m.toString().padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * A voice note's waveform as the protocol carries it: at most `count` amplitude samples 0–31,
 * one byte each, base64. `levels` are 0–1 peaks taken while recording; they are averaged into
 * `count` buckets when there are more.
 */
export function encodeWaveform(levels: readonly number[], count = 100): string {
  const buckets = Math.min(count, levels.length);
  const bytes = new Uint8Array(buckets);
  for (let i = 0; i < buckets; i++) {
    const start = Math.floor((i * levels.length) / buckets);
    const end = Math.max(start + 1, Math.floor(((i + 1) * levels.length) / buckets));
    let sum = 0;
    for (let j = start; j < end; j++) sum += levels[j]!;
    bytes[i] = Math.max(0, Math.min(31, Math.round((sum / (end - start)) * 31)));
  }
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The samples (0–31) of a waveform from {@link encodeWaveform}; [] when it does not decode. */
export function decodeWaveform(waveform: string | null): number[] {
  if (waveform === null) return [];
  try {
    return Array.from(atob(waveform), (char) => Math.min(31, char.charCodeAt(0)));
  } catch {
    return [];
  }
}
