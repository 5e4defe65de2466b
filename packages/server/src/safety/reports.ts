import { RpcError, type MethodParams, type MethodResult, type ModerationQueueItem } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import type { ChatKeyring } from '../keys/chat-keyring.ts';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import type { Roles } from './roles.ts';

/** Reports from users (and automatic ones), deduplicated and rate-limited, grouped into the moderators' queue. */
export class Reports {
  constructor(protected readonly deps: { db: Kysely<Database>; keyring: ChatKeyring; roles: Roles; clock: Clock }) {}

  async report(reporterId: number, params: MethodParams<'reports.report'>): Promise<MethodResult<'reports.report'>> {
    void reporterId;
    void params;
    throw new RpcError('INTERNAL', 'reports.report is not built yet');
  }

  async queue(moderatorId: number, limit: number): Promise<ModerationQueueItem[]> {
    void moderatorId;
    void limit;
    throw new RpcError('INTERNAL', 'moderation.getQueue is not built yet');
  }
}
