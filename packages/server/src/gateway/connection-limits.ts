/** What one connection may cost the server. */
export interface ConnectionLimits {
  /** Frames a connection may send at once, and per second after that. @default 200 at once, 100/s */
  frames: { capacity: number; perSecond: number };
  /** Calls one connection may have unanswered at once. @default 64 */
  maxInFlight: number;
  /** Frames refused for flooding, within one strike window, before the connection is closed. @default 500 */
  floodStrikesBeforeClose: number;
  /** The window over which flood strikes are counted. @default 10 s */
  floodStrikeWindowMs: number;
  /** Bytes queued to a client that does not read before it is disconnected (it catches up by difference). @default 16 MiB */
  maxBufferedBytes: number;
  /** A connection that has not said hello by then is closed (4002). @default 15 s */
  helloTimeoutMs: number;
  /** Ping interval; a connection that misses a pong for a whole interval is dropped. @default 30 s */
  heartbeatIntervalMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  frames: { capacity: 200, perSecond: 100 },
  maxInFlight: 64,
  floodStrikesBeforeClose: 500,
  floodStrikeWindowMs: 10_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  helloTimeoutMs: 15_000,
  heartbeatIntervalMs: 30_000,
};
