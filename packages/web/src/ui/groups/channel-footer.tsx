import type { Chat } from '@samizdat/protocol';
import { FormError } from '../common/form-error.tsx';
import { useBusyTask } from '../common/use-busy-task.ts';
import { useGroups } from './groups-context.ts';
import './groups.css';

/**
 * In place of the composer where the user may not write ([WEB31]): a channel's subscribers read
 * only (and may leave); someone not (or no longer) in the chat may join a public one.
 */
export function ChannelFooter({ chat }: { chat: Chat }) {
  const groups = useGroups();
  const { isBusy, error, run } = useBusyTask();
  const isMember = chat.myRole !== null;

  return (
    <footer className="channel-footer">
      {isMember ? (
        <p className="channel-footer-note">Only admins can post in this channel</p>
      ) : (
        <button
          type="button"
          className="primary-button"
          disabled={isBusy || groups === null}
          onClick={() =>
            void run(async () => {
              const result = await groups!.client.call('chats.join', { chatId: chat.id });
              groups!.store.addUsers(result.users);
              groups!.store.addChat(result.chat);
            })
          }
        >
          Join {chat.type === 'channel' ? 'channel' : 'group'}
        </button>
      )}
      <FormError error={error} />
    </footer>
  );
}
