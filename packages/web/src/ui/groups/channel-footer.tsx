import type { Chat } from '@samizdat/protocol';
import { useState } from 'react';
import { errorText } from '../common/error-text.ts';
import { useGroups } from './groups-context.ts';
import './groups.css';

/**
 * In place of the composer where the user may not write ([WEB31]): a channel's subscribers read
 * only (and may leave); someone not (or no longer) in the chat may join a public one.
 */
export function ChannelFooter({ chat }: { chat: Chat }) {
  const groups = useGroups();
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  const isMember = chat.myRole !== null;

  async function run(task: () => Promise<void>): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await task();
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

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
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </footer>
  );
}
