/**
 * The part of the WebSocket API the SDK uses, satisfied by the browser's `WebSocket` and by the
 * `ws` package in Node (which has no global WebSocket before Node 22).
 */

/**
 * A handler type checked bivariantly, like a method parameter. Without it, `ws`'s handlers (which
 * take its own richer event classes) would not be assignable to these minimal event shapes.
 */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The `readyState` of an open socket, per the WHATWG WebSocket standard. */
export const WEBSOCKET_OPEN = 1;

/** A WebSocket as the SDK drives it. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ readonly data: unknown }> | null;
  onclose: Handler<{ readonly code: number; readonly reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket constructor: `globalThis.WebSocket` or `import { WebSocket } from 'ws'`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;
