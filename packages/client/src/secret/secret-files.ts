/**
 * Attachments of secret chats: encrypted on the device with a fresh key before a byte is uploaded,
 * decrypted on the device as they download. The server stores and serves only ciphertext; the key
 * travels inside the end-to-end message.
 *
 * @module
 */
import { encryptedFileSize, encryptedRange, FileDecryptor, fromBase64, generateFileKey, toBase64 } from '@samizdat/crypto';
import type { FileSource } from '../file-source.ts';
import type { DownloadSink } from '../file-download.ts';

/** The name and type the server is told: the real ones travel only inside the envelope. */
export const ENCRYPTED_FILE_NAME = 'secret.bin';
export const ENCRYPTED_FILE_MIME = 'application/octet-stream';

/** A source of the encrypted file, read on demand: a gigabyte is never held in memory. */
export function encryptingSource(source: FileSource): { source: FileSource; key: string } {
  const key = generateFileKey();
  return {
    key: toBase64(key),
    source: {
      size: encryptedFileSize(source.size),
      read: (offset, length) => encryptedRange(source.size, (o, l) => source.read(o, l), key, offset, length),
    },
  };
}

/**
 * A download sink that decrypts into `sink`, which receives the plaintext in order. Call the
 * returned `finish` once the download resolved: it throws if the ciphertext was cut short.
 */
export function decryptingSink(key: string, encryptedSize: number, sink: DownloadSink): { sink: DownloadSink; finish(): Promise<number> } {
  const decryptor = new FileDecryptor(fromBase64(key), encryptedSize);
  let written = 0;
  const write = async (plain: Uint8Array) => {
    if (plain.length === 0) return;
    await sink(plain, written);
    written += plain.length;
  };
  return {
    sink: async (bytes) => write(decryptor.push(bytes)),
    finish: async () => {
      await write(decryptor.finish());
      return written;
    },
  };
}
