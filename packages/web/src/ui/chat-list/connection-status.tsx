import type { ConnectionState } from '@samizdat/client';

/**
 * A line under the header while the connection is not up: messages then wait in the outbox. When
 * the list shown is the offline cache's, it says so ([WEB50]).
 */
export function ConnectionStatus({ state, isCached = false }: { state: ConnectionState; isCached?: boolean }) {
  if (state === 'connected') return null;
  return (
    <p className="connection-status" role="status" data-state={state} data-cached={isCached ? 'true' : undefined}>
      {state === 'connecting' ? 'Connecting…' : 'Offline — waiting for network…'}
      {isCached && ' Showing saved chats.'}
    </p>
  );
}
