import type { Message } from '@samizdat/protocol';
import { useChannelPosts } from './channel-posts.tsx';
import { CommentIcon } from './group-icons.tsx';
import './groups.css';

/** Under a channel post whose channel has a discussion group: the link to its comments ([WEB33]). */
export function PostComments({ message }: { message: Message }) {
  const posts = useChannelPosts();
  if (posts === null || !posts.hasComments || message.views === null) return null;
  return (
    <button type="button" className="post-comments" onClick={() => posts.openComments(message.id)}>
      <CommentIcon />
      Comments
    </button>
  );
}
