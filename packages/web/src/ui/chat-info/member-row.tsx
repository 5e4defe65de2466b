import type { AdminRights, Chat, ChatMember, User } from '@samizdat/protocol';
import { useState } from 'react';
import { userName } from '../../model/format.ts';
import { canManage, hasRight, roleLabel } from '../../model/group-rules.ts';
import { Avatar } from '../common/avatar.tsx';
import { AdminRightsEditor } from './admin-rights-editor.tsx';

/** What an admin does to a member. */
export type MemberAction = { kind: 'setAdmin'; rights: AdminRights | null } | { kind: 'remove' } | { kind: 'ban' };

/**
 * One member: avatar, name, role; for an admin who may act on them, a button opening the
 * actions: promote (with rights) or edit rights, remove, ban ([WEB34]).
 */
export function MemberRow({ chat, member, user, selfId, isBusy, onAction }: { chat: Chat; member: ChatMember; user: User | undefined; selfId: number; isBusy: boolean; onAction: (action: MemberAction) => Promise<boolean> }) {
  const [mode, setMode] = useState<'closed' | 'actions' | 'rights'>('closed');
  const name = member.userId === selfId ? `${userName(user)} (you)` : userName(user);
  const isManageable = canManage(chat, member, selfId);
  const act = (action: MemberAction) =>
    void onAction(action).then((isDone) => {
      if (isDone) setMode('closed');
    });
  return (
    <li className="member-row" data-user-id={member.userId}>
      <div className="member-row-main">
        <Avatar id={member.userId} name={userName(user)} size={36} />
        <span className="member-row-name">{name}</span>
        {member.role !== 'member' && <span className={`role-badge role-${member.role}`}>{roleLabel(member.role)}</span>}
        {isManageable && (
          <button
            type="button"
            className="link-button member-row-toggle"
            aria-expanded={mode !== 'closed'}
            aria-label={`Manage ${userName(user)}`}
            onClick={() => setMode(mode === 'closed' ? 'actions' : 'closed')}
          >
            Manage
          </button>
        )}
      </div>
      {mode === 'actions' && (
        <div className="button-row member-actions">
          {hasRight(chat, 'addAdmins') && (
            <button type="button" className="plain-button" disabled={isBusy} onClick={() => setMode('rights')}>
              {member.role === 'admin' ? 'Edit rights' : 'Make admin'}
            </button>
          )}
          {hasRight(chat, 'banUsers') && (
            <>
              <button type="button" className="plain-button" disabled={isBusy} onClick={() => act({ kind: 'remove' })}>
                Remove
              </button>
              <button type="button" className="plain-button danger-text" disabled={isBusy} onClick={() => act({ kind: 'ban' })}>
                Ban
              </button>
            </>
          )}
        </div>
      )}
      {mode === 'rights' && (
        <AdminRightsEditor
          chat={chat}
          member={member}
          isBusy={isBusy}
          onSave={(rights) => act({ kind: 'setAdmin', rights })}
          {...(member.role === 'admin' ? { onDismiss: () => act({ kind: 'setAdmin', rights: null }) } : {})}
          onCancel={() => setMode('closed')}
        />
      )}
    </li>
  );
}
