import type { Message, Peer } from '@samizdat/protocol';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { commandContext, type CommandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { PEER_HELP, resolvePeer } from '../peer.ts';
import { formatSeconds, withSession, withTimeout, type Session } from '../session.ts';
import { readTextArgument } from '../text-input.ts';

/** `samizdat send PEER TEXT`: sends one text message and prints its id once the server stored it. */
export function sendCommand(): Command {
  return new Command('send')
    .description('Send a text message to a user, group or channel; prints the id of the stored message')
    .argument('<peer>', PEER_HELP)
    .argument('<text>', 'message text; - reads it from stdin')
    .option('--random-id <id>', 'idempotency key: sending again with the same key stores the message once')
    .addHelpText('after', '\nWith --json: the stored Message object.')
    .action(async (peerInput: string, textInput: string, options: { randomId?: string }, command: Command) => {
      const context = commandContext(command);
      const text = await readTextArgument(textInput);
      await withSession(context, async (session) => {
        const { peer } = await resolvePeer(session.client, peerInput, session.user);
        printSent(context, await sendQueued(context, session, { peer, text, randomId: options.randomId }));
      });
    });
}

/** What {@link sendQueued} sends. */
export interface QueuedSend {
  peer: Peer;
  text: string;
  randomId?: string | undefined;
  /** The message this one replies to. */
  replyToId?: number | undefined;
}

/**
 * Sends through the SDK's outbox and waits for the server's ack up to the timeout; a message not
 * acked by then stays queued in the profile and goes out on the next command run on it.
 */
export async function sendQueued(context: CommandContext, { client }: Session, send: QueuedSend): Promise<Message> {
  return withTimeout(
    client.sendMessage(send.peer, send.text, {
      ...(send.randomId === undefined ? {} : { randomId: send.randomId }),
      ...(send.replyToId === undefined ? {} : { replyToId: send.replyToId }),
    }),
    context.timeoutMs,
    () =>
      new CliError(
        'CONNECTION_FAILED',
        `Cannot send message: no answer within ${formatSeconds(context.timeoutMs)}; it stays queued in the profile and goes out on the next run`,
      ),
  );
}

/** Prints a stored message: its id, or with `--json` the whole Message. */
export function printSent(context: CommandContext, message: Message): void {
  if (context.isJson) output.json(message);
  else output.line(String(message.id));
}
