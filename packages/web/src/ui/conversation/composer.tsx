import { MAX_MESSAGE_LENGTH } from '@samizdat/protocol';
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { SendIcon } from '../common/icons.tsx';
import { IconButton } from '../common/icon-button.tsx';

const MAX_ROWS_HEIGHT_PX = 200;

/**
 * The message box: grows with its text up to a limit; Enter sends, Shift+Enter starts a new line.
 * Its text is the conversation's draft, kept when the user switches chats.
 */
export function Composer({
  initialText,
  onDraftChange,
  onSend,
  onEscape,
  before,
  after,
}: {
  initialText: string;
  onDraftChange: (text: string) => void;
  onSend: (text: string) => void;
  onEscape?: (() => void) | undefined;
  /** Shown before the text box and after the send button: the attach and microphone buttons ([WEB20], [WEB22]). */
  before?: ReactNode;
  after?: ReactNode;
}) {
  const [text, setText] = useState(initialText);
  const ref = useRef<HTMLTextAreaElement>(null);

  useLayoutEffect(() => {
    const area = ref.current;
    if (area === null) return;
    area.style.height = 'auto';
    area.style.height = `${Math.min(area.scrollHeight, MAX_ROWS_HEIGHT_PX)}px`;
  }, [text]);

  function change(next: string): void {
    setText(next);
    onDraftChange(next);
  }

  function send(): void {
    if (text.trim() === '') return;
    onSend(text);
    change('');
    ref.current?.focus();
  }

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      {before}
      <textarea
        ref={ref}
        className="composer-input"
        aria-label="Message"
        placeholder="Message"
        rows={1}
        maxLength={MAX_MESSAGE_LENGTH}
        value={text}
        autoFocus={window.matchMedia('(pointer: fine)').matches}
        onChange={(event) => change(event.target.value)}
        onKeyDown={(event) => {
          // Esc leaves reply or edit mode ([WEB11]) before it means anything else.
          if (event.key === 'Escape' && onEscape !== undefined) {
            event.preventDefault();
            event.stopPropagation();
            onEscape();
            return;
          }
          // Not while an input method is composing: its Enter confirms the composition.
          if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
            event.preventDefault();
            send();
          }
        }}
      />
      <IconButton label="Send message" type="submit" className="send-button" disabled={text.trim() === ''}>
        <SendIcon />
      </IconButton>
      {after}
    </form>
  );
}
