import type { IpRecord } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';

/** The IP addresses each session used, kept for the retention window only (default 30 days). */
export class IpRecords {
  constructor(protected readonly deps: { db: Kysely<Database>; clock: Clock; retentionSeconds: number }) {}

  async record(sessionId: number, userId: number, ip: string): Promise<void> {
    void sessionId;
    void userId;
    void ip;
  }

  async forUser(userId: number): Promise<IpRecord[]> {
    void userId;
    return [];
  }

  async purge(): Promise<number> {
    return 0;
  }
}
