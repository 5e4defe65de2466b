import { Dialog } from '../common/dialog.tsx';
import '../conversation/actions/message-actions.css';

/** Confirms deleting a secret message: it goes from every device of both users, there is no "for me" ([WEB48]). */
export function SecretDeleteDialog({ peerName, onDelete, onClose }: { peerName: string; onDelete: () => void; onClose: () => void }) {
  return (
    <Dialog title="Delete message?" onClose={onClose}>
      <div className="dialog-body action-dialog">
        <p>It will be deleted for you and {peerName}, on every device. This cannot be undone.</p>
        <div className="action-dialog-buttons">
          <button type="button" className="danger-button" onClick={onDelete}>
            Delete for both
          </button>
          <button type="button" className="secondary-button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </div>
    </Dialog>
  );
}
