import { Dialog } from '../../common/dialog.tsx';
import './message-actions.css';

/** Asks how to delete a message: for the viewer only, or for everyone when the viewer may ([MM4]). */
export function DeleteDialog({ canDeleteForEveryone, onDelete, onClose }: { canDeleteForEveryone: boolean; onDelete: (forEveryone: boolean) => void; onClose: () => void }) {
  return (
    <Dialog title="Delete message?" onClose={onClose}>
      <div className="dialog-body action-dialog">
        <p>{canDeleteForEveryone ? 'Delete it for everyone in this chat, or only from your own devices?' : 'It will be deleted from your devices only.'}</p>
        <div className="action-dialog-buttons">
          {canDeleteForEveryone && (
            <button type="button" className="danger-button" onClick={() => onDelete(true)}>
              Delete for everyone
            </button>
          )}
          <button type="button" className={canDeleteForEveryone ? 'secondary-button' : 'danger-button'} onClick={() => onDelete(false)}>
            Delete for me
          </button>
        </div>
      </div>
    </Dialog>
  );
}
