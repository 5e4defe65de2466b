import { normalizeUsername, RpcError } from '@samizdat/protocol';
import { Command } from 'commander';
import { commandContext } from '../command-context.ts';
import { formatChatName } from '../format.ts';
import { JOIN_HELP, joinChat } from '../join-target.ts';
import { CHAT_HELP, resolveChat } from '../peer.ts';
import { reportJoinedChat, withSession } from '../session.ts';
import { readTextArgument } from '../text-input.ts';
import { printSent, sendQueued } from './send-command.ts';

/** `samizdat channel …`: create channels, post to them, subscribe to them. */
export function channelCommand(): Command {
  return new Command('channel')
    .description('Create a channel, post to it, subscribe to one (members, admins and links: see samizdat group)')
    .addCommand(createCommand())
    .addCommand(postCommand())
    .addCommand(subscribeCommand());
}

function createCommand(): Command {
  return new Command('create')
    .description('Create a channel; prints its chat id')
    .argument('<title>', "the channel's title")
    .option('--username <name>', 'public username, which makes the channel public (a leading @ is ignored)')
    .option('--about <text>', 'description shown to visitors')
    .addHelpText('after', '\nWith --json: the new Chat object.')
    .action(async (title: string, options: { username?: string; about?: string }, command: Command) => {
      const context = commandContext(command);
      let username: string | undefined;
      if (options.username !== undefined) {
        const normalized = normalizeUsername(options.username);
        if (normalized === null) {
          throw new RpcError(
            'USERNAME_INVALID',
            `Cannot create channel with username "${options.username}": use 5–32 characters of a–z, 0–9 and _, starting with a letter`,
          );
        }
        username = normalized;
      }
      await withSession(context, async (session) => {
        const { chat } = await session.client.call('chats.createChannel', {
          title,
          ...(options.about === undefined ? {} : { about: options.about }),
          ...(username === undefined ? {} : { username }),
        });
        await reportJoinedChat(session, context.isJson, chat, String(chat.id));
      });
    });
}

function postCommand(): Command {
  return new Command('post')
    .description('Post to a channel (admins with the postMessages right); prints the id of the post')
    .argument('<chat>', CHAT_HELP)
    .argument('<text>', 'post text; - reads it from stdin')
    .option('--random-id <id>', 'idempotency key: posting again with the same key stores the post once')
    .addHelpText('after', '\nWith --json: the stored Message object.')
    .action(async (chatInput: string, textInput: string, options: { randomId?: string }, command: Command) => {
      const context = commandContext(command);
      const text = await readTextArgument(textInput);
      await withSession(context, async (session) => {
        const { chatId } = await resolveChat(session.client, chatInput);
        printSent(context, await sendQueued(context, session, { peer: { type: 'chat', chatId }, text, randomId: options.randomId }));
      });
    });
}

function subscribeCommand(): Command {
  return new Command('subscribe')
    .description('Subscribe to a public channel by @username, or to any channel by invite link')
    .argument('<target>', JOIN_HELP)
    .addHelpText('after', '\nWith --json: the Chat object of the channel.')
    .action(async (target: string, _options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async (session) => {
        const chat = await joinChat(session.client, target);
        await reportJoinedChat(session, context.isJson, chat, `Subscribed to ${formatChatName(chat.id, chat)}`);
      });
    });
}
