import type { User } from '@samizdat/protocol';
import { Command } from 'commander';
import { integerIn } from '../arguments.ts';
import { commandContext } from '../command-context.ts';
import { formatChatLine } from '../format.ts';
import { output } from '../output.ts';
import { withSession } from '../session.ts';

/** `samizdat chats`: the chat list (private chats, groups, channels), most recent first. */
export function chatsCommand(): Command {
  return new Command('chats')
    .description('List chats, groups and channels, most recently active first')
    .option('--limit <n>', 'how many chats to show, 1–500', integerIn(1, 500), 50)
    .addHelpText(
      'after',
      '\nLines: [chat 3] Bob (@bob) · 2 unread · Bob: hi\n' +
        '       [group 5 "Team"] · 3 members · Alice: hello\n' +
        '       [channel 7 "News"] @news · 120 subscribers · You: post\n' +
        'A group or channel moderators blocked shows why: · blocked: This channel can\'t be displayed because …\n' +
        '\nWith --json: an array of the protocol\'s Chat objects, each with "peerUser": the User a private\n' +
        'chat is with, null for groups and channels.',
    )
    .action(async (options: { limit: number }, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client, user: self }) => {
        const { chats, users } = await client.call('messages.getChats', { limit: options.limit });
        const usersById = new Map<number, User>(users.map((user) => [user.id, user]));
        usersById.set(self.id, self);
        if (context.isJson) {
          output.json(chats.map((chat) => ({ ...chat, peerUser: chat.peerUserId === null ? null : (usersById.get(chat.peerUserId) ?? null) })));
          return;
        }
        if (chats.length === 0) output.line('No chats yet');
        for (const chat of chats) output.line(formatChatLine(chat, usersById, self.id));
      });
    });
}
