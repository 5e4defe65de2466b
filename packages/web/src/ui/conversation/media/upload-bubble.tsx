import { CloseIcon } from '../../common/icons.tsx';
import { IconButton } from '../../common/icon-button.tsx';
import { formatBytes } from '../../../model/media-format.ts';
import type { UploadItem } from '../../../model/upload-queue.ts';
import { FileIcon, MicIcon, PlayIcon } from './media-icons.tsx';

const KIND_NAMES = { photo: 'Photo', video: 'Video', voice: 'Voice message', document: 'File' } as const;

/** A file on its way up, as an own bubble: name, a progress bar with its percentage, and cancel (or remove, once failed). */
export function UploadBubble({ item, onCancel }: { item: UploadItem; onCancel: (id: string) => void }) {
  const percent = item.size === 0 ? 0 : Math.floor((item.sentBytes / item.size) * 100);
  const isFailed = item.error !== null;
  return (
    <div className="message-row own first">
      <div className={`bubble pending upload-bubble ${isFailed ? 'failed' : ''}`} data-upload-id={item.id} data-upload-kind={item.kind}>
        <span className="upload-icon">{item.kind === 'voice' ? <MicIcon /> : item.kind === 'video' ? <PlayIcon /> : <FileIcon />}</span>
        <div className="upload-body">
          <span className="upload-name" title={item.name}>
            {item.kind === 'document' ? item.name : `${KIND_NAMES[item.kind]} · ${item.name}`}
          </span>
          <div
            className="upload-progress"
            role="progressbar"
            aria-label={`Uploading ${item.name}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
          >
            <span style={{ width: `${percent}%` }} />
          </div>
          <span className="upload-status">
            {isFailed ? <span role="alert">Upload failed</span> : `${percent}% · ${formatBytes(item.sentBytes)} of ${formatBytes(item.size)}`}
          </span>
        </div>
        <IconButton label={isFailed ? 'Remove failed upload' : 'Cancel upload'} className="upload-cancel" onClick={() => onCancel(item.id)}>
          <CloseIcon />
        </IconButton>
      </div>
    </div>
  );
}
