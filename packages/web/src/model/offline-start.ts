import type { ConnectionState, SamizdatClient } from '@samizdat/client';
import type { CachedAccount } from '../storage/idb-history-cache.ts';

/** Options of {@link startFromCache}. */
export interface StartFromCacheOptions {
  /** The cached chat list, already checked to belong to the stored session's user (null when none). */
  loadAccount: () => Promise<CachedAccount | null>;
  /** Called once, when the cached list should show. */
  onReady: (account: CachedAccount) => void;
  /** How long to wait for the server before showing the cache anyway. @default 1500 */
  fallbackDelayMs?: number;
}

/**
 * Decides when a reload shows the offline cache instead of the "Connecting…" screen ([WEB50]):
 * once the cache is read and either a connection attempt failed (the state fell back from
 * `connecting` to `disconnected`) or the server has not welcomed the client for `fallbackDelayMs`.
 * The first attempt starts only after the SDK loaded its stored state (outbox included), so the
 * screens built then see it. Returns the function that cancels.
 */
export function startFromCache(client: Pick<SamizdatClient, 'on' | 'connectionState'>, options: StartFromCacheOptions): () => void {
  let account: CachedAccount | null = null;
  let hasAttempted = client.connectionState !== 'disconnected';
  let isOffline = false;
  let isDone = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const check = () => {
    if (isDone || account === null || !hasAttempted) return;
    if (!isOffline && timer === null) {
      timer = setTimeout(() => {
        isOffline = true;
        check();
      }, options.fallbackDelayMs ?? 1500);
      return;
    }
    if (!isOffline) return;
    isDone = true;
    stop();
    options.onReady(account);
  };
  const onState = (state: ConnectionState) => {
    if (state === 'connecting') hasAttempted = true;
    else if (state === 'disconnected' && hasAttempted) isOffline = true;
    else if (state === 'connected') {
      isDone = true;
      stop();
      return;
    }
    check();
  };
  const off = client.on('connectionState', onState);
  const stop = () => {
    off();
    if (timer !== null) clearTimeout(timer);
  };
  options.loadAccount().then(
    (loaded) => {
      account = loaded;
      check();
    },
    () => {},
  );
  return () => {
    isDone = true;
    stop();
  };
}
