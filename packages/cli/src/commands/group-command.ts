import type { AdminRights, ChatMember, User } from '@samizdat/protocol';
import { Command, Option } from 'commander';
import type { SamizdatClient } from '@samizdat/client';
import { ADMIN_RIGHT_NAMES, integerIn, parseList, parseRights } from '../arguments.ts';
import { CliError } from '../cli-error.ts';
import { commandContext } from '../command-context.ts';
import { formatChatName, formatMemberLine, formatRights, formatUser } from '../format.ts';
import { JOIN_HELP, joinChat } from '../join-target.ts';
import { output } from '../output.ts';
import { CHAT_HELP, USER_HELP, resolveChat, resolveUser } from '../peer.ts';
import { reportJoinedChat, withSession } from '../session.ts';

/** Rights a promoted admin gets when `group admin` is given no `--rights`: all but appointing admins. */
const DEFAULT_ADMIN_RIGHTS: AdminRights = {
  changeInfo: true,
  deleteMessages: true,
  banUsers: true,
  inviteUsers: true,
  pinMessages: true,
  addAdmins: false,
  postMessages: true,
};

/** Most members one `chats.getMembers` call returns. */
const MEMBERS_PAGE_SIZE = 200;

/** `samizdat group …`: create groups, manage their members, admins and invite links. */
export function groupCommand(): Command {
  return new Command('group')
    .description('Create a group and manage members, admins and invite links (the member commands work on channels too)')
    .addCommand(createCommand())
    .addCommand(addCommand())
    .addCommand(removeCommand())
    .addCommand(linkCommand())
    .addCommand(joinCommand())
    .addCommand(leaveCommand())
    .addCommand(membersCommand())
    .addCommand(adminCommand())
    .addCommand(banCommand());
}

function createCommand(): Command {
  return new Command('create')
    .description('Create a group, optionally with members; prints its chat id')
    .argument('<title>', 'the group\'s title')
    .option('--members <peers>', `comma-separated users to add (${USER_HELP})`, parseList)
    .addHelpText('after', '\nWith --json: the new Chat object.')
    .action(async (title: string, options: { members?: string[] }, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async (session) => {
        const { client, user: self } = session;
        const userIds: number[] = [];
        for (const member of options.members ?? []) userIds.push((await resolveUser(client, member, self)).id);
        const { chat } = await client.call('chats.createGroup', { title, userIds });
        await reportJoinedChat(session, context.isJson, chat, String(chat.id));
      });
    });
}

function addCommand(): Command {
  return new Command('add')
    .description('Add users to a group or channel')
    .argument('<chat>', CHAT_HELP)
    .argument('<peers...>', USER_HELP)
    .addHelpText('after', '\nWith --json: {"ok":true,"chatId":5,"userIds":[7,8]}')
    .action(async (chatInput: string, peerInputs: string[], _options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client, user: self }) => {
        const { chatId, chat } = await resolveChat(client, chatInput);
        const users: User[] = [];
        for (const input of peerInputs) users.push(await resolveUser(client, input, self));
        const userIds = users.map((user) => user.id);
        await client.call('chats.addMembers', { chatId, userIds });
        if (context.isJson) output.json({ ok: true, chatId, userIds });
        else output.line(`Added ${users.map(formatUser).join(', ')} to ${formatChatName(chatId, chat)}`);
      });
    });
}

/**
 * A command that does one thing to one member of a chat (`remove`, `ban`): the same arguments, the
 * same JSON, a sentence that names what happened.
 */
function memberActionCommand(spec: {
  name: string;
  description: string;
  act: (client: SamizdatClient, chatId: number, userId: number) => Promise<unknown>;
  done: string;
}): Command {
  return new Command(spec.name)
    .description(spec.description)
    .argument('<chat>', CHAT_HELP)
    .argument('<peer>', USER_HELP)
    .addHelpText('after', '\nWith --json: {"ok":true,"chatId":5,"userId":7}')
    .action(async (chatInput: string, peerInput: string, _options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client, user: self }) => {
        const { chatId, chat } = await resolveChat(client, chatInput);
        const user = await resolveUser(client, peerInput, self);
        await spec.act(client, chatId, user.id);
        if (context.isJson) output.json({ ok: true, chatId, userId: user.id });
        else output.line(`${spec.done} ${formatUser(user)} from ${formatChatName(chatId, chat)}`);
      });
    });
}

function removeCommand(): Command {
  return memberActionCommand({
    name: 'remove',
    description: 'Remove a member from a group or channel (they may join again; see ban)',
    act: (client, chatId, userId) => client.call('chats.removeMember', { chatId, userId }),
    done: 'Removed',
  });
}

function linkCommand(): Command {
  return new Command('link')
    .description('Create an invite link to a group or channel; prints the link')
    .argument('<chat>', CHAT_HELP)
    .option('--expire-in <seconds>', 'the link stops working after this many seconds', integerIn(1, 10 * 366 * 86_400))
    .option('--usage-limit <n>', 'the link stops working after this many joins, 1–1000000', integerIn(1, 1_000_000))
    .addHelpText('after', '\nWith --json: the InviteLink object, {"link","hash","creatorId","expireDate","usageLimit","usageCount","isRevoked"}.')
    .action(async (chatInput: string, options: { expireIn?: number; usageLimit?: number }, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client }) => {
        const { chatId } = await resolveChat(client, chatInput);
        const { invite } = await client.call('chats.exportInviteLink', {
          chatId,
          ...(options.expireIn === undefined ? {} : { expireDate: Math.floor(Date.now() / 1000) + options.expireIn }),
          ...(options.usageLimit === undefined ? {} : { usageLimit: options.usageLimit }),
        });
        if (context.isJson) output.json(invite);
        else output.line(invite.link);
      });
    });
}

function joinCommand(): Command {
  return new Command('join')
    .description('Join a group (or channel) by invite link, or a public one by @username')
    .argument('<target>', JOIN_HELP)
    .addHelpText('after', '\nWith --json: the Chat object of the group joined.')
    .action(async (target: string, _options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async (session) => {
        const chat = await joinChat(session.client, target);
        await reportJoinedChat(session, context.isJson, chat, `Joined ${formatChatName(chat.id, chat)}`);
      });
    });
}

function leaveCommand(): Command {
  return new Command('leave')
    .description('Leave a group or channel')
    .argument('<chat>', CHAT_HELP)
    .addHelpText('after', '\nWith --json: {"ok":true,"chatId":5}')
    .action(async (chatInput: string, _options: unknown, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client }) => {
        const { chatId, chat } = await resolveChat(client, chatInput);
        await client.call('chats.leave', { chatId });
        if (context.isJson) output.json({ ok: true, chatId });
        else output.line(`Left ${formatChatName(chatId, chat)}`);
      });
    });
}

function membersCommand(): Command {
  return new Command('members')
    .description('List the members of a group or channel with their roles')
    .argument('<chat>', CHAT_HELP)
    .addOption(new Option('--filter <which>', 'all members, only admins, or the banned').choices(['all', 'admins', 'banned']).default('all'))
    .option('--limit <n>', 'how many members to show, 1–200000', integerIn(1, 200_000), 1000)
    .addHelpText(
      'after',
      '\nLines: [user 4] Bob (@bob) · admin: deleteMessages, banUsers\n' +
        '\nWith --json: an array of ChatMember objects, each with "user": the User (null if the server sent none).',
    )
    .action(async (chatInput: string, options: { filter: 'all' | 'admins' | 'banned'; limit: number }, command: Command) => {
      const context = commandContext(command);
      await withSession(context, async ({ client }) => {
        const { chatId } = await resolveChat(client, chatInput);
        const members: ChatMember[] = [];
        const users = new Map<number, User>();
        while (members.length < options.limit) {
          const limit = Math.min(MEMBERS_PAGE_SIZE, options.limit - members.length);
          const page = await client.call('chats.getMembers', { chatId, filter: options.filter, offset: members.length, limit });
          for (const user of page.users) users.set(user.id, user);
          members.push(...page.members);
          if (page.members.length < limit || members.length >= page.count) break;
        }
        if (context.isJson) {
          output.json(members.map((member) => ({ ...member, user: users.get(member.userId) ?? null })));
          return;
        }
        if (members.length === 0) output.line('No members');
        for (const member of members) output.line(formatMemberLine(member, users.get(member.userId)));
      });
    });
}

function adminCommand(): Command {
  return new Command('admin')
    .description('Make a member an admin with the given rights, or with --remove a plain member again')
    .argument('<chat>', CHAT_HELP)
    .argument('<peer>', USER_HELP)
    .option('--rights <list>', `comma-separated rights, or all: ${ADMIN_RIGHT_NAMES.join(',')} (default: all but addAdmins)`, parseRights)
    .option('--remove', 'take the admin rights away')
    .addHelpText('after', '\nWith --json: {"ok":true,"chatId":5,"userId":7,"rights":{…AdminRights}} (rights null after --remove).')
    .action(async (chatInput: string, peerInput: string, options: { rights?: AdminRights; remove?: boolean }, command: Command) => {
      const context = commandContext(command);
      if (options.rights !== undefined && options.remove === true) {
        throw new CliError('USAGE_INVALID', 'Cannot set admin rights: pass either --rights or --remove, not both');
      }
      const rights = options.remove === true ? null : (options.rights ?? DEFAULT_ADMIN_RIGHTS);
      await withSession(context, async ({ client, user: self }) => {
        const { chatId, chat } = await resolveChat(client, chatInput);
        const user = await resolveUser(client, peerInput, self);
        await client.call('chats.setAdmin', { chatId, userId: user.id, rights });
        if (context.isJson) output.json({ ok: true, chatId, userId: user.id, rights });
        else if (rights === null) output.line(`${formatUser(user)} is no longer an admin of ${formatChatName(chatId, chat)}`);
        else output.line(`${formatUser(user)} is an admin of ${formatChatName(chatId, chat)}: ${formatRights(rights) || 'no rights'}`);
      });
    });
}

function banCommand(): Command {
  return memberActionCommand({
    name: 'ban',
    description: 'Remove a user from a group or channel and keep them out (no rejoining by link or username)',
    act: (client, chatId, userId) => client.call('chats.ban', { chatId, userId, untilDate: null }),
    done: 'Banned',
  });
}
