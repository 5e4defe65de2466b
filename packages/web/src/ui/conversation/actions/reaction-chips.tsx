import type { Message } from '@samizdat/protocol';
import { ownReactionOf } from '../../../model/message-actions.ts';
import { useActivity, useConversationActions } from './actions-context.ts';
import './message-actions.css';

/** The reactions under a bubble: one chip an emoji with its count; a click adds or takes back the viewer's own ([WEB13], [WEB61]). */
export function ReactionChips({ message }: { message: Message }) {
  const context = useConversationActions();
  const { ownReactions } = useActivity();
  if (message.reactions.length === 0) return null;
  // Known from this page's own clicks, else from the server's `isChosen` (after a reload).
  const own = ownReactionOf(message, ownReactions);
  return (
    <div className="reaction-chips" role="group" aria-label="Reactions">
      {message.reactions.map((reaction) => {
        const isOwn = reaction.emoji === own;
        return (
          <button
            key={reaction.emoji}
            type="button"
            className={`reaction-chip ${isOwn ? 'own' : ''}`}
            aria-pressed={isOwn}
            aria-label={`${reaction.emoji} ${reaction.count}${isOwn ? ', yours' : ''}`}
            disabled={context === null}
            onClick={(event) => {
              event.stopPropagation();
              context?.toggleReaction(message, reaction.emoji);
            }}
          >
            <span aria-hidden="true">{reaction.emoji}</span>
            <span className="reaction-count" aria-hidden="true">
              {reaction.count}
            </span>
          </button>
        );
      })}
    </div>
  );
}
