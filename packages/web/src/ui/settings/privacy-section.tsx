import type { SamizdatClient } from '@samizdat/client';
import type { LastSeenVisibility, PhoneVisibility } from '@samizdat/protocol';
import { useEffect, useState } from 'react';
import { errorText } from '../common/error-text.ts';
import { FormStatus, type FormOutcome } from '../common/form-error.tsx';

type Privacy = { phoneVisibility: PhoneVisibility; lastSeenVisibility: LastSeenVisibility };

/**
 * Who sees the user's phone number and last-seen time ([WEB46]). The current settings are read
 * with an empty `account.setPrivacy` (which changes nothing and answers with both); a choice is
 * saved at once.
 */
export function PrivacySection({ client }: { client: SamizdatClient }) {
  const [privacy, setPrivacy] = useState<Privacy | null>(null);
  const [status, setStatus] = useState<FormOutcome | null>(null);
  const [isBusy, setBusy] = useState(false);

  useEffect(() => {
    let isCurrent = true;
    client.call('account.setPrivacy', {}).then(
      (result) => isCurrent && setPrivacy(result),
      (error: unknown) => isCurrent && setStatus({ text: errorText(error), isError: true }),
    );
    return () => {
      isCurrent = false;
    };
  }, [client]);

  function save(change: Partial<Privacy>): void {
    setBusy(true);
    setStatus(null);
    client.call('account.setPrivacy', change).then(
      (result) => {
        setPrivacy(result);
        setStatus({ text: 'Privacy saved', isError: false });
        setBusy(false);
      },
      (error: unknown) => {
        setStatus({ text: errorText(error), isError: true });
        setBusy(false);
      },
    );
  }

  return (
    <section className="settings-section" aria-label="Privacy">
      <h3>Privacy</h3>
      <label className="field settings-select">
        <span>Who can see my phone number</span>
        <select disabled={privacy === null || isBusy} value={privacy?.phoneVisibility ?? 'nobody'} onChange={(event) => save({ phoneVisibility: event.target.value as PhoneVisibility })}>
          <option value="everybody">Everybody</option>
          <option value="nobody">Nobody</option>
        </select>
      </label>
      <label className="field settings-select">
        <span>Who can see when I was last online</span>
        <select disabled={privacy === null || isBusy} value={privacy?.lastSeenVisibility ?? 'everybody'} onChange={(event) => save({ lastSeenVisibility: event.target.value as LastSeenVisibility })}>
          <option value="everybody">Everybody</option>
          <option value="contacts">My contacts</option>
          <option value="nobody">Nobody</option>
        </select>
      </label>
      <FormStatus status={status} />
    </section>
  );
}
