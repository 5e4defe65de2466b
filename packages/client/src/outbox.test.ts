import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RpcError, type Message, type MethodResult } from '@samizdat/protocol';
import { ClientClosedError } from './client-errors.ts';
import { MemoryStore, type OutboxEntry } from './client-store.ts';
import { createDeferred, type Deferred } from './deferred.ts';
import { Outbox } from './outbox.ts';
import { PersistedState } from './persisted-state.ts';
import { fakeMessage } from './testing/fake-server.ts';
import { flushAsync } from './testing/fake-timers.ts';

type SendResult = MethodResult<'messages.send'>;

function entry(randomId: string): OutboxEntry {
  return { randomId, peer: { type: 'user', userId: 2 }, text: `text of ${randomId}`, createdAt: 0 };
}

function ack(item: OutboxEntry, pts: number): SendResult {
  const message: Message = fakeMessage({ chatId: 1, id: pts, senderId: 1, date: 0, text: item.text, randomId: item.randomId });
  return { message, updates: [{ chatId: null, update: { type: 'newMessage', pts, message } }] };
}

/** An outbox whose sends wait until the test answers them. */
function setup(options: { maxInFlight?: number; stored?: OutboxEntry[] } = {}) {
  const store = new MemoryStore({ outbox: options.stored ?? [] });
  const persisted = new PersistedState(store, { initial: { outbox: options.stored ?? [] } });
  const sent: { entry: OutboxEntry; answer: Deferred<SendResult>; signal: AbortSignal }[] = [];
  const failed: OutboxEntry[] = [];
  const outbox = new Outbox({
    persisted,
    send: (item, signal) => {
      const answer = createDeferred<SendResult>();
      sent.push({ entry: item, answer, signal });
      return answer.promise;
    },
    onFailed: (item) => failed.push(item),
    ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
  });
  return { outbox, store, persisted, sent, failed };
}

describe('Outbox', () => {
  test('[SDK8] entries are sent in the order they were added, each only after it is stored', async () => {
    const { outbox, store, sent } = setup();
    void outbox.enqueue(entry('a'));
    void outbox.enqueue(entry('b'));
    assert.equal(sent.length, 0, 'nothing is sent before the save completes');
    await flushAsync();
    assert.deepEqual(sent.map((item) => item.entry.randomId), ['a', 'b']);
    assert.deepEqual(store.state?.outbox.map((item) => item.randomId), ['a', 'b']);
  });

  test('[SDK1] an entry leaves the store only when its ack arrives, and its promise resolves with the message', async () => {
    const { outbox, store, sent } = setup();
    const sending = outbox.enqueue(entry('a'));
    await flushAsync();
    assert.equal(store.state?.outbox.length, 1);
    const result = ack(entry('a'), 1);
    sent[0]?.answer.resolve(result);
    assert.deepEqual(await sending, result.message);
    await flushAsync();
    assert.deepEqual(store.state?.outbox, []);
  });

  test('[SDK1] a refusal removes the entry, rejects its promise and reports it', async () => {
    const { outbox, store, sent, failed } = setup();
    const sending = outbox.enqueue(entry('a'));
    await flushAsync();
    sent[0]?.answer.reject(new RpcError('PEER_ID_INVALID'));
    await assert.rejects(sending, RpcError);
    await flushAsync();
    assert.deepEqual(failed.map((item) => item.randomId), ['a']);
    assert.deepEqual(store.state?.outbox, []);
  });

  test('[SDK1] a closed client rejects the promise but keeps the entry in the store', async () => {
    const { outbox, store, sent, failed } = setup();
    const sending = outbox.enqueue(entry('a'));
    await flushAsync();
    sent[0]?.answer.reject(new ClientClosedError());
    await assert.rejects(sending, ClientClosedError);
    await flushAsync();
    assert.deepEqual(store.state?.outbox.map((item) => item.randomId), ['a']);
    assert.deepEqual(failed, []);
  });

  test('[SDK8] at most maxInFlight entries await an answer; the rest follow in order as answers come', async () => {
    const { outbox, sent } = setup({ maxInFlight: 2 });
    const items = ['a', 'b', 'c', 'd'].map(entry);
    for (const item of items) void outbox.enqueue(item);
    await flushAsync();
    assert.deepEqual(sent.map((item) => item.entry.randomId), ['a', 'b']);
    sent[1]?.answer.resolve(ack(items[1] as OutboxEntry, 2));
    await flushAsync();
    assert.deepEqual(sent.map((item) => item.entry.randomId), ['a', 'b', 'c']);
    sent[0]?.answer.reject(new RpcError('MESSAGE_EMPTY'));
    await flushAsync();
    assert.deepEqual(sent.map((item) => item.entry.randomId), ['a', 'b', 'c', 'd']);
  });

  test('[SDK8] stored entries are resent before entries added later, with their randomIds', async () => {
    const { outbox, sent } = setup({ stored: [entry('old-1'), entry('old-2')] });
    outbox.resendStored();
    void outbox.enqueue(entry('new'));
    await flushAsync();
    assert.deepEqual(sent.map((item) => item.entry.randomId), ['old-1', 'old-2', 'new']);
  });

  test('[SDK8] enqueueing a randomId already in the outbox returns the same promise', async () => {
    const { outbox, sent } = setup();
    const first = outbox.enqueue(entry('a'));
    const second = outbox.enqueue(entry('a'));
    assert.equal(first, second);
    await flushAsync();
    assert.equal(sent.length, 1);
  });

  test('[SDK12] clear drops every entry, aborts its send and rejects its promise', async () => {
    const { outbox, store, sent } = setup();
    const sending = outbox.enqueue(entry('a'));
    await flushAsync();
    outbox.clear(new RpcError('AUTH_KEY_UNREGISTERED'));
    await assert.rejects(sending, RpcError);
    assert.equal(sent[0]?.signal.aborted, true);
    sent[0]?.answer.resolve(ack(entry('a'), 1)); // a late ack changes nothing
    await flushAsync();
    assert.deepEqual(store.state?.outbox, []);
    assert.deepEqual(outbox.entries, []);
  });
});
