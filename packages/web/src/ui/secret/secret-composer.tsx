import type { SecretMessage } from '@samizdat/client';
import { MAX_MESSAGE_LENGTH } from '@samizdat/protocol';
import { useLayoutEffect, useRef, useState } from 'react';
import { CloseIcon, SendIcon } from '../common/icons.tsx';
import { IconButton } from '../common/icon-button.tsx';
import { LockIcon } from './secret-icons.tsx';

const MAX_HEIGHT_PX = 200;

/**
 * The message box of a secret chat ([WEB42]): Enter sends, Shift+Enter starts a new line; a reply
 * shows above it until sent or cancelled. Its text is encrypted on this device before it leaves.
 */
export function SecretComposer({ replyTo, replyName, onCancelReply, onSend }: { replyTo: SecretMessage | null; replyName: string; onCancelReply: () => void; onSend: (text: string) => void }) {
  const [text, setText] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);

  useLayoutEffect(() => {
    const area = ref.current;
    if (area === null) return;
    area.style.height = 'auto';
    area.style.height = `${Math.min(area.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  useLayoutEffect(() => {
    if (replyTo !== null) ref.current?.focus();
  }, [replyTo]);

  function send(): void {
    if (text.trim() === '') return;
    onSend(text);
    setText('');
    ref.current?.focus();
  }

  return (
    <div className="secret-composer-wrap">
      {replyTo !== null && (
        <div className="secret-reply-bar">
          <p className="secret-reply-quote">
            <span className="secret-reply-name">Reply to {replyName}</span>
            <span className="secret-reply-text">{replyTo.text || replyTo.file?.name || ''}</span>
          </p>
          <IconButton label="Cancel reply" onClick={onCancelReply}>
            <CloseIcon />
          </IconButton>
        </div>
      )}
      <form
        className="composer"
        onSubmit={(event) => {
          event.preventDefault();
          send();
        }}
      >
        <textarea
          ref={ref}
          className="composer-input"
          aria-label="Secret message"
          placeholder="Encrypted message"
          rows={1}
          maxLength={MAX_MESSAGE_LENGTH}
          value={text}
          autoFocus={window.matchMedia('(pointer: fine)').matches}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape' && replyTo !== null) {
              event.stopPropagation();
              onCancelReply();
            } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              send();
            }
          }}
        />
        <IconButton label="Send encrypted message" type="submit" className="send-button" disabled={text.trim() === ''}>
          {text.trim() === '' ? <LockIcon size={20} /> : <SendIcon />}
        </IconButton>
      </form>
    </div>
  );
}
