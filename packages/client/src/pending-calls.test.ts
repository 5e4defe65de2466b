import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_FRAME_BYTES, RpcError, type CallFrame } from '@samizdat/protocol';
import { ProtocolError, RequestTimeoutError } from './client-errors.ts';
import { PendingCalls, type CallOutcome } from './pending-calls.ts';
import { FakeTimers, flushAsync } from './testing/fake-timers.ts';

/** PendingCalls over a fake wire that records what was sent while "connected". */
function setup(threshold = 10) {
  const timers = new FakeTimers();
  const wire: CallFrame[] = [];
  const observed: CallOutcome[] = [];
  let isConnected = false;
  const calls = new PendingCalls({
    send: (text) => {
      if (!isConnected) return false;
      wire.push(JSON.parse(text) as CallFrame);
      return true;
    },
    onResult: (outcome) => observed.push(outcome),
    floodWaitThresholdSeconds: threshold,
    timers,
  });
  return {
    calls,
    timers,
    wire,
    observed,
    connect() {
      isConnected = true;
      calls.onConnected();
    },
    disconnect() {
      isConnected = false;
      calls.onDisconnected();
    },
  };
}

const self = { user: { id: 1, displayName: 'A', username: null, phone: null, isSelf: true, isContact: false, isBot: false } };

describe('PendingCalls', () => {
  test('[SDK9] calls made while disconnected are sent, in order, once connected', () => {
    const { calls, wire, connect } = setup();
    void calls.request('users.getSelf', {});
    void calls.request('updates.getState', {});
    assert.equal(wire.length, 0);
    connect();
    assert.deepEqual(wire.map((frame) => frame.method), ['users.getSelf', 'updates.getState']);
  });

  test('[SDK9] calls in flight when the connection drops are sent again with the same frame, in order', async () => {
    const { calls, wire, connect, disconnect } = setup();
    connect();
    const first = calls.request('users.getSelf', {});
    void calls.request('updates.getState', {});
    disconnect();
    connect();
    assert.deepEqual(wire.map((frame) => frame.id), [1, 2, 1, 2]);
    assert.equal(calls.handleResult({ type: 'result', id: 1, result: self }), true);
    assert.deepEqual(await first, self);
  });

  test('[SDK11] a valid result is observed before its caller gets it', async () => {
    const { calls, observed, connect } = setup();
    connect();
    const pending = calls.request('users.getSelf', {});
    calls.handleResult({ type: 'result', id: 1, result: self });
    await pending;
    assert.deepEqual(observed, [{ method: 'users.getSelf', params: {}, result: self }]);
  });

  test('[SDK11] a result that does not match the method schema rejects the call with ProtocolError', async () => {
    const { calls, observed, connect } = setup();
    connect();
    const pending = calls.request('users.getSelf', {});
    calls.handleResult({ type: 'result', id: 1, result: { user: { id: 'x' } } });
    await assert.rejects(pending, ProtocolError);
    assert.deepEqual(observed, []);
  });

  test('[SDK10] an error frame rejects with an RpcError carrying code, message and retryAfterSeconds', async () => {
    const { calls, connect } = setup(10);
    connect();
    const pending = calls.request('users.getSelf', {});
    calls.handleError({ type: 'error', id: 1, code: 'FLOOD_WAIT', message: 'wait', retryAfterSeconds: 60 });
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, 'FLOOD_WAIT');
      assert.equal(error.message, 'wait');
      assert.equal(error.retryAfterSeconds, 60);
      return true;
    });
  });

  test('[SDK10] a flood wait at or under the threshold is slept out and the call retried', async () => {
    const { calls, wire, timers, connect } = setup(10);
    connect();
    const pending = calls.request('users.getSelf', {});
    calls.handleError({ type: 'error', id: 1, code: 'FLOOD_WAIT', message: 'wait', retryAfterSeconds: 10 });
    await timers.advance(9_999);
    assert.equal(wire.length, 1, 'not retried before retryAfterSeconds');
    await timers.advance(1);
    assert.equal(wire.length, 2);
    calls.handleResult({ type: 'result', id: 1, result: self });
    assert.deepEqual(await pending, self);
  });

  test('[SDK10] a flood wait that ends while disconnected is sent on the next connection', async () => {
    const { calls, wire, timers, connect, disconnect } = setup(10);
    connect();
    void calls.request('users.getSelf', {});
    calls.handleError({ type: 'error', id: 1, code: 'FLOOD_WAIT', message: 'wait', retryAfterSeconds: 1 });
    disconnect();
    await timers.advance(1000);
    assert.equal(wire.length, 1);
    connect();
    assert.equal(wire.length, 2);
  });

  test('[SDK17] a call whose frame exceeds MAX_FRAME_BYTES is refused without being sent', async () => {
    const { calls, wire, connect } = setup();
    connect();
    const text = 'é'.repeat(MAX_FRAME_BYTES / 2);
    await assert.rejects(
      calls.request('messages.send', { peer: { type: 'user', userId: 2 }, text, randomId: 'r' }),
      (error: unknown) => error instanceof RpcError && error.code === 'FRAME_INVALID' && /limit is 65536/.test(error.message),
    );
    assert.equal(wire.length, 0);
    assert.equal(calls.size, 0);
  });

  test('a call without an answer within timeoutMs rejects with RequestTimeoutError and a late answer is ignored', async () => {
    const { calls, timers, connect } = setup();
    connect();
    const rejected = assert.rejects(calls.request('users.getSelf', {}, { timeoutMs: 1000 }), RequestTimeoutError);
    await timers.advance(999);
    assert.equal(calls.size, 1);
    await timers.advance(1);
    await rejected;
    assert.equal(calls.handleResult({ type: 'result', id: 1, result: self }), false);
  });

  test('an aborted call is forgotten and rejects with the abort reason', async () => {
    const { calls, connect, wire } = setup();
    const controller = new AbortController();
    const pending = calls.request('users.getSelf', {}, { signal: controller.signal });
    controller.abort(new Error('gone'));
    await assert.rejects(pending, /gone/);
    connect();
    assert.equal(wire.length, 0);
  });

  test('rejectWhere rejects only the chosen calls', async () => {
    const { calls, connect } = setup();
    connect();
    const needsAuth = calls.request('users.getSelf', {});
    const anonymous = calls.request('auth.sendCode', { phone: '+15550001111' });
    calls.rejectWhere((call) => call.needsAuth, new RpcError('AUTH_KEY_UNREGISTERED'));
    await assert.rejects(needsAuth, RpcError);
    assert.equal(calls.size, 1);
    calls.handleResult({ type: 'result', id: 2, result: { phoneCodeHash: 'h', timeoutSeconds: 60 } });
    assert.deepEqual(await anonymous, { phoneCodeHash: 'h', timeoutSeconds: 60 });
    await flushAsync();
  });
});
