import type { ReactNode } from 'react';
import './offline-gate.css';

/**
 * Stands in for the composer while the conversation shows only what the offline cache saved and
 * the server is out of reach ([WEB50]): the history can be read, not answered, until the client
 * has caught up.
 */
export function OfflineGate({ isReadOnly, children }: { isReadOnly: boolean; children: ReactNode }) {
  if (!isReadOnly) return children;
  return (
    <p className="offline-gate" role="note">
      Offline — you are reading saved messages. Sending resumes when the network is back.
    </p>
  );
}
