import { MAX_FILE_PART_BYTES, MIN_FILE_PART_BYTES } from '@samizdat/protocol';

/**
 * How a file is cut into parts for upload and into ranges for download. Pure arithmetic, shared by
 * the uploader, the downloader and their tests.
 */

/** One part of a file: bytes `[offset, offset + length)`. */
export interface FilePart {
  index: number;
  offset: number;
  length: number;
}

/** Is `partSize` a power of two from {@link MIN_FILE_PART_BYTES} to {@link MAX_FILE_PART_BYTES}, as the server requires? */
export function isValidPartSize(partSize: number): boolean {
  return (
    Number.isSafeInteger(partSize) &&
    partSize >= MIN_FILE_PART_BYTES &&
    partSize <= MAX_FILE_PART_BYTES &&
    // A power of two has a single bit set.
    (partSize & (partSize - 1)) === 0
  );
}

/** How many parts a file of `size` bytes has: every part is `partSize` bytes but the last. */
export function partCountOf(size: number, partSize: number): number {
  return Math.ceil(size / partSize);
}

/** Part `index` of a file of `size` bytes cut into `partSize` pieces. */
export function partAt(index: number, size: number, partSize: number): FilePart {
  const offset = index * partSize;
  return { index, offset, length: Math.min(partSize, size - offset) };
}

/** Every part of a file, in order. */
export function planParts(size: number, partSize: number): FilePart[] {
  return Array.from({ length: partCountOf(size, partSize) }, (_, index) => partAt(index, size, partSize));
}

/** How many bytes the listed parts hold (indexes outside the file are ignored, duplicates counted once). */
export function bytesInParts(indexes: Iterable<number>, size: number, partSize: number): number {
  const count = partCountOf(size, partSize);
  let bytes = 0;
  for (const index of new Set(indexes)) {
    if (Number.isSafeInteger(index) && index >= 0 && index < count) bytes += partAt(index, size, partSize).length;
  }
  return bytes;
}

/** The byte ranges `[start, end]` (inclusive, as HTTP `Range` writes them) that cover `[from, size)` in steps of `chunkBytes`. */
export function planRanges(from: number, size: number, chunkBytes: number): { start: number; end: number }[] {
  const ranges: { start: number; end: number }[] = [];
  for (let start = from; start < size; start += chunkBytes) ranges.push({ start, end: Math.min(start + chunkBytes, size) - 1 });
  return ranges;
}
