import {
  PROTOCOL_VERSION,
  RpcError,
  Welcome,
  compiled,
  type ErrorFrame,
  type ServerFrame,
} from '@samizdat/protocol';
import { computeBackoffDelayMs, type ResolvedBackoffOptions } from './backoff.ts';
import type { Logger } from './logger.ts';
import { SocketConnection, encodeClientFrame, type CloseInfo } from './socket-connection.ts';
import type { TimerHandle, Timers } from './timers.ts';
import type { WebSocketConstructor } from './websocket-like.ts';

/** Where the client's connection stands. `connected` means the server has answered `hello`. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

/** The request id of `hello`. Calls count from 1, so the answer to hello is never mistaken for one. */
export const HELLO_REQUEST_ID = 0;

/** The close code the server uses after it terminated this session. */
export const SESSION_TERMINATED_CLOSE_CODE = 4001;

/** How the server answered `hello`; either way the connection is now usable. */
export type HelloOutcome =
  | { type: 'welcome'; welcome: Welcome; sentToken: string | undefined }
  /** The token is unknown or terminated; the connection stays open, unauthenticated. */
  | { type: 'unauthorized'; sentToken: string };

/** What a {@link ReconnectingConnection} needs and reports. */
export interface ReconnectingConnectionOptions {
  url: string;
  WebSocket: WebSocketConstructor;
  timers: Timers;
  backoff: ResolvedBackoffOptions;
  /** A socket that has not been welcomed within this long is dropped and replaced. */
  handshakeTimeoutMs: number;
  logger?: Logger;
  /** The token to present in the next `hello`. */
  getToken(): string | undefined;
  onHello(outcome: HelloOutcome): void;
  /** Every frame after the answer to `hello`. */
  onFrame(frame: ServerFrame): void;
  /** A connection that had been welcomed was lost. */
  onLost(info: CloseInfo): void;
  onStateChange(state: ConnectionState): void;
  /** The server refused us for good (an unsupported protocol version); no reconnect follows. */
  onFatal(error: Error): void;
}

/**
 * Keeps one WebSocket to the server up from `start()` until `stop()`: opens it, says `hello`,
 * and after any close or failed handshake opens the next after an exponential, jittered backoff.
 */
export class ReconnectingConnection {
  readonly #options: ReconnectingConnectionOptions;
  #socket: SocketConnection | null = null;
  #isRunning = false;
  #isWelcomed = false;
  #attempt = 0;
  #state: ConnectionState = 'disconnected';
  #sentToken: string | undefined;
  #handshakeTimer: TimerHandle | null = null;
  #reconnectTimer: TimerHandle | null = null;

  constructor(options: ReconnectingConnectionOptions) {
    this.#options = options;
  }

  /** Is there a welcomed connection to send calls on? */
  get isReady(): boolean {
    return this.#isWelcomed && this.#socket?.isOpen === true;
  }

  /** Where the connection stands now. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Opens the first connection; does nothing if already running. */
  start(): void {
    if (this.#isRunning) return;
    this.#isRunning = true;
    this.#open();
  }

  /** Closes the connection and stops reconnecting. */
  stop(): void {
    this.#isRunning = false;
    this.#clearTimers();
    this.#socket?.close(1000, 'client closed');
    this.#socket = null;
    this.#isWelcomed = false;
    this.#setState('disconnected');
  }

  /**
   * Drops the current connection and opens the next one no sooner than `minDelayMs`, as after a
   * close: every call in flight is then sent again.
   */
  restart(options: { minDelayMs: number; reason: string }): void {
    if (!this.#isRunning || this.#socket === null) return;
    this.#drop({ code: 4004, reason: options.reason }, options.minDelayMs);
  }

  /** Sends a serialised frame on the welcomed connection; false when there is none. */
  send(text: string): boolean {
    return this.isReady && this.#socket !== null && this.#socket.send(text);
  }

  #open(): void {
    this.#reconnectTimer = null;
    this.#setState('connecting');
    const { logger } = this.#options;
    try {
      this.#socket = new SocketConnection(this.#options.WebSocket, this.#options.url, {
        onOpen: () => this.#sayHello(),
        onFrame: (frame) => this.#receive(frame),
        onClose: (info) => this.#onClosed(info),
        ...(logger === undefined ? {} : { logger }),
      });
    } catch (error) {
      // The WebSocket constructor only throws on a malformed URL: no retry can fix that.
      this.#fail(error instanceof Error ? error : new Error(`Cannot open WebSocket to ${this.#options.url}`));
      return;
    }
    this.#handshakeTimer = this.#options.timers.setTimeout(() => {
      this.#handshakeTimer = null;
      this.#options.logger?.warn?.('Handshake timed out', { timeoutMs: this.#options.handshakeTimeoutMs });
      this.#drop({ code: 4000, reason: 'handshake timeout' });
    }, this.#options.handshakeTimeoutMs);
  }

  #sayHello(): void {
    this.#sentToken = this.#options.getToken();
    const encoded = encodeClientFrame({
      type: 'hello',
      id: HELLO_REQUEST_ID,
      protocolVersion: PROTOCOL_VERSION,
      ...(this.#sentToken === undefined ? {} : { token: this.#sentToken }),
    });
    if ('text' in encoded) this.#socket?.send(encoded.text);
  }

  #receive(frame: ServerFrame): void {
    if (this.#isWelcomed) {
      this.#options.onFrame(frame);
      return;
    }
    if (frame.type === 'result' && frame.id === HELLO_REQUEST_ID) {
      if (!compiled(Welcome).Check(frame.result)) {
        this.#options.logger?.warn?.('Malformed welcome; reconnecting');
        this.#drop({ code: 4002, reason: 'malformed welcome' });
        return;
      }
      this.#welcomed({ type: 'welcome', welcome: frame.result, sentToken: this.#sentToken });
    } else if (frame.type === 'error' && (frame.id === HELLO_REQUEST_ID || frame.id === null)) {
      this.#helloRefused(frame);
    } else {
      this.#options.logger?.warn?.('Dropped frame received before welcome', { type: frame.type });
    }
  }

  #helloRefused(frame: ErrorFrame): void {
    const { code } = frame;
    if (code === 'PROTOCOL_VERSION_UNSUPPORTED') {
      this.#fail(new RpcError(code, frame.message));
    } else if (code === 'AUTH_KEY_UNREGISTERED' && this.#sentToken !== undefined) {
      this.#welcomed({ type: 'unauthorized', sentToken: this.#sentToken });
    } else {
      // Transient (INTERNAL, FLOOD_WAIT, …): try again later, no sooner than the server asked.
      this.#options.logger?.warn?.('Hello refused; reconnecting', { code, retryAfterSeconds: frame.retryAfterSeconds });
      this.#drop({ code: 4003, reason: 'hello refused' }, (frame.retryAfterSeconds ?? 0) * 1000);
    }
  }

  #welcomed(outcome: HelloOutcome): void {
    this.#clearHandshakeTimer();
    this.#isWelcomed = true;
    this.#attempt = 0;
    this.#options.onHello(outcome);
    // onHello may have stopped the connection (the app closed the client from a handler).
    if (this.#isRunning && this.#isWelcomed) this.#setState('connected');
  }

  /** Closes the current socket by our own decision and goes on as if the server had closed it. */
  #drop(info: CloseInfo, minDelayMs = 0): void {
    this.#socket?.close(info.code, info.reason);
    this.#onClosed(info, minDelayMs);
  }

  #onClosed(info: CloseInfo, minDelayMs = 0): void {
    const wasWelcomed = this.#isWelcomed;
    this.#socket = null;
    this.#isWelcomed = false;
    this.#clearHandshakeTimer();
    if (!this.#isRunning) return;
    this.#options.logger?.info?.('Connection closed', { code: info.code, wasWelcomed });
    this.#setState('disconnected');
    if (wasWelcomed) this.#options.onLost(info);
    if (!this.#isRunning) return;
    const delayMs = Math.max(minDelayMs, computeBackoffDelayMs(this.#attempt, this.#options.backoff));
    this.#attempt += 1;
    this.#reconnectTimer = this.#options.timers.setTimeout(() => this.#open(), delayMs);
  }

  #fail(error: Error): void {
    this.#options.logger?.error?.('Connection failed for good', { error: error.message });
    this.stop();
    this.#options.onFatal(error);
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#options.onStateChange(state);
  }

  #clearHandshakeTimer(): void {
    if (this.#handshakeTimer === null) return;
    this.#options.timers.clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = null;
  }

  #clearTimers(): void {
    this.#clearHandshakeTimer();
    if (this.#reconnectTimer !== null) this.#options.timers.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
  }
}
