import { useRef } from 'react';
import { IconButton } from '../../common/icon-button.tsx';
import { PaperclipIcon } from './media-icons.tsx';
import './media.css';

/**
 * The composer's paperclip and its hidden file input (several files at once). Shared by the
 * cloud and secret composers, which do different things with the chosen files, so it only hands
 * them over.
 */
export function FilePickerButton({ onPick }: { onPick: (files: File[]) => void }) {
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
          const files = Array.from(input.files ?? []);
          // The same file chosen again is a new attachment.
          input.value = '';
          onPick(files);
        }}
      />
    </>
  );
}
