import { IndexedDbClientStore } from './idb-client-store.ts';
import type { IndexedDbOptions } from './idb-database.ts';

/**
 * The user whose session the SDK's stored state holds, or null when it holds none (signed out,
 * first run, unreadable). The offline cache is shown only for this user ([WEB50]).
 */
export async function storedSessionUserId(options: IndexedDbOptions = {}): Promise<number | null> {
  const store = new IndexedDbClientStore(options);
  try {
    const state = await store.load();
    return state?.token !== undefined && state.userId !== undefined ? state.userId : null;
  } catch {
    return null;
  } finally {
    await store.close();
  }
}
