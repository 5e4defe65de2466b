/**
 * `samizdat transparency verify`: checking a server's signed, hash-chained transparency log, and
 * remembering per server what was seen, so that the next check notices a log that was cut short or
 * re-signed with another key (which the chain alone cannot show).
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromBase64, sha256Hash, toHex, verifyTransparencyLog, type TransparencyLogInput } from '@samizdat/crypto';
import { isNodeError, writeFileAtomically } from './atomic-file.ts';
import { CliError } from './cli-error.ts';
import { normalizeServerUrl } from './server-url.ts';

/** The file in the profile folder that remembers, per server, the operator's key and the last entry verified. */
export const TRANSPARENCY_FILE = 'transparency.json';

const FORMAT = 1;

/** An entry seen in an earlier verification: the log must still hold it, unchanged. */
export interface Checkpoint {
  seq: number;
  hash: string;
}

/** What the profile remembers of one server's log. */
export interface RememberedLog {
  /** The operator's Ed25519 public key (base64) the log was signed with. */
  publicKey: string;
  /** The last entry verified; null while the log was empty. */
  checkpoint: Checkpoint | null;
  /** Unix seconds of the last successful verification. */
  verifiedAt: number;
}

/**
 * The server's base URL from what the user typed: `http(s)://host:port[/prefix]`; a trailing
 * `/transparency`, `/transparency.json` or `/transparency/log` (a page's own address) is dropped.
 */
export function transparencyBaseUrl(input: string): string {
  return normalizeServerUrl(input).replace(/\/transparency(?:\.json|\/log)?$/, '');
}

/**
 * A short fingerprint of the operator's public key for people to compare: the first 16 bytes of
 * the SHA-256 of the 32 key bytes, in hex, in groups of four (`1a2b 3c4d …`, 8 groups).
 */
export function keyFingerprint(publicKeyBase64: string): string {
  const hex = toHex(sha256Hash(fromBase64(publicKeyBase64))).slice(0, 32);
  return hex.match(/.{4}/g)!.join(' ');
}

/** What checking a fetched log against what was remembered found. */
export type LogCheck =
  | { ok: true; count: number; publicKey: string; fingerprint: string; checkpoint: Checkpoint | null }
  | { ok: false; code: 'TRANSPARENCY_KEY_CHANGED' | 'TRANSPARENCY_LOG_INVALID'; problem: string };

/**
 * Verifies a log as fetched (anything: it came from the network) and, when the profile remembers
 * this server, that it is signed with the same key and still holds the last entry seen. Returns the
 * new checkpoint (the last entry) to remember on success.
 */
export function checkLog(log: unknown, remembered: RememberedLog | null): LogCheck {
  if (typeof log !== 'object' || log === null || Array.isArray(log)) return { ok: false, code: 'TRANSPARENCY_LOG_INVALID', problem: 'the answer is not a log object' };
  const input = log as TransparencyLogInput;
  if (remembered !== null && input.publicKey !== remembered.publicKey) {
    return {
      ok: false,
      code: 'TRANSPARENCY_KEY_CHANGED',
      problem:
        `the log is signed with a different operator key (now ${describeKey(input.publicKey)}, before ${keyFingerprint(remembered.publicKey)}): ` +
        'entries may have been re-signed',
    };
  }
  const checkpoint = remembered?.checkpoint ?? undefined;
  const result = verifyTransparencyLog(input, checkpoint === undefined ? {} : { checkpoint });
  if (!result.ok) {
    const where = result.seq === null ? '' : `entry ${result.seq}: `;
    return { ok: false, code: 'TRANSPARENCY_LOG_INVALID', problem: `${where}${result.problem}` };
  }
  const last = input.entries.at(-1);
  return {
    ok: true,
    count: result.count,
    publicKey: input.publicKey,
    fingerprint: keyFingerprint(input.publicKey),
    checkpoint: last === undefined ? null : { seq: last.seq, hash: last.hash },
  };
}

/** A key's fingerprint, or a note that it is not one (a log with a broken key fails verification anyway). */
function describeKey(publicKey: unknown): string {
  try {
    return keyFingerprint(String(publicKey));
  } catch {
    return 'not a key';
  }
}

/** The remembered logs of a profile folder (`transparency.json`, mode 0600). */
export class TransparencyMemory {
  readonly path: string;

  constructor(profileDir: string) {
    this.path = join(profileDir, TRANSPARENCY_FILE);
  }

  /** Every server remembered, by base URL; empty when the file does not exist. */
  async readAll(): Promise<Record<string, RememberedLog>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (isNodeError(error) && error.code === 'ENOENT') return {};
      throw new CliError('PROFILE_INVALID', `Cannot read ${this.path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const fail = (why: string) => new CliError('PROFILE_INVALID', `Cannot read ${this.path}: ${why}; remove the file to start afresh (every server's log is then trusted anew)`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw fail('not valid JSON');
    }
    if (typeof value !== 'object' || value === null || (value as { format?: unknown }).format !== FORMAT) throw fail(`not a format ${FORMAT} file`);
    const logs = (value as { logs?: unknown }).logs;
    if (typeof logs !== 'object' || logs === null || Array.isArray(logs)) throw fail('"logs" is not an object');
    const result: Record<string, RememberedLog> = {};
    for (const [url, entry] of Object.entries(logs)) {
      if (!isRememberedLog(entry)) throw fail(`the entry of ${url} is malformed`);
      result[url] = entry;
    }
    return result;
  }

  async get(url: string): Promise<RememberedLog | null> {
    return (await this.readAll())[url] ?? null;
  }

  /** Remembers (or with null forgets) one server, keeping the others as the file has them now. */
  async set(url: string, log: RememberedLog | null): Promise<void> {
    const logs = await this.readAll();
    if (log === null) delete logs[url];
    else logs[url] = log;
    try {
      await writeFileAtomically(this.path, `${JSON.stringify({ format: FORMAT, logs }, null, 2)}\n`);
    } catch (error) {
      throw new CliError('PROFILE_INVALID', `Cannot write ${this.path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function isRememberedLog(value: unknown): value is RememberedLog {
  if (typeof value !== 'object' || value === null) return false;
  const { publicKey, checkpoint, verifiedAt } = value as Record<string, unknown>;
  if (typeof publicKey !== 'string' || !Number.isSafeInteger(verifiedAt)) return false;
  if (checkpoint === null) return true;
  if (typeof checkpoint !== 'object' || checkpoint === undefined) return false;
  const { seq, hash } = checkpoint as Record<string, unknown>;
  return Number.isSafeInteger(seq) && (seq as number) >= 1 && typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash);
}
