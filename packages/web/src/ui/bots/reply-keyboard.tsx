import type { ReplyKeyboard } from '../../model/bot-markup.ts';

/** A bot's reply keyboard over the composer ([WEB69]): each button sends its text. */
export function ReplyKeyboardPanel({ keyboard, onPress }: { keyboard: ReplyKeyboard; onPress: (text: string) => void }) {
  return (
    <div className={`reply-keyboard ${keyboard.resize ? 'resized' : ''}`} role="group" aria-label="Bot keyboard">
      {keyboard.rows.map((row, rowIndex) => (
        <div className="reply-keyboard-row" key={rowIndex}>
          {row.map((button, index) => (
            <button key={index} type="button" className="reply-keyboard-button" onClick={() => onPress(button.text)}>
              {button.text}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}
