import type { SecretMessage } from '@samizdat/client';
import { MAX_MESSAGE_LENGTH } from '@samizdat/protocol';
import { useLayoutEffect, useRef, useState } from 'react';
import { CloseIcon, SendIcon } from '../common/icons.tsx';
import { IconButton } from '../common/icon-button.tsx';
import { FilePickerButton } from '../conversation/media/file-picker-button.tsx';
import { LockIcon } from './secret-icons.tsx';

const MAX_HEIGHT_PX = 200;

/** What the composer is doing besides writing a new message. */
export type SecretComposerMode = { kind: 'reply'; message: SecretMessage; name: string } | { kind: 'edit'; message: SecretMessage };

/**
 * The message box of a secret chat ([WEB42]): Enter sends, Shift+Enter starts a new line; a reply
 * shows above it until sent or cancelled. Edit mode ([WEB48]) puts the message's text in it and
 * Enter saves; Esc leaves either mode. The paperclip picks files to send encrypted ([WEB49]).
 * Everything is encrypted on this device before it leaves.
 */
export function SecretComposer({ mode, onCancelMode, onSend, onSaveEdit, onAttach }: { mode: SecretComposerMode | null; onCancelMode: () => void; onSend: (text: string) => void; onSaveEdit: (message: SecretMessage, text: string) => void; onAttach: (files: File[]) => void }) {
  const [text, setText] = useState('');
  const draft = useRef('');
  const ref = useRef<HTMLTextAreaElement>(null);
  const isEditing = mode?.kind === 'edit';

  useLayoutEffect(() => {
    const area = ref.current;
    if (area === null) return;
    area.style.height = 'auto';
    area.style.height = `${Math.min(area.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  const editedId = mode?.kind === 'edit' ? mode.message.id : null;
  useLayoutEffect(() => {
    if (mode === null) return;
    if (mode.kind === 'edit') {
      setText((current) => {
        draft.current = current;
        return mode.message.text;
      });
    }
    ref.current?.focus();
    // Only a new message to reply to or edit changes the box.
  }, [mode?.kind, mode?.message.id]);

  function leaveEdit(): void {
    setText(draft.current);
    draft.current = '';
  }

  function send(): void {
    if (text.trim() === '') return;
    if (mode?.kind === 'edit') {
      if (text !== mode.message.text) onSaveEdit(mode.message, text);
      else onCancelMode();
      leaveEdit();
    } else {
      onSend(text);
      setText('');
    }
    ref.current?.focus();
  }

  return (
    <div className="secret-composer-wrap">
      {mode !== null && (
        <div className="secret-reply-bar" data-mode={mode.kind}>
          <p className="secret-reply-quote">
            <span className="secret-reply-name">{mode.kind === 'reply' ? `Reply to ${mode.name}` : 'Edit message'}</span>
            <span className="secret-reply-text">{mode.message.text || mode.message.file?.name || ''}</span>
          </p>
          <IconButton
            label={mode.kind === 'reply' ? 'Cancel reply' : 'Cancel editing'}
            onClick={() => {
              if (mode.kind === 'edit') leaveEdit();
              onCancelMode();
            }}
          >
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
        {!isEditing && <FilePickerButton onPick={(files) => { if (files.length > 0) onAttach(files); }} />}
        <textarea
          ref={ref}
          className="composer-input"
          aria-label="Secret message"
          placeholder={isEditing ? 'Edit message' : 'Encrypted message'}
          rows={1}
          maxLength={MAX_MESSAGE_LENGTH}
          value={text}
          data-editing={editedId ?? undefined}
          autoFocus={window.matchMedia('(pointer: fine)').matches}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape' && mode !== null) {
              event.stopPropagation();
              if (mode.kind === 'edit') leaveEdit();
              onCancelMode();
            } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              send();
            }
          }}
        />
        <IconButton label={isEditing ? 'Save edit' : 'Send encrypted message'} type="submit" className="send-button" disabled={text.trim() === ''}>
          {text.trim() === '' ? <LockIcon size={20} /> : <SendIcon />}
        </IconButton>
      </form>
    </div>
  );
}
