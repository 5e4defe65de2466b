import { MAX_CAPTION_LENGTH } from '@samizdat/protocol';
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { Dialog } from '../../common/dialog.tsx';
import { formatBytes } from '../../../model/media-format.ts';
import { mediaKindOf } from '../../../model/upload-queue.ts';
import { attachFiles } from './attach-files.ts';
import { useMediaServices } from './media-context.tsx';
import { FileIcon, PlayIcon } from './media-icons.tsx';
import './media.css';

/**
 * The files picked or dropped, before they go ([WEB20]): a preview of each (images as pictures),
 * a caption for the first, "Send" (or Enter) and "Cancel" (or Esc).
 */
export function AttachDialog() {
  const { staged, uploads } = useMediaServices();
  const selection = useSyncExternalStore(staged.subscribe, staged.getSnapshot);
  const [caption, setCaption] = useState('');
  useEffect(() => {
    if (selection === null) setCaption('');
  }, [selection]);
  if (selection === null) return null;
  const { files, target } = selection;

  function send(): void {
    if (selection === null) return;
    attachFiles(uploads, selection.files, selection.target, caption.trim());
    staged.clear();
  }

  return (
    <Dialog title={dialogTitle(files)} onClose={() => staged.clear()}>
      <form
        className="dialog-form attach-dialog"
        onSubmit={(event) => {
          event.preventDefault();
          send();
        }}
      >
        <ul className="attach-previews" aria-label="Files to send">
          {files.map((file, index) => (
            <FilePreview key={`${target.key}-${index}`} file={file} />
          ))}
        </ul>
        <label className="field">
          <span>Caption</span>
          <textarea
            className="attach-caption"
            rows={2}
            autoFocus
            maxLength={MAX_CAPTION_LENGTH}
            placeholder="Add a caption…"
            value={caption}
            onChange={(event) => setCaption(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
                event.preventDefault();
                send();
              }
            }}
          />
        </label>
        <div className="attach-actions">
          <button type="button" className="secondary-button" onClick={() => staged.clear()}>
            Cancel
          </button>
          <button type="submit" className="primary-button">
            Send
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function dialogTitle(files: readonly File[]): string {
  if (files.length > 1) return `Send ${files.length} files`;
  const kind = mediaKindOf(files[0]?.type ?? '');
  return kind === 'photo' ? 'Send photo' : kind === 'video' ? 'Send video' : 'Send file';
}

/** One file of the selection: an image as itself, anything else as its name and size. */
function FilePreview({ file }: { file: File }) {
  const kind = mediaKindOf(file.type);
  const url = useMemo(() => (kind === 'photo' ? URL.createObjectURL(file) : null), [file, kind]);
  useEffect(() => () => {
    if (url !== null) URL.revokeObjectURL(url);
  }, [url]);
  return (
    <li className="attach-preview" data-kind={kind}>
      {url !== null ? (
        <img src={url} alt={file.name} />
      ) : (
        <>
          <span className="upload-icon">{kind === 'video' ? <PlayIcon /> : <FileIcon />}</span>
          <span className="attach-preview-text">
            <span className="media-document-name">{file.name}</span>
            <span className="media-document-size">{formatBytes(file.size)}</span>
          </span>
        </>
      )}
    </li>
  );
}
