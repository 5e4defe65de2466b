import type { Message, User } from '@samizdat/protocol';
import { useEffect, useState } from 'react';
import { formatTime, messagePreview, userName } from '../../model/format.ts';
import { Avatar } from '../common/avatar.tsx';
import { Dialog } from '../common/dialog.tsx';
import { errorText } from '../common/error-text.ts';
import { FormError } from '../common/form-error.tsx';
import type { GroupsActions } from './groups-context.ts';

/** Replies fetched per thread: the newest this many. */
const THREAD_LIMIT = 100;

/**
 * A channel post's comments ([WEB33]): the post's copy in the discussion group and its replies
 * (`messages.getHistory` with `threadId`, [CHN5]), live, with a box to comment (a reply to the copy).
 */
export function CommentsDialog({ actions, channelId, postId, onClose }: { actions: GroupsActions; channelId: number; postId: number; onClose: () => void }) {
  const { client } = actions;
  const [thread, setThread] = useState<{ groupId: number; rootId: number } | null>(null);
  const [root, setRoot] = useState<Message | null>(null);
  const [replies, setReplies] = useState<readonly Message[]>([]);
  const [users, setUsers] = useState<ReadonlyMap<number, User>>(new Map());
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let isCurrent = true;
    (async () => {
      const { chatId: groupId, messageId: rootId } = await client.call('messages.getDiscussion', { peer: { type: 'chat', chatId: channelId }, messageId: postId });
      const peer = { type: 'chat', chatId: groupId } as const;
      const [rootPage, replyPage] = await Promise.all([
        client.call('messages.getHistory', { peer, offsetId: rootId + 1, limit: 1 }),
        client.call('messages.getHistory', { peer, threadId: rootId, limit: THREAD_LIMIT }),
      ]);
      if (!isCurrent) return;
      setThread({ groupId, rootId });
      setRoot(rootPage.messages.find((message) => message.id === rootId) ?? null);
      setReplies([...replyPage.messages].sort((a, b) => a.id - b.id));
      setUsers(new Map([...rootPage.users, ...replyPage.users].map((user) => [user.id, user])));
    })().catch((caught: unknown) => isCurrent && setError(errorText(caught)));
    return () => {
      isCurrent = false;
    };
  }, [client, channelId, postId]);

  useEffect(() => {
    if (thread === null) return undefined;
    const offUsers = client.on('users', (list) => setUsers((current) => new Map([...current, ...list.map((user) => [user.id, user] as const)])));
    const offMessage = client.on('message', (message) => {
      if (message.chatId !== thread.groupId || message.replyToId === null) return;
      setReplies((current) => {
        const isInThread = message.replyToId === thread.rootId || current.some((reply) => reply.id === message.replyToId);
        if (!isInThread || current.some((reply) => reply.id === message.id)) return current;
        return [...current, message].sort((a, b) => a.id - b.id);
      });
    });
    return () => {
      offUsers();
      offMessage();
    };
  }, [client, thread]);

  return (
    <Dialog title="Comments" onClose={onClose}>
      <div className="comments" role="log" aria-label="Comment thread">
        {root !== null && <p className="comments-root" dir="auto">{messagePreview(root)}</p>}
        {thread !== null && replies.length === 0 && <p className="field-hint">No comments yet.</p>}
        <ol className="comments-list">
          {replies.map((reply) => (
            <li key={reply.id} className="comment">
              <Avatar id={reply.senderId} name={userName(users.get(reply.senderId))} size={32} />
              <div>
                <p className="comment-author">
                  {userName(users.get(reply.senderId))} <time>{formatTime(reply.date)}</time>
                </p>
                <p className="comment-text" dir="auto">
                  {messagePreview(reply)}
                </p>
              </div>
            </li>
          ))}
        </ol>
      </div>
      <FormError error={error} />
      {thread !== null && (
        <form
          className="comments-form"
          onSubmit={(event) => {
            event.preventDefault();
            const body = text.trim();
            if (body === '') return;
            setText('');
            setError(null);
            client.sendMessage({ type: 'chat', chatId: thread.groupId }, body, { replyToId: thread.rootId }).then(
              (message) => setReplies((current) => (current.some((reply) => reply.id === message.id) ? current : [...current, message].sort((a, b) => a.id - b.id))),
              (caught: unknown) => setError(errorText(caught)),
            );
          }}
        >
          <input aria-label="Comment" placeholder="Write a comment…" value={text} maxLength={4096} onChange={(event) => setText(event.target.value)} />
          <button type="submit" className="primary-button" disabled={text.trim() === ''}>
            Send
          </button>
        </form>
      )}
    </Dialog>
  );
}
