import { useState } from 'react';
import { Avatar } from '../common/avatar.tsx';
import { Dialog } from '../common/dialog.tsx';
import { errorText } from '../common/error-text.ts';
import { FormError } from '../common/form-error.tsx';
import type { ChatPreview } from './find-peer.ts';
import type { GroupsActions } from './groups-context.ts';

/**
 * A group or channel found by @username or invite link: its title, about and size, and a button
 * that joins it (`chats.join` or `chats.joinByLink`) and opens it ([WEB35]). One the user is in
 * already just opens.
 */
export function JoinChatDialog({ actions, preview, onClose }: { actions: GroupsActions; preview: ChatPreview; onClose: () => void }) {
  const { client, store } = actions;
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  const info = preview.kind === 'public' ? { ...preview.chat, title: preview.chat.title ?? '' } : preview;
  const memberChatId = preview.kind === 'public' ? (preview.chat.myRole === null ? null : preview.chat.id) : preview.chatId;
  const noun = info.type === 'channel' ? 'channel' : 'group';

  async function join(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      if (memberChatId !== null) {
        await store.refreshChats();
        actions.openChat(memberChatId);
      } else {
        const result = preview.kind === 'public' ? await client.call('chats.join', { chatId: preview.chat.id }) : await client.call('chats.joinByLink', { hash: preview.hash });
        store.addUsers(result.users);
        store.addChat(result.chat);
        actions.openChat(result.chat.id);
      }
      onClose();
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  }

  return (
    <Dialog title={noun === 'channel' ? 'Channel' : 'Group'} onClose={onClose}>
      <div className="join-preview">
        <Avatar id={preview.kind === 'public' ? preview.chat.id : (preview.chatId ?? 0)} name={info.title} size={64} />
        <div>
          <p className="join-preview-title">{info.title}</p>
          <p className="join-preview-count">
            {info.memberCount} {noun === 'channel' ? (info.memberCount === 1 ? 'subscriber' : 'subscribers') : info.memberCount === 1 ? 'member' : 'members'}
            {preview.kind === 'public' && preview.chat.username !== null && ` · @${preview.chat.username}`}
          </p>
        </div>
      </div>
      {info.about !== '' && (
        <p className="join-preview-about" dir="auto">
          {info.about}
        </p>
      )}
      <FormError error={error} />
      <button type="button" className="primary-button wide-button" disabled={isBusy} onClick={() => void join()}>
        {memberChatId !== null ? `Open ${noun}` : isBusy ? 'Joining…' : `Join ${noun}`}
      </button>
    </Dialog>
  );
}
