/**
 * The items of a list to render: `offsets[i]` is the top of item i and `offsets[n]` the list's
 * height (so `offsets` has one entry more than there are items). Returns the half-open range
 * `[start, end)` of the items that overlap `[top - overscanPx, top + height + overscanPx]`,
 * found by binary search, so a history of 10,000 messages costs the same as one of 100.
 */
export function visibleRange(offsets: ArrayLike<number>, top: number, height: number, overscanPx = 0): { start: number; end: number } {
  const count = offsets.length - 1;
  if (count <= 0) return { start: 0, end: 0 };
  const from = top - overscanPx;
  const to = top + height + overscanPx;
  // The first item whose bottom is below `from`.
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (offsets[middle + 1]! <= from) low = middle + 1;
    else high = middle;
  }
  const start = Math.min(low, count - 1);
  // The first item whose top is at or below `to`.
  low = start;
  high = count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (offsets[middle]! < to) low = middle + 1;
    else high = middle;
  }
  return { start, end: Math.max(low, start + 1) };
}
