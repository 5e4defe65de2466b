import { AlertIcon, CheckIcon, ClockIcon, DoubleCheckIcon } from '../common/icons.tsx';

/** Where one of the user's own messages stands. */
export type DeliveryState = 'pending' | 'failed' | 'sent' | 'read';

const LABELS: Record<DeliveryState, string> = { pending: 'Sending', failed: 'Not sent', sent: 'Sent', read: 'Read' };

/** A clock while in the outbox, ✓ once stored, ✓✓ once the other side read it. */
export function ReadTicks({ state }: { state: DeliveryState }) {
  return (
    <span className={`ticks ticks-${state}`} role="img" aria-label={LABELS[state]} title={LABELS[state]}>
      {state === 'pending' ? <ClockIcon /> : state === 'failed' ? <AlertIcon /> : state === 'read' ? <DoubleCheckIcon /> : <CheckIcon />}
    </span>
  );
}
