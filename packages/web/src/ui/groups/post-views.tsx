import type { Message } from '@samizdat/protocol';
import { formatViews } from '../../model/group-rules.ts';
import { useChannelPosts } from './channel-posts.tsx';
import { EyeIcon } from './group-icons.tsx';
import './groups.css';

/** A channel post's view count (and signature, when on), in its bubble's meta line ([WEB32]); nothing for other messages. */
export function PostViews({ message }: { message: Message }) {
  const posts = useChannelPosts();
  if (posts === null || message.views === null) return null;
  const views = Math.max(message.views, posts.views.get(message.id) ?? 0);
  const label = formatViews(views);
  return (
    <>
      {message.signature !== null && <span className="post-signature">{message.signature}</span>}
      <span className="post-views" role="img" aria-label={label} title={label}>
        <EyeIcon />
        {label.split(' ')[0]}
      </span>
    </>
  );
}
