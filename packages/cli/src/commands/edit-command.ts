import { Command } from 'commander';
import { parseId } from '../arguments.ts';
import { commandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { PEER_HELP, resolvePeer } from '../peer.ts';
import { withSession } from '../session.ts';
import { readTextArgument } from '../text-input.ts';

/** `samizdat edit PEER MESSAGE_ID TEXT`: replaces the text of one's own message. */
export function editCommand(): Command {
  return new Command('edit')
    .description('Replace the text of a message you sent (or, in a channel, a post you may edit)')
    .argument('<peer>', PEER_HELP)
    .argument('<message-id>', 'the message, as history shows it (#12 → 12)', parseId)
    .argument('<text>', 'the new text; - reads it from stdin')
    .addHelpText('after', '\nWith --json: the edited Message object (with "editDate" set).')
    .action(async (peerInput: string, messageId: number, textInput: string, _options: unknown, command: Command) => {
      const context = commandContext(command);
      const text = await readTextArgument(textInput);
      await withSession(context, async ({ client, user: self }) => {
        const { peer } = await resolvePeer(client, peerInput, self);
        const { message } = await client.call('messages.edit', { peer, messageId, text });
        if (context.isJson) output.json(message);
        else output.line(`Edited message ${message.id}`);
      });
    });
}
