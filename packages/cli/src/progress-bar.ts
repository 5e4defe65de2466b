import { formatBytes, formatDuration } from './format.ts';

/**
 * A one-line progress display for transfers on stderr: bytes done of the total, rate and time
 * left, redrawn in place at most ten times a second. On anything but a terminal it prints
 * nothing at all, so piped and redirected output stays clean.
 */

/** Where the bar draws: `process.stderr`, or a fake in tests. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** What is moving, shown first (`photo.jpg`). */
  label: string;
  /** The stream to draw on; nothing is drawn unless it is a terminal. */
  stream: ProgressStream;
  /** Milliseconds now. @default Date.now */
  now?: () => number;
  /** Least time between two redraws. @default 100 */
  minIntervalMs?: number;
}

/** How far back the rate looks: long enough to be steady, short enough to follow a change. */
const RATE_WINDOW_MS = 5000;

/** A transfer's progress line; call {@link ProgressBar.update} as bytes move and {@link ProgressBar.finish} at the end. */
export class ProgressBar {
  readonly #options: Required<Omit<ProgressBarOptions, 'stream'>> & { stream: ProgressStream };
  readonly #isEnabled: boolean;
  #lastDrawMs = Number.NEGATIVE_INFINITY;
  #done = 0;
  #total = 0;
  #hasDrawn = false;
  /** Recent (time, bytes) samples for the rate; the first is the oldest kept. */
  readonly #samples: { atMs: number; bytes: number }[] = [];

  constructor(options: ProgressBarOptions) {
    this.#options = { now: Date.now, minIntervalMs: 100, ...options };
    this.#isEnabled = options.stream.isTTY === true;
  }

  /** Is the bar drawn at all (the stream is a terminal)? */
  get isEnabled(): boolean {
    return this.#isEnabled;
  }

  /** Records progress; redraws unless the last redraw was under `minIntervalMs` ago. */
  update(doneBytes: number, totalBytes: number): void {
    this.#done = doneBytes;
    this.#total = totalBytes;
    const nowMs = this.#options.now();
    this.#samples.push({ atMs: nowMs, bytes: doneBytes });
    while (this.#samples.length > 2 && (this.#samples[1]?.atMs ?? nowMs) <= nowMs - RATE_WINDOW_MS) this.#samples.shift();
    if (nowMs - this.#lastDrawMs < this.#options.minIntervalMs) return;
    this.#draw(nowMs);
  }

  /** Draws the final state and ends the line, so what follows starts on a fresh one. */
  finish(): void {
    if (!this.#isEnabled || !this.#hasDrawn) return;
    this.#draw(this.#options.now());
    this.#options.stream.write('\n');
  }

  /** Ends the line where it stands (after a failure), so an error message starts on a fresh one. */
  abandon(): void {
    if (this.#isEnabled && this.#hasDrawn) this.#options.stream.write('\n');
  }

  #draw(nowMs: number): void {
    this.#lastDrawMs = nowMs;
    if (!this.#isEnabled) return;
    this.#hasDrawn = true;
    const line = renderProgressLine({
      label: this.#options.label,
      doneBytes: this.#done,
      totalBytes: this.#total,
      bytesPerSecond: this.#rate(),
      // A pseudo-terminal may report 0 columns: draw for the classic 80 then.
      columns: (this.#options.stream.columns ?? 0) > 0 ? (this.#options.stream.columns as number) : 80,
    });
    // Carriage return and erase-to-end-of-line: the new line replaces the old in place.
    this.#options.stream.write(`\r${line}\u001b[K`);
  }

  #rate(): number | null {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (first === undefined || last === undefined || last.atMs - first.atMs < 200) return null;
    return ((last.bytes - first.bytes) * 1000) / (last.atMs - first.atMs);
  }
}

/** What one progress line shows. */
export interface ProgressLine {
  label: string;
  doneBytes: number;
  totalBytes: number;
  /** null while too little time has passed to tell. */
  bytesPerSecond: number | null;
  /** The terminal's width; the label is shortened to fit. */
  columns: number;
}

/** `photo.jpg [#########.........]  45%  1.4 MiB / 3.0 MiB  2.1 MiB/s  ETA 0:01` */
export function renderProgressLine(line: ProgressLine): string {
  const fraction = line.totalBytes > 0 ? Math.min(1, line.doneBytes / line.totalBytes) : 1;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const amounts = `${formatBytes(line.doneBytes)} / ${formatBytes(line.totalBytes)}`;
  const rate = line.bytesPerSecond === null ? '' : `${formatBytes(line.bytesPerSecond)}/s`;
  const left = line.totalBytes - line.doneBytes;
  const eta =
    left <= 0 ? 'done' : line.bytesPerSecond === null || line.bytesPerSecond <= 0 ? 'ETA --:--' : `ETA ${formatDuration(left / line.bytesPerSecond)}`;
  const tail = [percent, amounts, rate, eta].filter((part) => part !== '').join('  ');
  // Leave the last column free: writing into it makes some terminals wrap.
  const room = Math.max(20, line.columns - 1);
  const barWidth = Math.max(0, Math.min(30, room - tail.length - 24));
  const bar = barWidth >= 5 ? ` [${'#'.repeat(Math.round(fraction * barWidth)).padEnd(barWidth, '.')}]` : '';
  const labelRoom = Math.max(0, room - tail.length - bar.length - 2);
  const label = shorten(line.label, labelRoom);
  return `${label}${bar}  ${tail}`.trimStart().slice(0, room);
}

/** `a-very-long-na…me.jpg`-style: keeps the start and the end, which usually says the type. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '';
  const end = Math.min(8, Math.floor((max - 1) / 3));
  return `${text.slice(0, max - 1 - end)}…${text.slice(text.length - end)}`;
}
