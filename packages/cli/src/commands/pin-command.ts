import { Command } from 'commander';
import { parseId } from '../arguments.ts';
import { CliError } from '../cli-error.ts';
import { commandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { PEER_HELP, resolvePeer } from '../peer.ts';
import { withSession } from '../session.ts';

/** `samizdat pin PEER MESSAGE_ID`: pins a message in a chat, or with `--unpin` removes the pin. */
export function pinCommand(): Command {
  return new Command('pin')
    .description('Pin a message at the top of a chat (replacing the pinned one), or remove the pin with --unpin')
    .argument('<peer>', PEER_HELP)
    .argument('[message-id]', 'the message, as history shows it (#12 → 12); not needed with --unpin', parseId)
    .option('--unpin', 'remove the pin')
    .option('--silent', 'do not notify the members')
    .addHelpText('after', '\nWith --json: {"ok":true,"messageId":12} ("messageId" null after --unpin).')
    .action(async (peerInput: string, messageIdInput: number | undefined, options: { unpin?: boolean; silent?: boolean }, command: Command) => {
      const context = commandContext(command);
      if (messageIdInput === undefined && options.unpin !== true) {
        throw new CliError('USAGE_INVALID', 'Cannot pin: no MESSAGE_ID given; pass one, or --unpin to remove the pin');
      }
      const messageId = options.unpin === true ? null : (messageIdInput ?? null);
      await withSession(context, async ({ client, user: self }) => {
        const { peer } = await resolvePeer(client, peerInput, self);
        await client.call('messages.pin', { peer, messageId, ...(options.silent === true ? { isSilent: true } : {}) });
        if (context.isJson) output.json({ ok: true, messageId });
        else output.line(messageId === null ? 'Unpinned' : `Pinned #${messageId}`);
      });
    });
}
