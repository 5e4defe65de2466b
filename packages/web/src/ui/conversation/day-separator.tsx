import { formatDay } from '../../model/format.ts';

/** The date between two days of messages. */
export function DaySeparator({ dayStart }: { dayStart: number }) {
  return (
    <div className="day-separator" role="separator" aria-label={formatDay(dayStart)}>
      <span>{formatDay(dayStart)}</span>
    </div>
  );
}
