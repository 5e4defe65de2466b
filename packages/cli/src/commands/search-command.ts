import type { User } from '@samizdat/protocol';
import { Command } from 'commander';
import { integerIn } from '../arguments.ts';
import { commandContext } from '../command-context.ts';
import { formatChatLine, formatHistoryLine, formatUserLine } from '../format.ts';
import { output } from '../output.ts';
import { PEER_HELP, resolvePeer } from '../peer.ts';
import { withSession } from '../session.ts';

/** `samizdat search QUERY [--in PEER]`: public groups, channels and users, or the messages of one chat. */
export function searchCommand(): Command {
  return new Command('search')
    .description('Find public groups, channels and users by name; with --in, messages of one chat by text')
    .argument('<query>', 'what to look for')
    .option('--in <peer>', `search the messages of this chat: ${PEER_HELP}`)
    .option('--limit <n>', 'how many results, 1–50 without --in, 1–100 with it', integerIn(1, 100), 20)
    .addHelpText(
      'after',
      '\nWith --json: without --in, {"chats":[Chat…],"users":[User…]}; with --in, an array of Message\n' +
        'objects, oldest first, as history prints them.',
    )
    .action(async (query: string, options: { in?: string; limit: number }, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client, user: self }) => {
        if (options.in !== undefined) {
          const { peer } = await resolvePeer(client, options.in, self);
          const result = await client.call('messages.search', { peer, query, limit: options.limit });
          const messages = [...result.messages].sort((a, b) => a.id - b.id);
          if (context.isJson) {
            output.json(messages);
            return;
          }
          const users = new Map<number, User>(result.users.map((user) => [user.id, user]));
          users.set(self.id, self);
          if (messages.length === 0) output.line('No messages found');
          for (const message of messages) output.line(formatHistoryLine(message, users, self.id));
          return;
        }
        const { chats, users } = await client.call('chats.search', { query, limit: Math.min(options.limit, 50) });
        if (context.isJson) {
          output.json({ chats, users });
          return;
        }
        const usersById = new Map<number, User>(users.map((user) => [user.id, user]));
        usersById.set(self.id, self);
        if (chats.length === 0 && users.length === 0) output.line('Nothing found');
        for (const chat of chats) output.line(formatChatLine(chat, usersById, self.id));
        for (const user of users) output.line(formatUserLine(user));
      });
    });
}
