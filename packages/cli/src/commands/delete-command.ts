import { Command } from 'commander';
import { parseIdList } from '../arguments.ts';
import { CliError } from '../cli-error.ts';
import { commandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { PEER_HELP, resolvePeer } from '../peer.ts';
import { withSession } from '../session.ts';

/** Most ids one `messages.delete` call takes. */
const MAX_IDS = 100;

/** `samizdat delete PEER MESSAGE_ID…`: deletes messages for oneself or for everyone. */
export function deleteCommand(): Command {
  return new Command('delete')
    .description('Delete messages, for yourself or with --for-everyone for every member')
    .argument('<peer>', PEER_HELP)
    .argument(
      '<message-ids...>',
      `ids of the messages, as history shows them (#12 → 12), spaces or commas between them; at most ${MAX_IDS}`,
      (value: string, previous: number[] | undefined) => [...(previous ?? []), ...parseIdList(value)],
    )
    .option('--for-everyone', 'delete for every member of the chat (your messages, or any with the deleteMessages right)')
    .addHelpText('after', '\nWith --json: {"ok":true,"messageIds":[12,13],"forEveryone":true}')
    .action(async (peerInput: string, ids: number[], options: { forEveryone?: boolean }, command: Command) => {
      const context = commandContext(command);
      const messageIds = [...new Set(ids)];
      if (messageIds.length > MAX_IDS) {
        throw new CliError('USAGE_INVALID', `Cannot delete messages: ${messageIds.length} ids given, limit is ${MAX_IDS}`);
      }
      const forEveryone = options.forEveryone === true;
      await withSession(context, async ({ client, user: self }) => {
        const { peer } = await resolvePeer(client, peerInput, self);
        await client.call('messages.delete', { peer, messageIds, forEveryone });
        if (context.isJson) output.json({ ok: true, messageIds, forEveryone });
        else output.line(`Deleted ${messageIds.map((id) => `#${id}`).join(', ')}${forEveryone ? ' for everyone' : ' for you'}`);
      });
    });
}
