import { formatBytes } from '../../model/media-format.ts';
import { FileIcon } from '../conversation/media/media-icons.tsx';
import { IconButton } from '../common/icon-button.tsx';
import { CloseIcon } from '../common/icons.tsx';
import '../conversation/media/media.css';

/** A file being encrypted and uploaded to a secret chat. */
export interface SecretUpload {
  key: number;
  name: string;
  size: number;
  /** Share of the file encrypted and handed to the upload, 0 to 1; null until reading starts. */
  progress: number | null;
  error: string | null;
}

/**
 * Files on their way into a secret chat ([WEB49]), as own bubbles at the end of the history: the
 * name, "Encrypting and uploading…" with a progress bar (the share of the file encrypted and
 * handed to the upload), or the failure with a button to dismiss it.
 */
export function SecretUploadList({ uploads, onDismiss }: { uploads: readonly SecretUpload[]; onDismiss: (key: number) => void }) {
  if (uploads.length === 0) return null;
  return (
    <div className="secret-uploads">
      {uploads.map((upload) => {
        const percent = upload.progress === null ? null : Math.round(upload.progress * 100);
        return (
          <div key={upload.key} className="message-row own secret-message-row">
            <div className="bubble upload-bubble secret-upload" data-failed={upload.error !== null}>
              <span className="upload-icon">
                <FileIcon />
              </span>
              <span className="upload-body">
                <span className="upload-name">{upload.name}</span>
                {upload.error === null ? (
                  <>
                    <span className="upload-progress" role="progressbar" aria-label={`Encrypting and uploading ${upload.name}`} aria-valuemin={0} aria-valuemax={100} {...(percent === null ? {} : { 'aria-valuenow': percent })}>
                      <span style={{ width: `${percent ?? 0}%` }} />
                    </span>
                    <span className="upload-status">
                      Encrypting and uploading…{percent === null ? '' : ` ${percent}% of ${formatBytes(upload.size)}`}
                    </span>
                  </>
                ) : (
                  <span className="upload-status" role="alert">
                    Not sent: {upload.error}
                  </span>
                )}
              </span>
              {upload.error !== null && (
                <IconButton label={`Dismiss ${upload.name}`} onClick={() => onDismiss(upload.key)}>
                  <CloseIcon />
                </IconButton>
              )}
            </div>
          </div>
        );
      })}
    </div>
  );
}
