import { GroupIcon, MegaphoneIcon } from './group-icons.tsx';
import './groups.css';

/** The two entries the new-chat dialog offers above its lookup: a new group, a new channel ([WEB30]). */
export function NewChatMenu({ onNewGroup, onNewChannel }: { onNewGroup: () => void; onNewChannel: () => void }) {
  return (
    <ul className="new-chat-menu" aria-label="Create">
      <li>
        <button type="button" className="menu-row" onClick={onNewGroup}>
          <GroupIcon />
          New group
        </button>
      </li>
      <li>
        <button type="button" className="menu-row" onClick={onNewChannel}>
          <MegaphoneIcon />
          New channel
        </button>
      </li>
    </ul>
  );
}
