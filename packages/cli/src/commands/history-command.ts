import { RpcError, type Chat, type Message, type Peer, type User } from '@samizdat/protocol';
import { Command } from 'commander';
import { integerIn } from '../arguments.ts';
import { commandContext } from '../command-context.ts';
import { formatHistoryLine } from '../format.ts';
import { output } from '../output.ts';
import { PEER_HELP, resolvePeer, type MethodCaller } from '../peer.ts';
import { withSession } from '../session.ts';

/** Most messages one `messages.getHistory` call returns; longer histories are fetched page by page. */
const PAGE_SIZE = 100;

/** `samizdat history PEER`: the latest messages of a chat, oldest first. */
export function historyCommand(): Command {
  return new Command('history')
    .description('Show the latest messages of a chat, group or channel, oldest first')
    .argument('<peer>', PEER_HELP)
    .option('--limit <n>', 'how many messages, 1–10000', integerIn(1, 10_000), 20)
    .addHelpText(
      'after',
      '\nLines: #12 2024-05-01 10:00 Bob [forwarded from News] [reply to #3] [edited] [pinned] [👍 2 ❤️ 1] [5 views]: hi\n' +
        '(each marker only where it applies). Reading a channel counts a view of its posts.\n' +
        'A bot\'s buttons follow on lines of their own, numbered for samizdat press: "  [1] Yes  [2] No"\n' +
        '(a URL button with its <url>); a reply keyboard as "  keyboard: [Yes] [No]". Bots are marked: Echo (bot).\n' +
        '\nWith --json: an array of Message objects, oldest first (a bot\'s buttons in "replyMarkup").',
    )
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
        let messages = newestFirst.reverse();
        const chat = messages[0] === undefined ? null : await chatOrNull(client, messages[0].chatId);
        if (chat?.type === 'channel') messages = await withViewsCounted(client, peer, messages);
        if (context.isJson) {
          output.json(messages);
          return;
        }
        const pinnedMessageId = chat?.pinnedMessageId ?? null;
        for (const message of messages) output.line(formatHistoryLine(message, usersById, self.id, { pinnedMessageId }));
      });
    });
}

/** The chat, for its type and pinned message; null when the server will not say (the history is shown anyway). */
async function chatOrNull(caller: MethodCaller, chatId: number): Promise<Chat | null> {
  try {
    return (await caller.call('chats.get', { chatId })).chat;
  } catch (error) {
    if (error instanceof RpcError) return null;
    throw error;
  }
}

/**
 * Channel posts with this read counted as a view (`messages.getViews` with `increment`), with the
 * new counts.
 */
async function withViewsCounted(caller: MethodCaller, peer: Peer, messages: readonly Message[]): Promise<Message[]> {
  const views = new Map<number, number>();
  try {
    for (let start = 0; start < messages.length; start += PAGE_SIZE) {
      const messageIds = messages.slice(start, start + PAGE_SIZE).map((message) => message.id);
      const result = await caller.call('messages.getViews', { peer, messageIds, increment: true });
      for (const entry of result.views) views.set(entry.messageId, entry.views);
    }
  } catch (error) {
    // The posts are what was asked for; their counts as the history gave them will do.
    if (!(error instanceof RpcError)) throw error;
    output.note(`Warning: cannot count views: ${error.code}: ${error.message}`);
  }
  return messages.map((message) => ({ ...message, views: views.get(message.id) ?? message.views }));
}
