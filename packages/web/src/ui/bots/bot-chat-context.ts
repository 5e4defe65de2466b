import type { BotCommand, InlineButton, Message, User } from '@samizdat/protocol';
import { createContext, useContext } from 'react';

/** What bot features of one open conversation may do ([WEB68]–[WEB72]); null outside a conversation. */
export interface BotChatValue {
  /** The other user of a private chat when it is a bot, else null. */
  bot: User | null;
  /** The bot's command menu (`bots.getInfo`), empty until loaded or when it has none. */
  commands: readonly BotCommand[];
  /** The bot's description ("What can this bot do?"), shown in an empty chat. */
  description: string;
  /** Loads the command menu again (on opening it: the bot may have changed it). */
  reloadCommands: () => void;
  /** Sends a text message to the conversation, as the composer would. */
  sendText: (text: string) => void;
  /** Presses an inline button under a message: asks the bot, or opens the link. */
  pressInline: (message: Message, button: InlineButton) => Promise<void>;
  /** Shows a short notice over the conversation. */
  showToast: (text: string) => void;
}

export const BotChatContext = createContext<BotChatValue | null>(null);

export function useBotChat(): BotChatValue | null {
  return useContext(BotChatContext);
}
