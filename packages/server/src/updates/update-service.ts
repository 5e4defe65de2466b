import { assertNever, DIFFERENCE_TOO_LONG_THRESHOLD, MAX_DIFFERENCE_SLICE, RpcError, type MethodResult, type Update, type UpdatesState } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import { renderUser, type Users } from '../accounts/users.ts';
import type { ChatKeyring } from '../keys/chat-keyring.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import { openMessage } from '../messages/message-codec.ts';

/** A user's update sequence: where it stands, and what a device missed. */
export class UpdateService {
  constructor(private readonly deps: { db: Kysely<Database>; users: Users; keyring: ChatKeyring; clock: Clock }) {}

  async state(userId: number): Promise<UpdatesState> {
    const row = await this.deps.db.selectFrom('users').select('pts').where('id', '=', userId).executeTakeFirstOrThrow();
    return { pts: row.pts, date: unixSeconds(this.deps.clock) };
  }

  /**
   * The updates after `fromPts`, oldest first, at most `limit`; `tooLong` when the device is so
   * far behind that refetching its chats is cheaper than replaying.
   */
  async difference(userId: number, fromPts: number, limit = MAX_DIFFERENCE_SLICE): Promise<MethodResult<'updates.getDifference'>> {
    const state = await this.state(userId);
    if (fromPts > state.pts) {
      throw new RpcError('PTS_INVALID', `Cannot get difference: pts ${fromPts} is ahead of the server's ${state.pts}`);
    }
    if (state.pts - fromPts > DIFFERENCE_TOO_LONG_THRESHOLD) return { type: 'tooLong', state };
    const rows = await this.deps.db
      .selectFrom('updates as u')
      .leftJoin('messages as m', (join) => join.onRef('m.chat_id', '=', 'u.chat_id').onRef('m.id', '=', 'u.ref_id').on('u.type', '=', 'newMessage'))
      .leftJoin('chats as c', 'c.id', 'u.chat_id')
      .select([
        'u.pts', 'u.type', 'u.chat_id', 'u.ref_id',
        'm.sender_id', 'm.random_id', 'm.sender_pts', 'm.date as message_date', 'm.text_sealed', 'c.wrapped_key',
      ])
      .where('u.user_id', '=', userId)
      .where('u.pts', '>', fromPts)
      .orderBy('u.pts', 'asc')
      .limit(Math.min(limit, MAX_DIFFERENCE_SLICE))
      .execute();
    const updates: Update[] = rows.map((row): Update => {
      switch (row.type) {
        case 'newMessage': {
          if (row.text_sealed === null || row.wrapped_key === null || row.sender_id === null) {
            throw new Error(`Update ${userId}/${row.pts} names message ${row.chat_id}/${row.ref_id}, which is missing`);
          }
          const message = openMessage(
            this.deps.keyring,
            { chat_id: row.chat_id, id: row.ref_id, sender_id: row.sender_id, random_id: row.random_id!, sender_pts: row.sender_pts!, date: row.message_date!, text_sealed: row.text_sealed },
            row.wrapped_key,
          );
          return { type: 'newMessage', pts: row.pts, message };
        }
        case 'readHistoryInbox':
        case 'readHistoryOutbox':
          return { type: row.type, pts: row.pts, chatId: row.chat_id, maxId: row.ref_id };
        default:
          return assertNever(row.type);
      }
    });
    const senderIds = updates.flatMap((update) => (update.type === 'newMessage' ? [update.message.senderId] : []));
    const users = (await this.deps.users.byIds(senderIds)).map((row) => renderUser(row, userId));
    const lastPts = updates.at(-1)?.pts ?? state.pts;
    return { type: 'difference', updates, users, state: { ...state, pts: lastPts }, isFinal: lastPts === state.pts };
  }
}
