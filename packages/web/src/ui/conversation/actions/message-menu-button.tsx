import type { Message } from '@samizdat/protocol';
import { useConversationActions } from './actions-context.ts';
import { MessageMenuTrigger } from './message-menu-trigger.tsx';

/** A cloud bubble's "⋯" button: opens the conversation's message menu, where there is one. */
export function MessageMenuButton({ message }: { message: Message }) {
  const context = useConversationActions();
  if (context === null) return null;
  return <MessageMenuTrigger onOpen={(point) => context.openMenu(message, point)} />;
}
