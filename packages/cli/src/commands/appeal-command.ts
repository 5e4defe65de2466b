import { normalizeUsername, RpcError, type Appeal } from '@samizdat/protocol';
import { Command } from 'commander';
import { commandContext, type CommandContext } from '../command-context.ts';
import { formatDate } from '../format.ts';
import { output } from '../output.ts';
import { CHAT_HELP, resolveChat, type MethodCaller } from '../peer.ts';
import { withSession } from '../session.ts';
import { readTextArgument } from '../text-input.ts';

/** `samizdat appeal chat|spam …`: the owner of a blocked chat, or a spam-limited account, appeals once. */
export function appealCommand(): Command {
  return new Command('appeal')
    .description('Appeal a block of your group or channel, or the spam limit on your account (once each)')
    .addHelpText('after', '\nA moderator other than the one who blocked decides; samizdat restrictions shows how a spam appeal stands.')
    .addCommand(
      new Command('chat')
        .description('Appeal the block of a group or channel you own')
        .argument('<chat>', CHAT_HELP)
        .argument('<text>', 'why the block is wrong, up to 2000 characters; - reads it from stdin')
        .addHelpText('after', '\nWith --json: the Appeal.')
        .action(async (chatInput: string, textInput: string, _options: unknown, command: Command) => {
          const context = commandContext(command);
          const text = await readTextArgument(textInput);
          await appeal(context, text, async (client) => ({ type: 'chatBlock', chatId: await resolveBlockedChat(client, chatInput) }));
        }),
    )
    .addCommand(
      new Command('spam')
        .description('Appeal the spam limit on your account (see samizdat restrictions)')
        .argument('<text>', 'why the limit is wrong, up to 2000 characters; - reads it from stdin')
        .addHelpText('after', '\nWith --json: the Appeal.')
        .action(async (textInput: string, _options: unknown, command: Command) => {
          const context = commandContext(command);
          const text = await readTextArgument(textInput);
          await appeal(context, text, async () => ({ type: 'spamLimit' }));
        }),
    );
}

async function appeal(context: CommandContext, text: string, subjectOf: (client: MethodCaller) => Promise<Appeal['subject']>): Promise<void> {
  await withSession(context, async ({ client }) => {
    const { appeal } = await client.call('moderation.appeal', { subject: await subjectOf(client), text });
    if (context.isJson) output.json(appeal);
    else {
      const who = appeal.subject.type === 'chatBlock' ? 'a moderator other than the one who blocked it' : 'a moderator';
      output.line(`Appeal #${appeal.id} sent on ${formatDate(appeal.createdAt)}; ${who} will decide`);
    }
  });
}

/**
 * A chat id for CHAT. A blocked chat's username answers `CHAT_BLOCKED` even to its members, so
 * `@username` is then looked up among the user's own chats.
 */
async function resolveBlockedChat(client: MethodCaller, input: string): Promise<number> {
  try {
    return (await resolveChat(client, input)).chatId;
  } catch (error) {
    if (!(error instanceof RpcError && error.code === 'CHAT_BLOCKED')) throw error;
    const username = normalizeUsername(input.trim());
    const { chats } = await client.call('messages.getChats', { limit: 500 });
    const chat = chats.find((candidate) => candidate.username !== null && candidate.username.toLowerCase() === username);
    if (chat === undefined) throw new RpcError('CHAT_BLOCKED', `Cannot find chat ${input}: it is blocked and not among your chats; give its chat id`);
    return chat.id;
  }
}
