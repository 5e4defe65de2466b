import { RpcError } from '@samizdat/protocol';
import { Command } from 'commander';
import { commandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { PEER_HELP, resolvePeer } from '../peer.ts';
import { withSession } from '../session.ts';

/** `samizdat pin-chat PEER [--unpin]`: pins a chat to the top of the user's chat list on every device ([MM14]). */
export function pinChatCommand(): Command {
  return new Command('pin-chat')
    .description('Pin a chat to the top of your chat list (on all your devices; at most 10), or unpin it with --unpin')
    .argument('<peer>', PEER_HELP)
    .option('--unpin', 'unpin the chat')
    .addHelpText('after', '\nWith --json: {"ok":true,"chatId":5,"pinned":true}.')
    .action(async (peerInput: string, options: { unpin?: boolean }, command: Command) => {
      const context = commandContext(command);
      const pinned = options.unpin !== true;
      await withSession(context, async ({ client, user: self }) => {
        const { peer } = await resolvePeer(client, peerInput, self);
        let chatId: number;
        if (peer.type === 'chat') chatId = peer.chatId;
        else {
          const { chats } = await client.call('messages.getChats', { limit: 500 });
          const chat = chats.find((candidate) => candidate.type === 'private' && candidate.peerUserId === peer.userId);
          if (chat === undefined) throw new RpcError('PEER_ID_INVALID', `Cannot pin the chat with ${peerInput}: you have no chat with them yet`);
          chatId = chat.id;
        }
        await client.call('messages.setChatPinned', { chatId, pinned });
        if (context.isJson) output.json({ ok: true, chatId, pinned });
        else output.line(pinned ? `Pinned chat ${chatId}` : `Unpinned chat ${chatId}`);
      });
    });
}
