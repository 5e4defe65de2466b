import type { SequencedUpdate, Update } from '@samizdat/protocol';
import type { Transaction } from 'kysely';
import { chatTopic, userTopic, type Bus } from '../bus/bus.ts';
import type { Database, UpdateRowType } from '../storage/database.ts';
import { queryShape } from '../storage/query-shape.ts';

/**
 * An update made in a transaction, waiting to be pushed once it commits: to one user's sessions
 * (`userId`, the user's sequence) or to a group's or channel's online members (`chatId` sequence).
 */
export type Delivery = { userId: number; chatId: null; update: Update } | { userId: null; chatId: number; update: Update };

/** What an update row stores besides its number. */
export interface UpdateRow {
  type: UpdateRowType;
  chatId: number;
  refId: number;
  payload?: unknown;
  date: number;
}

// Built once: these run for every message (see `storage/query-shape.ts`).
const nextUserPts = queryShape(1, (db, userId: number) =>
  db.updateTable('users').set((eb) => ({ pts: eb('pts', '+', 1) })).where('id', '=', userId).returning('pts'),
);
const insertUserUpdate = queryShape(7, (db, userId: number, pts: number, type: UpdateRowType, chatId: number, refId: number, payload: string | null, date: number) =>
  db.insertInto('updates').values({ user_id: userId, pts, type, chat_id: chatId, ref_id: refId, payload, date }),
);
const nextChatPts = queryShape(1, (db, chatId: number) =>
  db.updateTable('chats').set((eb) => ({ pts: eb('pts', '+', 1) })).where('id', '=', chatId).returning('pts'),
);
const insertChatUpdate = queryShape(6, (db, chatId: number, pts: number, type: UpdateRowType, refId: number, payload: string | null, date: number) =>
  db.insertInto('chat_updates').values({ chat_id: chatId, pts, type, ref_id: refId, payload, date }),
);

/** Appends the next update of `userId`'s own sequence and returns the delivery to push after commit. */
export async function appendUserUpdate(
  trx: Transaction<Database>,
  userId: number,
  row: UpdateRow,
  make: (pts: number) => Update,
): Promise<Delivery> {
  const [next] = await nextUserPts.run(trx, trx, userId);
  if (next === undefined) throw new Error(`Cannot append an update for user ${userId}: no such user`);
  await insertUserUpdate.run(trx, trx, userId, next.pts, row.type, row.chatId, row.refId, encode(row.payload), row.date);
  return { userId, chatId: null, update: make(next.pts) };
}

/**
 * Appends the next update of a group's or channel's sequence: ONE row whatever the number of
 * members, which is what lets a post to ten million subscribers cost what a post to ten does.
 */
export async function appendChatUpdate(
  trx: Transaction<Database>,
  row: UpdateRow,
  make: (pts: number) => Update,
): Promise<Delivery> {
  const [next] = await nextChatPts.run(trx, trx, row.chatId);
  if (next === undefined) throw new Error(`Cannot append an update for chat ${row.chatId}: no such chat`);
  await insertChatUpdate.run(trx, trx, row.chatId, next.pts, row.type, row.refId, encode(row.payload), row.date);
  return { userId: null, chatId: row.chatId, update: make(next.pts) };
}

/**
 * The update of a chat's change into the right sequences: each member's own for a private chat,
 * the chat's own for a group or channel.
 */
export async function appendForChat(
  trx: Transaction<Database>,
  target: { type: 'private' | 'group' | 'channel'; memberIds: readonly number[] },
  row: UpdateRow,
  make: (pts: number) => Update,
): Promise<Delivery[]> {
  if (target.type !== 'private') return [await appendChatUpdate(trx, row, make)];
  const deliveries: Delivery[] = [];
  for (const userId of target.memberIds) deliveries.push(await appendUserUpdate(trx, userId, row, make));
  return deliveries;
}

const outgoing = new WeakMap<Bus, Delivery[]>();

/**
 * Pushes committed updates on the bus, right after the current turn of the event loop: the acting
 * client's answer goes out first, and the fan-out (a frame per online reader) after it. One queue
 * per bus keeps the order in which the updates were committed.
 */
export function publish(bus: Bus, deliveries: readonly Delivery[]): void {
  if (deliveries.length === 0) return;
  let queue = outgoing.get(bus);
  if (queue === undefined) {
    queue = [];
    outgoing.set(bus, queue);
    setImmediate(() => {
      outgoing.delete(bus);
      for (const delivery of queue!) {
        if (delivery.chatId === null) bus.publish(userTopic(delivery.userId), { kind: 'update', update: delivery.update });
        else bus.publish(chatTopic(delivery.chatId), { kind: 'chatUpdate', chatId: delivery.chatId, update: delivery.update });
      }
    });
  }
  queue.push(...deliveries);
}

/** The updates the acting user's device applies at once: its own sequence's and the chat sequences'. */
export function forActor(deliveries: readonly Delivery[], actorId: number): SequencedUpdate[] {
  return deliveries.flatMap((delivery): SequencedUpdate[] => {
    if (delivery.chatId !== null) return [{ chatId: delivery.chatId, update: delivery.update }];
    return delivery.userId === actorId ? [{ chatId: null, update: delivery.update }] : [];
  });
}

function encode(payload: unknown): string | null {
  return payload === undefined ? null : JSON.stringify(payload);
}
