import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomKey } from './sealing.ts';

/**
 * Where the key-encryption key (KEK) comes from. It wraps every chat's data key and is never
 * written to the database. Today: a key file or an environment variable; the interface leaves room
 * for k-of-n key holders in different jurisdictions, each holding a share.
 */
export interface MasterKeyProvider {
  /** A short name for logs ("file", "env"). */
  readonly kind: string;
  loadKey(): Promise<Uint8Array>;
}

function decodeKey(text: string, source: string): Uint8Array {
  const trimmed = text.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (bytes.length !== 32) throw new Error(`Cannot load master key from ${source}: expected 32 bytes, got ${bytes.length}`);
  return bytes;
}

/** Reads the KEK from an environment variable holding 32 bytes as hex or base64. */
export function envMasterKey(variable = 'SAMIZDAT_MASTER_KEY', env: NodeJS.ProcessEnv = process.env): MasterKeyProvider {
  return {
    kind: 'env',
    async loadKey() {
      const value = env[variable];
      if (value === undefined || value === '') throw new Error(`Cannot load master key: ${variable} is not set`);
      return decodeKey(value, variable);
    },
  };
}

/**
 * Reads the KEK from a file, creating it (mode 0600) with a random key on first start so that a
 * self-hosted server works out of the box. Keep that file off the machine's backups of the database.
 */
export function fileMasterKey(path: string): MasterKeyProvider {
  return {
    kind: 'file',
    async loadKey() {
      if (!existsSync(path)) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, `${Buffer.from(randomKey()).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      }
      chmodSync(path, 0o600);
      return decodeKey(readFileSync(path, 'utf8'), path);
    },
  };
}
