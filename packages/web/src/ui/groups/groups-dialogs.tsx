import type { AppSnapshot } from '../../model/chat-store.ts';
import { ChatInfoPanel } from '../chat-info/chat-info-panel.tsx';
import { CommentsDialog } from './comments-dialog.tsx';
import type { ChatPreview } from './find-peer.ts';
import type { GroupsActions } from './groups-context.ts';
import { JoinChatDialog } from './join-chat-dialog.tsx';
import { NewChannelDialog } from './new-channel-dialog.tsx';
import { NewGroupDialog } from './new-group-dialog.tsx';

/** Which group or channel dialog is open, if any. */
export type GroupsDialog =
  | { kind: 'newGroup' }
  | { kind: 'newChannel' }
  | { kind: 'join'; preview: ChatPreview }
  | { kind: 'info'; chatId: number }
  | { kind: 'comments'; channelId: number; postId: number }
  | null;

/** Renders the open group or channel dialog (the main screen keeps which one). */
export function GroupsDialogs({ dialog, actions, snapshot, onClose }: { dialog: GroupsDialog; actions: GroupsActions; snapshot: AppSnapshot; onClose: () => void }) {
  if (dialog === null) return null;
  switch (dialog.kind) {
    case 'newGroup':
      return <NewGroupDialog actions={actions} snapshot={snapshot} onClose={onClose} />;
    case 'newChannel':
      return <NewChannelDialog actions={actions} onClose={onClose} />;
    case 'join':
      return <JoinChatDialog actions={actions} preview={dialog.preview} onClose={onClose} />;
    case 'info':
      return <ChatInfoPanel key={dialog.chatId} actions={actions} snapshot={snapshot} chatId={dialog.chatId} onClose={onClose} />;
    case 'comments':
      return <CommentsDialog key={`${dialog.channelId}:${dialog.postId}`} actions={actions} channelId={dialog.channelId} postId={dialog.postId} onClose={onClose} />;
  }
}
