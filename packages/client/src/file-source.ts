/**
 * Where the bytes of an upload come from. The SDK reads a file part by part through this seam, so a
 * 2 GB file is never held in memory whole: the CLI backs it with a file handle, a browser with a
 * `Blob` ({@link blobSource}).
 */
export interface FileSource {
  /** The file's length in bytes; fixed for the whole upload. */
  readonly size: number;
  /**
   * The `length` bytes at `offset`. The SDK asks only for ranges inside `size`, in order, one at a
   * time, and expects exactly `length` bytes back.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A {@link FileSource} over a `Blob` or `File` (a browser's file picker, a drag and drop). */
export function blobSource(blob: Blob): FileSource {
  return {
    size: blob.size,
    async read(offset, length) {
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}

/** A {@link FileSource} over bytes already in memory (small files, generated content, tests). */
export function bytesSource(bytes: Uint8Array): FileSource {
  return {
    size: bytes.length,
    async read(offset, length) {
      return bytes.subarray(offset, offset + length);
    },
  };
}
