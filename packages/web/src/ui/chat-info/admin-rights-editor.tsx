import type { AdminRights, Chat, ChatMember } from '@samizdat/protocol';
import { useState } from 'react';
import { ADMIN_RIGHTS, defaultAdminRights, hasRight } from '../../model/group-rules.ts';

/**
 * The rights of an admin (or of a member about to become one), as toggles; the viewer may grant
 * only rights they hold ([GRP4]), so the others are disabled ([WEB34]).
 */
export function AdminRightsEditor({ chat, member, isBusy, onSave, onDismiss, onCancel }: {
  chat: Chat;
  member: ChatMember;
  isBusy: boolean;
  onSave: (rights: AdminRights) => void;
  /** Demotes an admin to member; absent for a member. */
  onDismiss?: () => void;
  onCancel: () => void;
}) {
  const [rights, setRights] = useState<AdminRights>(() => member.rights ?? defaultAdminRights(chat, chat));
  return (
    <fieldset className="rights-editor">
      <legend>Admin rights</legend>
      {ADMIN_RIGHTS.filter((item) => chat.type === 'channel' || item.isChannelOnly !== true).map(({ right, label }) => (
        <label key={right} className="toggle-row">
          <span>{label}</span>
          <input
            type="checkbox"
            role="switch"
            checked={rights[right]}
            disabled={isBusy || !hasRight(chat, right)}
            onChange={(event) => setRights({ ...rights, [right]: event.target.checked })}
          />
        </label>
      ))}
      <div className="button-row">
        <button type="button" className="primary-button" disabled={isBusy} onClick={() => onSave(rights)}>
          Save rights
        </button>
        {onDismiss !== undefined && (
          <button type="button" className="plain-button" disabled={isBusy} onClick={onDismiss}>
            Dismiss admin
          </button>
        )}
        <button type="button" className="plain-button" disabled={isBusy} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </fieldset>
  );
}
