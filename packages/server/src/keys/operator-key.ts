import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomKey } from './sealing.ts';

/** The file in the data folder that holds the operator's Ed25519 signing key (a 32-byte seed, hex). */
export const OPERATOR_KEY_FILE = 'operator.key';

/**
 * Loads the operator's Ed25519 seed that signs the transparency log, creating it (mode 0600) on
 * first start. Its public half is published with the log, so anyone can check the entries.
 */
export async function loadOperatorKey(dataDir: string): Promise<Uint8Array> {
  const path = join(dataDir, OPERATOR_KEY_FILE);
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path, `${Buffer.from(randomKey()).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  }
  chmodSync(path, 0o600);
  const text = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/i.test(text)) throw new Error(`Cannot load operator key from ${path}: expected 32 bytes as hex`);
  return Buffer.from(text, 'hex');
}
