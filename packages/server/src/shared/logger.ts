/**
 * Structured logs: an event name and fields. Fields carry ids, codes and sizes, never message
 * text, full phone numbers or keys (callers mask phones with `maskPhone`).
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
}

function formatFields(fields: LogFields | undefined): string {
  if (fields === undefined) return '';
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}=${typeof value === 'string' && /\s/.test(value) ? JSON.stringify(value) : String(value)}`)
    .join('');
}

/** Formats one log line as `time LEVEL event key=value …`. */
export function formatLogLine(level: LogLevel, event: string, fields?: LogFields, date = new Date()): string {
  return `${date.toISOString()} ${level.toUpperCase()} ${event}${formatFields(fields)}`;
}

/** Writes lines to a sink (stderr by default), dropping levels below `minLevel`. */
export function createLogger(options: { sink?: (line: string) => void; minLevel?: LogLevel } = {}): Logger {
  const order: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  const minIndex = order.indexOf(options.minLevel ?? 'info');
  const sink = options.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  return {
    log(level, event, fields) {
      if (order.indexOf(level) >= minIndex) sink(formatLogLine(level, event, fields));
    },
  };
}

/** A logger that keeps its lines, for tests that read what the server logged. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ sink: (line) => lines.push(line), minLevel: 'debug' });
  return { ...logger, lines };
}
