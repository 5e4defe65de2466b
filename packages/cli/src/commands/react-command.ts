import { Command } from 'commander';
import { parseId } from '../arguments.ts';
import { CliError } from '../cli-error.ts';
import { commandContext } from '../command-context.ts';
import { sanitize } from '../format.ts';
import { output } from '../output.ts';
import { PEER_HELP, resolvePeer } from '../peer.ts';
import { withSession } from '../session.ts';

/** `samizdat react PEER MESSAGE_ID EMOJI`: sets (or with `--remove` takes back) one's reaction to a message. */
export function reactCommand(): Command {
  return new Command('react')
    .description('React to a message with an emoji (one reaction per person; a new one replaces yours)')
    .argument('<peer>', PEER_HELP)
    .argument('<message-id>', 'the message, as history shows it (#12 → 12)', parseId)
    .argument('[emoji]', 'the reaction, e.g. 👍')
    .option('--remove', 'take your reaction back')
    .addHelpText('after', '\nWith --json: {"ok":true,"messageId":12,"emoji":"👍"} ("emoji" null after --remove).')
    .action(async (peerInput: string, messageId: number, emojiInput: string | undefined, options: { remove?: boolean }, command: Command) => {
      const context = commandContext(command);
      if ((emojiInput === undefined) !== (options.remove === true)) {
        throw new CliError('USAGE_INVALID', 'Cannot react: pass either EMOJI or --remove; see samizdat react --help');
      }
      const emoji = emojiInput ?? null;
      await withSession(context, async ({ client, user: self }) => {
        const { peer } = await resolvePeer(client, peerInput, self);
        await client.call('messages.react', { peer, messageId, emoji });
        if (context.isJson) output.json({ ok: true, messageId, emoji });
        else output.line(emoji === null ? `Removed your reaction to #${messageId}` : `Reacted ${sanitize(emoji)} to #${messageId}`);
      });
    });
}
