import { RpcError, type AccountRestrictions, type Appeal, type MethodParams } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import type { Roles } from './roles.ts';
import type { TransparencyLog } from './transparency-log.ts';

/** Moderators' actions on reported targets, blocks of public chats, spam limits, and appeals. */
export class Moderation {
  constructor(protected readonly deps: { db: Kysely<Database>; roles: Roles; log: TransparencyLog; bus: Bus; clock: Clock }) {}

  async act(moderatorId: number, params: MethodParams<'moderation.act'>): Promise<number> {
    void moderatorId;
    void params;
    throw new RpcError('INTERNAL', 'moderation.act is not built yet');
  }

  async appeal(userId: number, params: MethodParams<'moderation.appeal'>): Promise<Appeal> {
    void userId;
    void params;
    throw new RpcError('INTERNAL', 'moderation.appeal is not built yet');
  }

  async appeals(moderatorId: number): Promise<Appeal[]> {
    void moderatorId;
    throw new RpcError('INTERNAL', 'moderation.getAppeals is not built yet');
  }

  async decideAppeal(moderatorId: number, params: MethodParams<'moderation.decideAppeal'>): Promise<Appeal> {
    void moderatorId;
    void params;
    throw new RpcError('INTERNAL', 'moderation.decideAppeal is not built yet');
  }

  async restrictions(userId: number): Promise<AccountRestrictions> {
    void userId;
    throw new RpcError('INTERNAL', 'account.getRestrictions is not built yet');
  }
}
