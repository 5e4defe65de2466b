import type { InlineButton, Message } from '@samizdat/protocol';
import { useState } from 'react';
import { inlineAction } from '../../model/bot-markup.ts';
import { useBotChat } from './bot-chat-context.ts';
import { LinkArrowIcon } from './bot-icons.tsx';

/**
 * The buttons under a bot's message ([WEB68]), row by row as the bot laid them out. A callback
 * button asks the bot (a spinner on it meanwhile, `aria-busy`); a URL button is a link that opens
 * in a new tab (`rel="noopener noreferrer"`), marked with an arrow.
 */
export function InlineKeyboard({ message }: { message: Message }) {
  const bots = useBotChat();
  const [busy, setBusy] = useState<string | null>(null);
  const markup = message.replyMarkup;
  if (markup?.type !== 'inlineKeyboard' || markup.rows.length === 0) return null;

  function press(key: string, button: InlineButton): void {
    if (bots === null || busy === key) return;
    setBusy(key);
    void bots.pressInline(message, button).finally(() => setBusy((current) => (current === key ? null : current)));
  }

  return (
    <div className="inline-keyboard" role="group" aria-label="Bot buttons">
      {markup.rows.map((row, rowIndex) => (
        <div className="inline-keyboard-row" key={rowIndex}>
          {row.map((button, index) => {
            const key = `${rowIndex}:${index}`;
            const action = inlineAction(button);
            if (action.kind === 'url') {
              return (
                <a key={key} className="inline-button" href={action.url} target="_blank" rel="noopener noreferrer" title={action.url}>
                  <span className="inline-button-text">{button.text}</span>
                  <span className="inline-button-corner">
                    <LinkArrowIcon />
                  </span>
                </a>
              );
            }
            const isBusy = busy === key;
            return (
              <button
                key={key}
                type="button"
                className="inline-button"
                aria-busy={isBusy}
                disabled={action.kind === 'none' || bots === null}
                onClick={() => press(key, button)}
              >
                <span className="inline-button-text">{button.text}</span>
                {isBusy && <span className="inline-button-spinner" role="progressbar" aria-label="Waiting for the bot" />}
              </button>
            );
          })}
        </div>
      ))}
    </div>
  );
}
