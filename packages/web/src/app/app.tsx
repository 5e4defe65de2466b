import type { SamizdatClient } from '@samizdat/client';
import type { User } from '@samizdat/protocol';
import { useEffect, useState } from 'react';
import { MainScreen } from '../ui/main/main-screen.tsx';
import { SignInScreen } from '../ui/sign-in/sign-in-screen.tsx';
import { SplashScreen } from '../ui/common/splash-screen.tsx';

type Phase = { kind: 'starting' } | { kind: 'failed'; message: string } | { kind: 'signedOut' } | { kind: 'signedIn'; user: User };

/**
 * The whole app: connects (resuming the stored session, if any), then shows sign-in or the
 * chats. Signing out, here or by the server ending the session, returns to sign-in.
 */
export function App({ client }: { client: SamizdatClient }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'starting' });

  useEffect(() => {
    let isCurrent = true;
    const offLoggedOut = client.on('loggedOut', () => setPhase({ kind: 'signedOut' }));
    client.connect().then(
      (welcome) => {
        if (isCurrent) setPhase(welcome.user === null ? { kind: 'signedOut' } : { kind: 'signedIn', user: welcome.user });
      },
      (error: unknown) => {
        if (isCurrent) setPhase({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      isCurrent = false;
      offLoggedOut();
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
      return <MainScreen key={phase.user.id} client={client} self={phase.user} />;
  }
}
