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
  inside,
  placeholder,
  assist,
}: {
  initialText: string;
  onDraftChange: (text: string) => void;
  onSend: (text: string) => void;
  onEscape?: (() => void) | undefined;
  /** Shown before the text box and after the send button: the attach and microphone buttons ([WEB20], [WEB22]). */
  before?: ReactNode;
  after?: ReactNode;
  /** Shown between the text box and the send button: the bot keyboard's toggle ([WEB69]). */
  inside?: ReactNode;
  /** @default "Message"; a bot's keyboard or forced reply may ask for its own ([WEB69], [WEB70]). */
  placeholder?: string | undefined;
  /** Shown over the composer from its text, with a way to send in its place: the bot command suggestions ([WEB71]). */
  assist?: ((text: string, submit: (text: string) => void) => ReactNode) | undefined;
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

  function submit(value: string): void {
    if (value.trim() === '') return;
    onSend(value);
    change('');
    ref.current?.focus();
  }

  function send(): void {
    submit(text);
  }

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      {assist?.(text, submit)}
      {before}
      <textarea
        ref={ref}
        className="composer-input"
        aria-label="Message"
        placeholder={placeholder ?? 'Message'}
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
      {inside}
      <IconButton label="Send message" type="submit" className="send-button" disabled={text.trim() === ''}>
        <SendIcon />
      </IconButton>
      {after}
    </form>
  );
}
