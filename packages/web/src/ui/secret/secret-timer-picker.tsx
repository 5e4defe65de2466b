import { useState } from 'react';
import { formatTimer, TIMER_CHOICES_SECONDS } from './secret-format.ts';
import { TimerIcon } from './secret-icons.tsx';

/**
 * The self-destruct timer of a secret chat ([WEB43]): off, 5 s, 30 s, 1 min, 1 h, 1 day or 1 week.
 * A choice is sent to both users (it shows as a service entry on each) and applies to messages
 * sent from then on.
 */
export function SecretTimerPicker({ ttlSeconds, onChange }: { ttlSeconds: number; onChange: (ttlSeconds: number) => Promise<void> }) {
  const [isBusy, setBusy] = useState(false);
  const choices: readonly number[] = TIMER_CHOICES_SECONDS.includes(ttlSeconds as (typeof TIMER_CHOICES_SECONDS)[number]) ? TIMER_CHOICES_SECONDS : [...TIMER_CHOICES_SECONDS, ttlSeconds].sort((a, b) => a - b);
  return (
    <label className="secret-timer" title="Self-destruct timer" data-active={ttlSeconds > 0 ? 'true' : undefined}>
      <TimerIcon size={18} />
      <select
        aria-label="Self-destruct timer"
        value={ttlSeconds}
        disabled={isBusy}
        onChange={(event) => {
          setBusy(true);
          void onChange(Number(event.target.value)).finally(() => setBusy(false));
        }}
      >
        {choices.map((seconds) => (
          <option key={seconds} value={seconds}>
            {seconds === 0 ? 'Timer off' : formatTimer(seconds)}
          </option>
        ))}
      </select>
    </label>
  );
}
