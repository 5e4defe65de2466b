import type { SecretMessage } from '@samizdat/client';
import { groupReactions } from './secret-reactions.ts';
import '../conversation/actions/message-actions.css';

/**
 * The reactions under a secret bubble ([WEB48]): one chip an emoji with its count, naming who
 * reacted; a click on the viewer's own takes it back, on another makes it the viewer's.
 */
export function SecretReactionChips({ message, selfId, nameOf, onReact }: { message: SecretMessage; selfId: number; nameOf: (userId: number) => string; onReact: (message: SecretMessage, emoji: string | null) => void }) {
  const groups = groupReactions(message.reactions);
  if (groups.length === 0) return null;
  return (
    <div className="reaction-chips" role="group" aria-label="Reactions">
      {groups.map(({ emoji, userIds }) => {
        const isOwn = userIds.includes(selfId);
        const who = userIds.map((id) => (id === selfId ? 'you' : nameOf(id))).join(', ');
        return (
          <button
            key={emoji}
            type="button"
            className={`reaction-chip ${isOwn ? 'own' : ''}`}
            aria-pressed={isOwn}
            aria-label={`${emoji} ${userIds.length} from ${who}`}
            title={who}
            onClick={(event) => {
              event.stopPropagation();
              onReact(message, isOwn ? null : emoji);
            }}
          >
            <span aria-hidden="true">{emoji}</span>
            <span className="reaction-count" aria-hidden="true">
              {userIds.length}
            </span>
          </button>
        );
      })}
    </div>
  );
}
