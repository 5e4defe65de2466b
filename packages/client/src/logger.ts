/**
 * The SDK's logging hook. Entries carry ids, codes and sizes, never message text, full phone
 * numbers or tokens, so a logger may ship them anywhere.
 */

/** Structured context of a log entry (ids, codes, counts). */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/**
 * Where the SDK reports what it does. Every level is optional; `console` fits as is.
 */
export interface Logger {
  debug?(message: string, fields?: LogFields): void;
  info?(message: string, fields?: LogFields): void;
  warn?(message: string, fields?: LogFields): void;
  error?(message: string, fields?: LogFields): void;
}

/** A logger that drops everything, used when the app passes none. */
export const silentLogger: Logger = {};
