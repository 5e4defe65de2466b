import { RequestTimeoutError, RpcError, type SamizdatClient } from '@samizdat/client';
import type { BotCommand, InlineButton, Message, User } from '@samizdat/protocol';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { callbackErrorText, inlineAction, safeExternalUrl } from '../../model/bot-markup.ts';
import { userName } from '../../model/format.ts';
import { Dialog } from '../common/dialog.tsx';
import { errorText } from '../common/error-text.ts';
import { BotChatContext, type BotChatValue } from './bot-chat-context.ts';
import './bots.css';

/** How long a toast stays. */
const TOAST_MS = 3_500;

/** Opens a link in a new tab that cannot reach back to this page. */
export function openExternal(url: string): void {
  window.open(url, '_blank', 'noopener,noreferrer');
}

/**
 * The bot features of one open conversation ([WEB68]–[WEB72]): the bot of a private chat and its
 * command menu, inline button presses (`messages.getBotCallbackAnswer`) with their answers as a
 * toast, an alert or a link, and sending text for keyboards, commands and "Start".
 */
export function BotChatProvider({ client, bot, onSendText, children }: { client: SamizdatClient | null; bot: User | null; onSendText: (text: string) => void; children: ReactNode }) {
  const [info, setInfo] = useState<{ botId: number; commands: readonly BotCommand[]; description: string } | null>(null);
  const [toast, setToast] = useState<{ serial: number; text: string } | null>(null);
  const [alert, setAlert] = useState<string | null>(null);
  const botId = bot?.id ?? null;

  const reloadCommands = useCallback(() => {
    if (client === null || botId === null) return;
    client
      .call('bots.getInfo', { botId })
      .then((result) => setInfo({ botId, commands: result.commands, description: result.description }))
      .catch((error: unknown) => console.warn('bot info', error));
  }, [client, botId]);
  useEffect(() => reloadCommands(), [reloadCommands]);

  useEffect(() => {
    if (toast === null) return;
    const timer = setTimeout(() => setToast(null), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast]);

  const showToast = useCallback((text: string) => setToast((previous) => ({ serial: (previous?.serial ?? 0) + 1, text })), []);

  const pressInline = useCallback(
    async (message: Message, button: InlineButton) => {
      const action = inlineAction(button);
      if (action.kind === 'url') {
        openExternal(action.url);
        return;
      }
      if (action.kind !== 'callback' || client === null) return;
      try {
        const answer = await client.call('messages.getBotCallbackAnswer', { peer: { type: 'chat', chatId: message.chatId }, messageId: message.id, data: action.data });
        if (answer.message !== null && answer.message !== '') {
          if (answer.alert) setAlert(answer.message);
          else showToast(answer.message);
        }
        const url = answer.url === null ? null : safeExternalUrl(answer.url);
        if (url !== null) openExternal(url);
      } catch (error) {
        const code = error instanceof RpcError ? error.code : error instanceof RequestTimeoutError ? 'REQUEST_TIMEOUT' : null;
        showToast(callbackErrorText(code, errorText(error)));
      }
    },
    [client, showToast],
  );

  const commands = info !== null && info.botId === botId ? info.commands : NO_COMMANDS;
  const value = useMemo<BotChatValue>(
    () => ({ bot, commands, description: info !== null && info.botId === botId ? info.description : '', reloadCommands, sendText: onSendText, pressInline, showToast }),
    [bot, commands, info, botId, reloadCommands, onSendText, pressInline, showToast],
  );
  return (
    <BotChatContext.Provider value={value}>
      {children}
      {toast !== null && (
        <div key={toast.serial} className="bot-toast" role="status" aria-live="polite">
          {toast.text}
        </div>
      )}
      {alert !== null && (
        <Dialog title={bot === null ? 'Bot' : userName(bot)} onClose={() => setAlert(null)}>
          <p className="bot-alert-text" role="alert">
            {alert}
          </p>
          <div className="bot-alert-actions">
            <button type="button" className="primary-button" autoFocus onClick={() => setAlert(null)}>
              OK
            </button>
          </div>
        </Dialog>
      )}
    </BotChatContext.Provider>
  );
}

const NO_COMMANDS: readonly BotCommand[] = [];
