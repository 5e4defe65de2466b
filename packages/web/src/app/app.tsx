import type { SamizdatClient } from '@samizdat/client';
import type { User } from '@samizdat/protocol';
import { useEffect, useState } from 'react';
import type { OfflineCache } from '../model/offline-cache.ts';
import { startFromCache } from '../model/offline-start.ts';
import { MainScreen } from '../ui/main/main-screen.tsx';
import { SignInScreen } from '../ui/sign-in/sign-in-screen.tsx';
import { SplashScreen } from '../ui/common/splash-screen.tsx';

type Phase = { kind: 'starting' } | { kind: 'failed'; message: string } | { kind: 'signedOut' } | { kind: 'signedIn'; user: User };

/**
 * The whole app: connects (resuming the stored session, if any), then shows sign-in or the
 * chats. Signing out, here or by the server ending the session, returns to sign-in.
 */
export function App({ client, cache, storedUserId }: { client: SamizdatClient; cache?: OfflineCache; storedUserId?: () => Promise<number | null> }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'starting' });

  useEffect(() => {
    let isCurrent = true;
    const offLoggedOut = client.on('loggedOut', () => {
      void cache?.clear();
      setPhase({ kind: 'signedOut' });
    });
    // Without the server, the chats saved by the offline cache show instead of "Connecting…" ([WEB50]).
    const stopCacheStart =
      cache === undefined || storedUserId === undefined
        ? () => {}
        : startFromCache(client, {
            loadAccount: async () => {
              const userId = await storedUserId();
              return userId === null ? null : cache.loadAccount(userId);
            },
            onReady: (account) => {
              if (isCurrent) setPhase((current) => (current.kind === 'starting' ? { kind: 'signedIn', user: account.self } : current));
            },
          });
    client.connect().then(
      (welcome) => {
        if (welcome.user === null) void cache?.clear();
        if (isCurrent) setPhase(welcome.user === null ? { kind: 'signedOut' } : { kind: 'signedIn', user: welcome.user });
      },
      (error: unknown) => {
        if (isCurrent) setPhase({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      isCurrent = false;
      offLoggedOut();
      stopCacheStart();
    };
  }, [client]);

  switch (phase.kind) {
    case 'starting':
      return <SplashScreen text="Connecting…" />;
    case 'failed':
      return <SplashScreen text={`Cannot start: ${phase.message}`} isError />;
    case 'signedOut':
      return <SignInScreen client={client} onSignedIn={(user) => setPhase({ kind: 'signedIn', user })} />;
    case 'signedIn':
      return <MainScreen key={phase.user.id} client={client} self={phase.user} {...(cache === undefined ? {} : { cache })} />;
  }
}
