import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { commandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { PEER_HELP, resolvePeer } from '../peer.ts';
import { formatSeconds, withSession, withTimeout } from '../session.ts';

/** `samizdat send PEER TEXT`: sends one text message and prints its id once the server stored it. */
export function sendCommand(): Command {
  return new Command('send')
    .description('Send a text message; prints the id of the stored message')
    .argument('<peer>', PEER_HELP)
    .argument('<text>', 'message text; - reads it from stdin')
    .option('--random-id <id>', 'idempotency key: sending again with the same key stores the message once')
    .addHelpText('after', '\nWith --json: the stored Message object.')
    .action(async (peerInput: string, textInput: string, options: { randomId?: string }, command: Command) => {
      const context = commandContext(command);
      // Read stdin before connecting: a slow pipe must not hold a connection open.
      const text = textInput === '-' ? (await readStdin()).replace(/\n$/, '') : textInput;
      await withSession(context, async ({ client, user: self }) => {
        const { peer } = await resolvePeer(client, peerInput, self);
        const message = await withTimeout(
          client.sendMessage(peer, text, options.randomId === undefined ? {} : { randomId: options.randomId }),
          context.timeoutMs,
          () =>
            new CliError(
              'CONNECTION_FAILED',
              `Cannot send message: no answer within ${formatSeconds(context.timeoutMs)}; it stays queued in the profile and goes out on the next run`,
            ),
        );
        if (context.isJson) output.json(message);
        else output.line(String(message.id));
      });
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
