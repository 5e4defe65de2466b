import type { Message } from '@samizdat/protocol';
import { messagePreview, userName } from '../../../model/format.ts';
import { useConversationActions } from './actions-context.ts';
import './message-actions.css';

/** The quote of the message a reply answers, inside the reply's bubble; a click scrolls to it when loaded. */
export function ReplyQuote({ message }: { message: Message }) {
  const context = useConversationActions();
  if (message.replyToId === null) return null;
  const original = context?.findMessage(message.replyToId);
  const author = original === undefined ? '' : original.senderId === context?.selfId ? 'You' : userName(context?.users.get(original.senderId));
  const text = original === undefined ? 'Original message' : messagePreview(original) || 'Message';
  return (
    <button
      type="button"
      className="reply-quote"
      aria-label={`Reply to ${author === '' ? 'a message' : author}: ${text}`}
      onClick={(event) => {
        event.stopPropagation();
        if (message.replyToId !== null) context?.scrollToMessage(message.replyToId);
      }}
    >
      {author !== '' && <span className="reply-quote-author">{author}</span>}
      <span className="reply-quote-text">{text}</span>
    </button>
  );
}
