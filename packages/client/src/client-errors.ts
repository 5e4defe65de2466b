/**
 * Errors the SDK itself raises. Failures the server answers with are `RpcError`s from
 * `@samizdat/protocol`; these cover what happens on this side of the wire.
 */

/** A call could not finish because `close()` was called first. */
export class ClientClosedError extends Error {
  constructor(message = 'The client was closed') {
    super(message);
    this.name = 'ClientClosedError';
  }
}

/** A call got no answer within `requestTimeoutMs`. */
export class RequestTimeoutError extends Error {
  readonly method: string;
  readonly timeoutMs: number;

  constructor(method: string, timeoutMs: number) {
    super(`Cannot call ${method}: no answer within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
    this.method = method;
    this.timeoutMs = timeoutMs;
  }
}

/** The server sent something the protocol does not allow (a malformed frame or result). */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}
