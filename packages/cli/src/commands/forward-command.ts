import { generateRandomId } from '@samizdat/client';
import { Command } from 'commander';
import { parseIdList } from '../arguments.ts';
import { commandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { PEER_HELP, resolvePeer } from '../peer.ts';
import { withSession } from '../session.ts';

/** `samizdat forward FROM_PEER MESSAGE_ID[,ID…] TO_PEER`: forwards messages from one chat to another. */
export function forwardCommand(): Command {
  return new Command('forward')
    .description('Forward messages to another chat; prints the ids of the new messages, one a line')
    .argument('<from-peer>', `the chat the messages are in: ${PEER_HELP}`)
    .argument('<message-ids>', 'ids of the messages, comma-separated: 12 or 12,13,20', parseIdList)
    .argument('<to-peer>', `where to forward them: ${PEER_HELP}`)
    .addHelpText('after', '\nWith --json: an array of the new Message objects, each with "forward" saying where it came from.')
    .action(async (fromInput: string, messageIds: number[], toInput: string, _options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client, user: self }) => {
        const { peer: fromPeer } = await resolvePeer(client, fromInput, self);
        const { peer: toPeer } = await resolvePeer(client, toInput, self);
        // One key per message, fixed before the call: the SDK resends a call in flight after a
        // reconnect, and the keys make the server store each forward once.
        const randomIds = messageIds.map(() => generateRandomId());
        const { messages } = await client.call('messages.forward', { fromPeer, messageIds, toPeer, randomIds });
        if (context.isJson) output.json(messages);
        else for (const message of messages) output.line(String(message.id));
      });
    });
}
