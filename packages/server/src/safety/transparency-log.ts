import type { TransparencyLogEntry, TransparencyReport } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';

/** The append-only, hash-chained log of blocks and disclosures, signed with the operator's Ed25519 key. */
export class TransparencyLog {
  constructor(protected readonly deps: { db: Kysely<Database>; clock: Clock; signingKey: Uint8Array }) {}

  async append(kind: TransparencyLogEntry['kind'], body: Record<string, string | number>): Promise<TransparencyLogEntry> {
    void kind;
    void body;
    throw new Error('transparency log is not built yet');
  }

  async entries(): Promise<{ publicKey: string; entries: TransparencyLogEntry[] }> {
    throw new Error('transparency log is not built yet');
  }

  async report(): Promise<TransparencyReport> {
    throw new Error('transparency report is not built yet');
  }
}
