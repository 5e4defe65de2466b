import type { Message, User } from '@samizdat/protocol';
import { Command } from 'commander';
import { integerIn } from '../arguments.ts';
import { commandContext } from '../command-context.ts';
import { formatHistoryLine } from '../format.ts';
import { output } from '../output.ts';
import { PEER_HELP, resolvePeer } from '../peer.ts';
import { withSession } from '../session.ts';

/** Most messages one `messages.getHistory` call returns; longer histories are fetched page by page. */
const PAGE_SIZE = 100;

/** `samizdat history PEER`: the latest messages of a chat, oldest first. */
export function historyCommand(): Command {
  return new Command('history')
    .description('Show the latest messages of a chat, oldest first')
    .argument('<peer>', PEER_HELP)
    .option('--limit <n>', 'how many messages, 1–10000', integerIn(1, 10_000), 20)
    .addHelpText('after', '\nWith --json: an array of Message objects, oldest first.')
    .action(async (peerInput: string, options: { limit: number }, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client, user: self }) => {
        const { peer } = await resolvePeer(client, peerInput, self);
        const usersById = new Map<number, User>([[self.id, self]]);
        const newestFirst: Message[] = [];
        let offsetId: number | undefined;
        while (newestFirst.length < options.limit) {
          const limit = Math.min(PAGE_SIZE, options.limit - newestFirst.length);
          const page = await client.call('messages.getHistory', { peer, limit, ...(offsetId === undefined ? {} : { offsetId }) });
          for (const user of page.users) usersById.set(user.id, user);
          newestFirst.push(...page.messages);
          const oldest = page.messages.at(-1);
          if (page.messages.length < limit || oldest === undefined) break;
          offsetId = oldest.id;
        }
        const messages = newestFirst.reverse();
        if (context.isJson) {
          output.json(messages);
          return;
        }
        for (const message of messages) output.line(formatHistoryLine(message, usersById, self.id));
      });
    });
}
