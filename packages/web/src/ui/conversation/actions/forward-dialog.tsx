import type { Chat, User } from '@samizdat/protocol';
import { useState } from 'react';
import { chatTitle } from '../../../model/format.ts';
import { Avatar } from '../../common/avatar.tsx';
import { Dialog } from '../../common/dialog.tsx';
import './message-actions.css';

/** Picks the chat to forward a message to: the chats the viewer may write in, filtered by name. */
export function ForwardDialog({ chats, users, selfId, onPick, onClose }: { chats: readonly Chat[]; users: ReadonlyMap<number, User>; selfId: number; onPick: (chat: Chat) => void; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const needle = query.trim().toLowerCase();
  const writable = chats.filter((chat) => chat.type !== 'channel' || chat.myRole === 'owner' || chat.myRights?.postMessages === true);
  const shown = needle === '' ? writable : writable.filter((chat) => chatTitle(chat, users, selfId).toLowerCase().includes(needle));
  return (
    <Dialog title="Forward to…" onClose={onClose}>
      <div className="dialog-body action-dialog">
        <input className="text-input" aria-label="Search chats to forward to" placeholder="Search" value={query} onChange={(event) => setQuery(event.target.value)} autoFocus />
        <ul className="forward-list" aria-label="Chats to forward to">
          {shown.map((chat) => {
            const title = chatTitle(chat, users, selfId);
            return (
              <li key={chat.id}>
                <button type="button" className="forward-target" onClick={() => onPick(chat)}>
                  <Avatar id={chat.peerUserId ?? chat.id} name={title} size={36} />
                  <span>{title}</span>
                </button>
              </li>
            );
          })}
          {shown.length === 0 && <li className="forward-empty">No chats found</li>}
        </ul>
      </div>
    </Dialog>
  );
}
