import type { SamizdatClient } from '@samizdat/client';
import { createContext, useEffect, useState } from 'react';
import { DraftSync } from '../model/draft-sync.ts';

/** The account's {@link DraftSync}, provided by the main screen; null outside it (composers then keep drafts on the page only). */
export const DraftSyncContext = createContext<DraftSync | null>(null);

/**
 * Drafts synced through the server ([WEB62], [WEB63]): saves go out as `messages.saveDraft`,
 * `draft` updates of the user's sequence come in, and everything unsaved is saved at once when the
 * page is hidden or closed.
 */
export function useDraftSync(client: Pick<SamizdatClient, 'on' | 'call'>): DraftSync {
  const [drafts] = useState(
    () =>
      new DraftSync({
        save: async (peer, draft) => {
          await client.call('messages.saveDraft', { peer, text: draft.text, ...(draft.replyToId === null ? {} : { replyToId: draft.replyToId }) });
        },
        onError: (error) => console.warn('draft', error),
      }),
  );
  useEffect(() => {
    const off = client.on('update', (update) => {
      if (update.type === 'draft') drafts.remote(`chat:${update.chatId}`, update.draft);
    });
    const onHidden = () => {
      if (document.visibilityState === 'hidden') drafts.flushAll();
    };
    const onPageHide = () => drafts.flushAll();
    document.addEventListener('visibilitychange', onHidden);
    window.addEventListener('pagehide', onPageHide);
    return () => {
      off();
      document.removeEventListener('visibilitychange', onHidden);
      window.removeEventListener('pagehide', onPageHide);
      drafts.flushAll();
    };
  }, [client, drafts]);
  return drafts;
}
