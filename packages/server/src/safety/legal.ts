import { RpcError, type Disclosure, type LegalRequest, type MethodParams } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import type { IpRecords } from './ip-records.ts';
import type { Roles } from './roles.ts';
import type { TransparencyLog } from './transparency-log.ts';

/** Lawful requests: recorded by one legal-role account, decided by another, disclosing a phone number and IP addresses only. */
export class Legal {
  constructor(protected readonly deps: { db: Kysely<Database>; roles: Roles; ips: IpRecords; log: TransparencyLog; clock: Clock }) {}

  async create(userId: number, params: MethodParams<'legal.createRequest'>): Promise<LegalRequest> {
    void userId;
    void params;
    throw new RpcError('INTERNAL', 'legal.createRequest is not built yet');
  }

  async list(userId: number): Promise<LegalRequest[]> {
    void userId;
    throw new RpcError('INTERNAL', 'legal.getRequests is not built yet');
  }

  async approve(userId: number, requestId: number): Promise<LegalRequest> {
    void userId;
    void requestId;
    throw new RpcError('INTERNAL', 'legal.approve is not built yet');
  }

  async refuse(userId: number, requestId: number, note: string): Promise<LegalRequest> {
    void userId;
    void requestId;
    void note;
    throw new RpcError('INTERNAL', 'legal.refuse is not built yet');
  }

  async disclose(userId: number, requestId: number): Promise<Disclosure> {
    void userId;
    void requestId;
    throw new RpcError('INTERNAL', 'legal.disclose is not built yet');
  }
}
