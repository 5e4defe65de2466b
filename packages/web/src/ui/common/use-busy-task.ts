import { useState } from 'react';
import { errorText } from './error-text.ts';

/**
 * The busy flag and error line of a form or panel whose buttons call the server: `run` marks it
 * busy (so its buttons disable), clears the last error, awaits the task and shows why it failed.
 * Shared so every screen reports failures the same way.
 */
export function useBusyTask(): { isBusy: boolean; error: string | null; setError: (error: string | null) => void; run: (task: () => Promise<void>) => Promise<void> } {
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);

  async function run(task: () => Promise<void>): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await task();
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  return { isBusy, error, setError, run };
}
