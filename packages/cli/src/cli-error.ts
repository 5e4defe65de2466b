import { ProtocolError, RequestTimeoutError } from '@samizdat/client';
import { ERROR_CATALOG, RpcError, type ErrorCode } from '@samizdat/protocol';

/**
 * Failures of the CLI itself, in the protocol's UPPER_SNAKE style so that a script can match on a
 * code whether the server or the CLI refused. Each has the exit code it ends the process with.
 */
export const CLI_ERROR_CATALOG = {
  /** The command line does not parse: an unknown option, a missing argument, a malformed value. */
  USAGE_INVALID: { exitCode: 1 },
  /** The profile has no session; `samizdat login` first. */
  NOT_LOGGED_IN: { exitCode: 1 },
  /** `login` on a profile that already holds a session. */
  ALREADY_LOGGED_IN: { exitCode: 1 },
  /** A value is missing and there is no terminal to ask for it. */
  INPUT_REQUIRED: { exitCode: 1 },
  /** A profile file (`session.json`, `updates.json`, `secret.json`) cannot be read or written. */
  PROFILE_INVALID: { exitCode: 1 },
  /** Another process kept the profile's secret-chat lock (`secret.lock`) for longer than the timeout. */
  PROFILE_BUSY: { exitCode: 1 },
  /** `forward` was given a message of a secret chat (or a secret chat as either side): refused. */
  SECRET_FORWARD_FORBIDDEN: { exitCode: 1 },
  /** The server could not be reached, or the connection dropped before the answer came. */
  CONNECTION_FAILED: { exitCode: 3 },
  /** A local file cannot be read (missing, not a regular file, empty) or written. */
  FILE_UNREADABLE: { exitCode: 1 },
  /** SIGINT or SIGTERM stopped a transfer; what was done so far is kept for a resume. */
  INTERRUPTED: { exitCode: 130 },
  /** `transparency show|verify`: the server answered, but not with the document (not 200, not JSON, not a report). */
  TRANSPARENCY_UNAVAILABLE: { exitCode: 3 },
  /** `transparency verify`: the log's chain, a hash or a signature is broken, or it lost the remembered entry. */
  TRANSPARENCY_LOG_INVALID: { exitCode: 4 },
  /** `transparency verify`: the log is signed with another key than the one remembered for the server. */
  TRANSPARENCY_KEY_CHANGED: { exitCode: 4 },
  /** `admin …`: the data folder holds no server database. */
  DATA_NOT_FOUND: { exitCode: 1 },
  /** `admin grant`: no account has that id, phone number or username. */
  USER_NOT_FOUND: { exitCode: 1 },
  /** `admin load-hashes`: a line of the file is not a SHA-256, or the file holds none; nothing was loaded. */
  HASH_FILE_INVALID: { exitCode: 1 },
} as const satisfies Record<string, { exitCode: number }>;

/** A code from {@link CLI_ERROR_CATALOG}. */
export type CliErrorCode = keyof typeof CLI_ERROR_CATALOG;

/** Exit code of a server-side refusal ({@link RpcError}). */
export const EXIT_REFUSED = 1;
/** Exit code of an unexpected failure: a bug in the CLI, the SDK or the server. */
export const EXIT_INTERNAL = 2;

/** An expected failure of the CLI, reported as `CODE: message` and an exit code from the catalog. */
export class CliError extends Error {
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string) {
    super(message);
    this.name = 'CliError';
    this.code = code;
  }

  get exitCode(): number {
    return CLI_ERROR_CATALOG[this.code].exitCode;
  }
}

/** How a thrown value ends the process: the line for stderr and the exit code. */
export interface ErrorReport {
  line: string;
  exitCode: number;
}

/**
 * Turns anything thrown by a command into `CODE: sentence` and an exit code. Server refusals keep
 * their wire code (`USERNAME_NOT_OCCUPIED`), so scripts see the same codes as SDK users.
 */
export function reportError(error: unknown): ErrorReport {
  if (error instanceof CliError) return { line: `${error.code}: ${error.message}`, exitCode: error.exitCode };
  if (error instanceof RpcError) {
    const wait = error.retryAfterSeconds === undefined ? '' : ` (retry after ${error.retryAfterSeconds} s)`;
    return { line: `${error.code}: ${error.message || ERROR_CATALOG[error.code as ErrorCode].message}${wait}`, exitCode: EXIT_REFUSED };
  }
  if (error instanceof RequestTimeoutError) {
    return { line: `CONNECTION_FAILED: ${error.message}`, exitCode: CLI_ERROR_CATALOG.CONNECTION_FAILED.exitCode };
  }
  if (error instanceof ProtocolError) return { line: `PROTOCOL_ERROR: ${error.message}`, exitCode: EXIT_INTERNAL };
  const message = error instanceof Error ? error.message : String(error);
  return { line: `INTERNAL: ${message}`, exitCode: EXIT_INTERNAL };
}
