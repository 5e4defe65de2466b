import type { SecretHistoryEntry, SecretServiceAction } from '@samizdat/client';

/** The self-destruct timers the picker offers, in seconds ([WEB43]); 0: off. */
export const TIMER_CHOICES_SECONDS = [0, 5, 30, 60, 3600, 86_400, 604_800] as const;

const UNITS: readonly [seconds: number, one: string, many: string][] = [
  [604_800, '1 week', 'weeks'],
  [86_400, '1 day', 'days'],
  [3600, '1 h', 'h'],
  [60, '1 min', 'min'],
  [1, '1 s', 's'],
];

/** A timer as people read it: `5 s`, `1 min`, `1 day`, `2 weeks`; 0 is `off`. */
export function formatTimer(ttlSeconds: number): string {
  if (ttlSeconds <= 0) return 'off';
  for (const [seconds, one, many] of UNITS) {
    if (ttlSeconds % seconds !== 0 || ttlSeconds < seconds) continue;
    const count = ttlSeconds / seconds;
    return count === 1 ? one : `${count} ${many}`;
  }
  return `${ttlSeconds} s`;
}

/** Time left before a message self-destructs, rounded up: `25 s`, `3 min`, `2 h`, `6 days`. */
export function formatRemaining(remainingMs: number): string {
  const seconds = Math.max(0, Math.ceil(remainingMs / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.ceil(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.ceil(seconds / 3600)} h`;
  return `${Math.ceil(seconds / 86_400)} days`;
}

/**
 * What a service entry of a secret chat says ([WEB42]). `nameOf` names a user; the signed-in user
 * is "You".
 */
export function serviceText(action: SecretServiceAction, selfId: number, nameOf: (userId: number) => string): string {
  switch (action.type) {
    case 'started':
      return 'Secret chat started. Messages are end-to-end encrypted and kept only on your devices.';
    case 'timerSet': {
      const who = action.byUserId === selfId ? 'You' : nameOf(action.byUserId);
      return action.ttlSeconds === 0 ? `${who} turned the self-destruct timer off` : `${who} set the self-destruct timer to ${formatTimer(action.ttlSeconds)}`;
    }
    case 'devicesChanged': {
      const who = action.userId === selfId ? 'you' : nameOf(action.userId);
      const what = action.added.length > 0 && action.removed.length === 0 ? 'added a device' : action.added.length === 0 ? 'removed a device' : 'changed devices';
      return `Safety number changed: ${who} ${what}`;
    }
  }
}

/** What the chat list shows of a secret chat's newest entry. */
export function secretPreview(history: readonly SecretHistoryEntry[], selfId: number, nameOf: (userId: number) => string): string {
  const last = history.at(-1);
  if (last === undefined) return '';
  if (last.kind === 'service') return serviceText(last.action, selfId, nameOf);
  if (last.file !== undefined) return last.text === '' ? last.file.name || 'File' : `${last.file.name || 'File'}, ${last.text}`;
  return last.text.replace(/\s+/g, ' ').trim();
}

/** The 60 digits of a safety number in groups of five (12 groups). */
export function digitGroups(digits: string): string[] {
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += 5) groups.push(digits.slice(i, i + 5));
  return groups;
}
