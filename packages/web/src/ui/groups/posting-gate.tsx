import type { Chat } from '@samizdat/protocol';
import type { ReactNode } from 'react';
import { canPost } from '../../model/group-rules.ts';
import { ChannelFooter } from './channel-footer.tsx';

/** The composer where the user may write; else the channel's footer instead ([WEB31]). */
export function PostingGate({ chat, children }: { chat: Chat | null; children: ReactNode }) {
  if (chat === null || canPost(chat)) return <>{children}</>;
  return <ChannelFooter chat={chat} />;
}
