import { Command } from 'commander';
import { parseId } from '../arguments.ts';
import { commandContext } from '../command-context.ts';
import { PEER_HELP, resolvePeer } from '../peer.ts';
import { withSession } from '../session.ts';
import { readTextArgument } from '../text-input.ts';
import { printSent, sendQueued } from './send-command.ts';

/** `samizdat reply PEER MESSAGE_ID TEXT`: sends a message that replies to another one of the same chat. */
export function replyCommand(): Command {
  return new Command('reply')
    .description('Reply to a message; prints the id of the stored reply')
    .argument('<peer>', PEER_HELP)
    .argument('<message-id>', 'the message replied to, as history shows it (#12 → 12)', parseId)
    .argument('<text>', 'reply text; - reads it from stdin')
    .option('--random-id <id>', 'idempotency key: replying again with the same key stores the reply once')
    .addHelpText(
      'after',
      '\nLike send, a reply not acked within the timeout stays queued in the profile and goes out on the next run.\n' +
        '\nWith --json: the stored Message object (its "replyToId" is MESSAGE_ID).',
    )
    .action(async (peerInput: string, replyToId: number, textInput: string, options: { randomId?: string }, command: Command) => {
      const context = commandContext(command);
      const text = await readTextArgument(textInput);
      await withSession(context, async (session) => {
        const { peer } = await resolvePeer(session.client, peerInput, session.user);
        printSent(context, await sendQueued(context, session, { peer, text, randomId: options.randomId, replyToId }));
      });
    });
}
