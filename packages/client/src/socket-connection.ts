import { MAX_FRAME_BYTES, parseServerFrame, type ClientFrame, type ServerFrame } from '@samizdat/protocol';
import type { Logger } from './logger.ts';
import { describeError } from './typed-emitter.ts';
import { WEBSOCKET_OPEN, type WebSocketConstructor, type WebSocketLike } from './websocket-like.ts';

/** How a socket closed: the WebSocket close code and reason. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/** What a {@link SocketConnection} reports. */
export interface SocketConnectionHandlers {
  onOpen(): void;
  /** A frame that passed `parseServerFrame`; malformed ones are logged and dropped here. */
  onFrame(frame: ServerFrame): void;
  /** The socket closed (or failed to open). Not called after a local `close()`. */
  onClose(info: CloseInfo): void;
  logger?: Logger;
}

const encoder = new TextEncoder();

/**
 * Serialises a client frame, or says why it cannot be sent: the server closes the connection on a
 * frame over {@link MAX_FRAME_BYTES}, and resending such a frame after each reconnect would loop.
 */
export function encodeClientFrame(frame: ClientFrame): { text: string } | { fault: string } {
  const text = JSON.stringify(frame);
  // UTF-8 takes at most 3 bytes per UTF-16 code unit, so short frames skip the encoding.
  const byteLength = text.length * 3 <= MAX_FRAME_BYTES ? text.length : encoder.encode(text).byteLength;
  if (byteLength > MAX_FRAME_BYTES) {
    return { fault: `frame is ${byteLength} bytes, limit is ${MAX_FRAME_BYTES}` };
  }
  return { text };
}

/**
 * One WebSocket to the server: opens it, checks every incoming frame with `parseServerFrame`, and
 * reports each event once. After `close()` nothing more is reported, so a late event of a replaced
 * socket can never reach the client.
 */
export class SocketConnection {
  readonly #socket: WebSocketLike;
  readonly #handlers: SocketConnectionHandlers;
  #isClosed = false;

  /** Throws what the WebSocket constructor throws (a malformed URL). */
  constructor(WebSocket: WebSocketConstructor, url: string, handlers: SocketConnectionHandlers) {
    this.#handlers = handlers;
    this.#socket = new WebSocket(url);
    this.#socket.onopen = () => {
      if (!this.#isClosed) handlers.onOpen();
    };
    this.#socket.onmessage = (event) => this.#receive(event.data);
    this.#socket.onclose = (event) => this.#closed({ code: event.code, reason: event.reason });
    // A failed socket also fires `close`, which does the reporting; `error` carries no detail worth more.
    this.#socket.onerror = () => handlers.logger?.debug?.('WebSocket error');
  }

  /** Is the socket open for sending? */
  get isOpen(): boolean {
    return !this.#isClosed && this.#socket.readyState === WEBSOCKET_OPEN;
  }

  /** Sends a serialised frame; returns false when the socket is not open. */
  send(text: string): boolean {
    if (!this.isOpen) return false;
    try {
      this.#socket.send(text);
      return true;
    } catch (error) {
      // The socket closed under us; its close event follows and triggers the reconnect.
      this.#handlers.logger?.warn?.('Cannot send frame', { error: describeError(error) });
      return false;
    }
  }

  /** Closes the socket; no handler runs after this. */
  close(code = 1000, reason = ''): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    try {
      this.#socket.close(code, reason);
    } catch (error) {
      this.#handlers.logger?.debug?.('Cannot close WebSocket', { error: describeError(error) });
    }
  }

  #receive(data: unknown): void {
    if (this.#isClosed) return;
    if (typeof data !== 'string') {
      this.#handlers.logger?.warn?.('Dropped binary frame: the protocol uses text frames only');
      return;
    }
    const parsed = parseServerFrame(data);
    if ('fault' in parsed) {
      this.#handlers.logger?.warn?.('Dropped malformed server frame', { fault: parsed.fault, bytes: data.length });
      return;
    }
    this.#handlers.onFrame(parsed.frame);
  }

  #closed(info: CloseInfo): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#handlers.onClose(info);
  }
}
