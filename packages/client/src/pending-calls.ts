import {
  RpcError,
  resultFault,
  type ErrorFrame,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type ResultFrame,
} from '@samizdat/protocol';
import { ClientClosedError, ProtocolError, RequestTimeoutError } from './client-errors.ts';
import type { Logger } from './logger.ts';
import { describeError } from './typed-emitter.ts';
import { encodeClientFrame } from './socket-connection.ts';
import type { TimerHandle, Timers } from './timers.ts';

/** Methods a connection may call before it is signed in; every other one needs a session. */
const UNAUTHENTICATED_METHODS: ReadonlySet<MethodName> = new Set(['auth.sendCode', 'auth.signIn', 'auth.signUp']);

/** Does `method` need a signed-in session? */
export function methodNeedsAuth(method: MethodName): boolean {
  return !UNAUTHENTICATED_METHODS.has(method);
}

/**
 * A method paired with its params and its checked result; a `switch` on `method` narrows both.
 */
export type CallOutcome = { [M in MethodName]: { method: M; params: MethodParams<M>; result: MethodResult<M> } }[MethodName];

/** A call the server has not answered yet. */
export interface PendingCall {
  readonly id: number;
  readonly method: MethodName;
  readonly params: unknown;
  readonly needsAuth: boolean;
  /**
   * `queued`: waits for a connection; `sent`: on the wire; `waiting`: sleeping out a `FLOOD_WAIT`
   * before it is queued again.
   */
  status: 'queued' | 'sent' | 'waiting';
  /** The serialised call frame, built once: a resend carries exactly the same bytes. */
  readonly text: string;
  readonly floodWaitThresholdSeconds: number;
  resolve(result: unknown): void;
  reject(error: Error): void;
  /** Stops the call's timers and listeners once it settles. */
  cleanups: (() => void)[];
}

/** Options of one request. */
export interface RequestOptions {
  /** Reject with {@link RequestTimeoutError} after this long without an answer; none when absent. */
  timeoutMs?: number;
  /** Cancels the call (it is forgotten, and a late answer ignored); rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the client's threshold for this call (`Infinity`: wait out any flood wait). */
  floodWaitThresholdSeconds?: number;
}

/** What {@link PendingCalls} needs from the client around it. */
export interface PendingCallsOptions {
  /** Puts a frame on the wire; returns false when there is no usable connection. */
  send(text: string): boolean;
  /** Sees every valid result before its caller does (to feed updates, store tokens). */
  onResult?(outcome: CallOutcome): void;
  /** Flood waits up to this long are slept out and retried; longer ones reject. */
  floodWaitThresholdSeconds: number;
  timers: Timers;
  logger?: Logger;
}

/**
 * The calls in flight, by request id. A call leaves only on its answer, a timeout, a cancel or a
 * rejection by the client; a dropped connection sends it again, in the original order, once the
 * next connection is up. Flood waits under the threshold are slept out here, invisibly to the caller.
 */
export class PendingCalls {
  readonly #options: PendingCallsOptions;
  readonly #calls = new Map<number, PendingCall>();
  #nextId = 1;

  constructor(options: PendingCallsOptions) {
    this.#options = options;
  }

  /** How many calls wait for an answer. */
  get size(): number {
    return this.#calls.size;
  }

  /** Sends a call now if connected, otherwise as soon as a connection is up. */
  request<M extends MethodName>(method: M, params: MethodParams<M>, options: RequestOptions = {}): Promise<MethodResult<M>> {
    const id = this.#nextId++;
    const encoded = encodeClientFrame({ type: 'call', id, method, params });
    // Checked here, once, rather than on the wire: the server would close the socket on it.
    if ('fault' in encoded) return Promise.reject(new RpcError('FRAME_INVALID', `Cannot call ${method}: ${encoded.fault}`));
    if (options.signal?.aborted === true) return Promise.reject(abortReason(options.signal));
    return new Promise<MethodResult<M>>((resolve, reject) => {
      const call: PendingCall = {
        id,
        method,
        params,
        needsAuth: methodNeedsAuth(method),
        status: 'queued',
        text: encoded.text,
        floodWaitThresholdSeconds: options.floodWaitThresholdSeconds ?? this.#options.floodWaitThresholdSeconds,
        resolve: resolve as (result: unknown) => void,
        reject,
        cleanups: [],
      };
      this.#calls.set(id, call);
      this.#watch(call, options);
      this.#trySend(call);
    });
  }

  /** A connection is ready: sends every queued call, oldest first. */
  onConnected(): void {
    for (const call of this.#calls.values()) {
      if (call.status === 'queued') this.#trySend(call);
    }
  }

  /** The connection dropped: whatever was on the wire goes again on the next one. */
  onDisconnected(): void {
    for (const call of this.#calls.values()) {
      if (call.status === 'sent') call.status = 'queued';
    }
  }

  /** Settles the call a result frame answers; returns false when no call has that id. */
  handleResult(frame: ResultFrame): boolean {
    const call = this.#calls.get(frame.id);
    if (call === undefined || call.status !== 'sent') return false;
    const fault = resultFault(call.method, frame.result);
    if (fault !== null) {
      // Never hand an unchecked value to the caller; fail this call rather than the connection.
      this.#options.logger?.warn?.('Malformed result', { method: call.method, id: call.id, fault });
      this.#settle(call, () => call.reject(new ProtocolError(`Cannot read result of ${call.method}: ${fault}`)));
      return true;
    }
    this.#settle(call, () => {
      try {
        // The params were typed for this method by `request`; resultFault just checked the result.
        this.#options.onResult?.({ method: call.method, params: call.params, result: frame.result } as CallOutcome);
      } catch (error) {
        // The observer is the client's own bookkeeping; its bug must not strand the caller.
        this.#options.logger?.error?.('Result observer threw', { method: call.method, error: describeError(error) });
      }
      call.resolve(frame.result);
    });
    return true;
  }

  /** Settles (or schedules the retry of) the call an error frame answers; false when none has that id. */
  handleError(frame: ErrorFrame): boolean {
    if (frame.id === null) return false;
    const call = this.#calls.get(frame.id);
    if (call === undefined || call.status !== 'sent') return false;
    const { retryAfterSeconds } = frame;
    if (frame.code === 'FLOOD_WAIT' && retryAfterSeconds !== undefined && retryAfterSeconds <= call.floodWaitThresholdSeconds) {
      this.#options.logger?.info?.('Waiting out flood wait', { method: call.method, id: call.id, retryAfterSeconds });
      this.#sleepThenRetry(call, retryAfterSeconds * 1000);
      return true;
    }
    const error = new RpcError(frame.code, frame.message, retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
    this.#settle(call, () => call.reject(error));
    return true;
  }

  /** Rejects every call `predicate` picks, e.g. those needing the session that just ended. */
  rejectWhere(predicate: (call: PendingCall) => boolean, error: Error): void {
    for (const call of [...this.#calls.values()]) {
      if (predicate(call)) this.#settle(call, () => call.reject(error));
    }
  }

  /** Rejects every call (the client is closing). */
  rejectAll(error: Error = new ClientClosedError()): void {
    this.rejectWhere(() => true, error);
  }

  #trySend(call: PendingCall): void {
    if (call.status !== 'queued') return;
    if (this.#options.send(call.text)) call.status = 'sent';
  }

  #sleepThenRetry(call: PendingCall, delayMs: number): void {
    call.status = 'waiting';
    const { timers } = this.#options;
    let handle: TimerHandle | null = timers.setTimeout(() => {
      handle = null;
      call.status = 'queued';
      this.#trySend(call);
    }, delayMs);
    call.cleanups.push(() => {
      if (handle !== null) timers.clearTimeout(handle);
    });
  }

  #watch(call: PendingCall, options: RequestOptions): void {
    if (options.timeoutMs !== undefined) {
      const { timeoutMs } = options;
      const { timers } = this.#options;
      const handle = timers.setTimeout(() => {
        this.#settle(call, () => call.reject(new RequestTimeoutError(call.method, timeoutMs)));
      }, timeoutMs);
      call.cleanups.push(() => timers.clearTimeout(handle));
    }
    const { signal } = options;
    if (signal !== undefined) {
      const onAbort = () => this.#settle(call, () => call.reject(abortReason(signal)));
      signal.addEventListener('abort', onAbort, { once: true });
      call.cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
  }

  /** Forgets the call, stops its timers, then settles it: each call settles exactly once. */
  #settle(call: PendingCall, settle: () => void): void {
    if (this.#calls.get(call.id) !== call) return;
    this.#calls.delete(call.id);
    for (const cleanup of call.cleanups) cleanup();
    call.cleanups = [];
    settle();
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('The call was cancelled');
}
