import { createInterface } from 'node:readline';
import { CliError } from './cli-error.ts';

/** Can the CLI ask the person at the terminal? (stdin must be a terminal; prompts go to stderr.) */
export function isInteractive(): boolean {
  return process.stdin.isTTY === true;
}

/**
 * Asks one question on stderr and reads the answer from stdin. Ctrl-C or Ctrl-D at the prompt
 * fails with `INPUT_REQUIRED` naming `what`, so the command stops without a stack trace.
 */
export function ask(question: string, what: string): Promise<string> {
  return new Promise((done, fail) => {
    const readline = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    let isAnswered = false;
    readline.on('SIGINT', () => readline.close());
    readline.on('close', () => {
      if (isAnswered) return;
      process.stderr.write('\n');
      fail(new CliError('INPUT_REQUIRED', `Cannot continue: no ${what} was entered`));
    });
    readline.question(question, (answer) => {
      isAnswered = true;
      readline.close();
      done(answer.trim());
    });
  });
}

/** Asks until the answer is not empty. */
export async function askNonEmpty(question: string, what: string): Promise<string> {
  for (;;) {
    const answer = await ask(question, what);
    if (answer !== '') return answer;
  }
}
