import { generateRandomId } from '@samizdat/client';
import { Command } from 'commander';
import { parseIdList } from '../arguments.ts';
import { CliError } from '../cli-error.ts';
import { commandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { PEER_HELP, resolvePeer } from '../peer.ts';
import { withSession } from '../session.ts';

/** `samizdat forward FROM_PEER MESSAGE_ID[,ID…] TO_PEER`: forwards messages from one chat to another. */
export function forwardCommand(): Command {
  return new Command('forward')
    .description('Forward messages to another chat; prints the ids of the new messages, one a line')
    .argument('<from-peer>', `the chat the messages are in: ${PEER_HELP}`)
    .argument('<message-ids>', 'ids of the messages, comma-separated: 12 or 12,13,20', parseForwardIds)
    .argument('<to-peer>', `where to forward them: ${PEER_HELP}`)
    .addHelpText(
      'after',
      '\nMessages of a secret chat cannot be forwarded: a secret:PEER chat or a secret message id (#1a2b3c4d)\n' +
        'fails with SECRET_FORWARD_FORBIDDEN.\n' +
        '\nWith --json: an array of the new Message objects, each with "forward" saying where it came from.',
    )
    .action(async (fromInput: string, messageIds: number[], toInput: string, _options: unknown, command: Command) => {
      const context = commandContext(command);
      refuseSecretChat(fromInput, 'from');
      refuseSecretChat(toInput, 'to');
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

/**
 * A secret message id as `secret history` shows it (`#1a2b3c4d`) or in full (16–32 characters of
 * a–z, A–Z, 0–9, _ and -); told apart from a message id by having a character that is not a digit.
 */
const SECRET_ID = /^#?(?=[0-9A-Za-z_-]*[A-Za-z_-])[0-9A-Za-z_-]{4,32}$/;

/**
 * The MESSAGE_IDS argument: refuses secret message ids with `SECRET_FORWARD_FORBIDDEN` before
 * anything else, as the server could not forward them anyway (they are not on it), and a generic
 * "not an id" would not say why.
 */
export function parseForwardIds(value: string): number[] {
  if (value.split(',').some((part) => SECRET_ID.test(part.trim()))) throw forbidden();
  return parseIdList(value);
}

/** Fails when a PEER argument names a secret chat (`secret:@bob`), either side of the forward. */
function refuseSecretChat(input: string, side: 'from' | 'to'): void {
  if (!/^secret:/i.test(input.trim())) return;
  throw side === 'from'
    ? forbidden()
    : new CliError('SECRET_FORWARD_FORBIDDEN', 'Messages cannot be forwarded into a secret chat; send the text there with samizdat secret send PEER TEXT');
}

function forbidden(): CliError {
  return new CliError(
    'SECRET_FORWARD_FORBIDDEN',
    'Messages of a secret chat cannot be forwarded: they exist only on the devices of its two users; see samizdat secret --help',
  );
}
