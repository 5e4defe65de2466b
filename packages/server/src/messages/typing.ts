import { RpcError, type ChatAction, type Peer } from '@samizdat/protocol';
import { chatTopic, userTopic, type Bus } from '../bus/bus.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { MessageService } from './message-service.ts';

/** How long a typing indicator shows unless renewed, as on Telegram. */
export const TYPING_SECONDS = 6;

/**
 * Tells the others in a chat that the user is typing. Ephemeral: pushed to whoever is online and
 * never stored, so it costs nothing to those who are not.
 */
export async function announceTyping(
  deps: { messages: MessageService; bus: Bus; clock: Clock },
  userId: number,
  peer: Peer,
  action: ChatAction,
): Promise<void> {
  // Typing to someone for the first time opens the chat, as the message being typed would.
  const target = (await deps.messages.open(userId, peer, 'send', { createPrivate: true }))!;
  if (target.chat.type === 'channel') throw new RpcError('CHAT_WRITE_FORBIDDEN', 'Cannot show typing in a channel');
  const frame = { type: 'typing' as const, chatId: target.chat.id, userId, action, expiresAt: unixSeconds(deps.clock) + TYPING_SECONDS };
  if (target.chat.type === 'group') {
    deps.bus.publish(chatTopic(target.chat.id), { kind: 'typing', frame });
    return;
  }
  for (const memberId of target.access.memberIds.filter((id) => id !== userId)) deps.bus.publish(userTopic(memberId), { kind: 'typing', frame });
}
