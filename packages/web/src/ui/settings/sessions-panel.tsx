import type { SamizdatClient } from '@samizdat/client';
import type { Session } from '@samizdat/protocol';
import { useCallback, useEffect, useState } from 'react';
import { formatListDate } from '../../model/format.ts';
import { errorText } from '../common/error-text.ts';
import { FormStatus, type FormOutcome } from '../common/form-error.tsx';

/**
 * The account's active sessions ([WEB47]): this one first, then the others, most recently active
 * first, each with "Terminate"; "Terminate all other sessions" ends every one but this. A
 * terminated session is signed out at once wherever it runs.
 */
export function SessionsPanel({ client, onBack }: { client: SamizdatClient; onBack: () => void }) {
  const [sessions, setSessions] = useState<readonly Session[] | null>(null);
  const [status, setStatus] = useState<FormOutcome | null>(null);
  const [isBusy, setBusy] = useState(false);

  const reload = useCallback(async () => {
    const result = await client.call('account.getSessions', {});
    setSessions([...result.sessions].sort((a, b) => Number(b.isCurrent) - Number(a.isCurrent) || b.lastActiveAt - a.lastActiveAt));
  }, [client]);

  useEffect(() => {
    reload().catch((error: unknown) => setStatus({ text: errorText(error), isError: true }));
  }, [reload]);

  async function terminate(ids: readonly number[], done: string): Promise<void> {
    setBusy(true);
    setStatus(null);
    try {
      for (const sessionId of ids) await client.call('account.terminateSession', { sessionId });
      await reload();
      setStatus({ text: done, isError: false });
    } catch (error) {
      setStatus({ text: errorText(error), isError: true });
    } finally {
      setBusy(false);
    }
  }

  const others = sessions?.filter((session) => !session.isCurrent) ?? [];
  return (
    <div className="sessions-panel">
      <button type="button" className="link-button sessions-back" onClick={onBack}>
        ‹ Settings
      </button>
      {sessions === null ? (
        <p className="list-placeholder" role="status">
          Loading sessions…
        </p>
      ) : (
        <ul className="session-list" aria-label="Sessions">
          {sessions.map((session) => (
            <li key={session.id} className="session-item" data-current={session.isCurrent ? 'true' : undefined} aria-label={`${session.deviceName}${session.isCurrent ? ', this device' : ''}`}>
              <div className="session-info">
                <p className="session-name">{session.deviceName}</p>
                <p className="session-meta">
                  {session.isCurrent ? 'This device · online' : `Last active ${formatListDate(session.lastActiveAt)}`} · signed in {formatListDate(session.createdAt)}
                </p>
              </div>
              {!session.isCurrent && (
                <button type="button" className="session-terminate" disabled={isBusy} aria-label={`Terminate session ${session.deviceName} (${session.id})`} onClick={() => void terminate([session.id], 'Session terminated')}>
                  Terminate
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <button type="button" className="danger-button" disabled={isBusy} onClick={() => void terminate(others.map((session) => session.id), others.length === 1 ? 'Session terminated' : `${others.length} sessions terminated`)}>
          Terminate all other sessions
        </button>
      )}
      {sessions !== null && others.length === 0 && <p className="field-hint sessions-alone">No other sessions: you are signed in on this device only.</p>}
      <FormStatus status={status} />
    </div>
  );
}
