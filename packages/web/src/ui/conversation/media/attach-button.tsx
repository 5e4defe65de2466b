import { useRef } from 'react';
import { IconButton } from '../../common/icon-button.tsx';
import type { AttachTarget } from './attach-files.ts';
import { useMediaServices } from './media-context.tsx';
import { PaperclipIcon } from './media-icons.tsx';
import './media.css';

/** The composer's paperclip: opens the file picker (several files at once) and puts what was chosen in the attach dialog. */
export function AttachButton({ target }: { target: AttachTarget }) {
  const { staged } = useMediaServices();
  const inputRef = useRef<HTMLInputElement>(null);
  return (
    <>
      <IconButton label="Attach files" className="attach-button" onClick={() => inputRef.current?.click()}>
        <PaperclipIcon />
      </IconButton>
      <input
        ref={inputRef}
        type="file"
        multiple
        hidden
        aria-label="Files to attach"
        onChange={(event) => {
          const input = event.currentTarget;
          staged.stage(Array.from(input.files ?? []), target);
          // The same file chosen again is a new attachment.
          input.value = '';
        }}
      />
    </>
  );
}
