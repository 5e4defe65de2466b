/**
 * Everything a command prints goes through here: results to stdout, one line each (`--json`
 * prints one JSON value per line, compact, so that `jq` and line readers both work), and notes
 * for people to stderr, where they do not mix into what a script reads.
 */
export const output = {
  /** Prints a line of human-readable result. */
  line(text: string): void {
    process.stdout.write(`${text}\n`);
  },
  /** Prints one JSON value on one line. */
  json(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value)}\n`);
  },
  /** Prints a note for the person at the terminal (progress, warnings). */
  note(text: string): void {
    process.stderr.write(`${text}\n`);
  },
};
