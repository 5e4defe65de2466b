import type { SamizdatClient } from '@samizdat/client';
import { useEffect } from 'react';
import type { ChatStore } from '../model/chat-store.ts';
import type { OfflineCache } from '../model/offline-cache.ts';

/**
 * Wires the offline cache to the signed-in screen ([WEB50]): the saved chat list shows until the
 * server's arrives, and from then on the list and the loaded histories are saved as they change.
 */
export function useOfflineCache(store: ChatStore, client: SamizdatClient, cache: OfflineCache | undefined, selfId: number): void {
  useEffect(() => {
    if (cache === undefined) return;
    let isCurrent = true;
    void cache.loadAccount(selfId).then((account) => {
      if (isCurrent && account !== null) store.hydrate(account);
    });
    const detach = cache.attach(store, client);
    return () => {
      isCurrent = false;
      detach();
    };
  }, [store, client, cache, selfId]);
}
