import type { ConnectionState } from '@samizdat/client';

/** A line under the header while the connection is not up: messages then wait in the outbox. */
export function ConnectionStatus({ state }: { state: ConnectionState }) {
  if (state === 'connected') return null;
  return (
    <p className="connection-status" role="status" data-state={state}>
      {state === 'connecting' ? 'Connecting…' : 'Waiting for network…'}
    </p>
  );
}
