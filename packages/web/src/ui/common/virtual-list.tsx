import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { visibleRange } from './visible-range.ts';

/** Props of {@link VirtualList}. */
export interface VirtualListProps<T extends { key: string }> {
  items: readonly T[];
  renderItem: (item: T) => ReactNode;
  /** A first guess at an item's height, until it is measured. */
  estimateHeight: (item: T) => number;
  /** Called while the view is near the top, to load older items (the caller ignores repeats). */
  onNearTop?: () => void;
  /** Called when the view reaches, or leaves, the bottom. */
  onAtBottomChange?: (isAtBottom: boolean) => void;
  /** Pixels rendered beyond each edge of the view. @default 800 */
  overscanPx?: number;
  className?: string;
  role?: string;
  'aria-label'?: string;
  /** Bumped by the caller to scroll to the bottom (a "scroll down" button, sending a message). */
  scrollToBottomSignal?: number;
}

const NEAR_TOP_PX = 600;
const AT_BOTTOM_PX = 48;

/**
 * A scrolling list that renders only the items in and near the view, for histories of any
 * length. It starts at the bottom and stays there as items arrive while the user is at the bottom;
 * otherwise the item at the top of the view stays where it is when items are added above it
 * (older history) or change height (measured, edited), so the view never jumps.
 *
 * Heights are measured with a `ResizeObserver` and remembered by key.
 */
export function VirtualList<T extends { key: string }>(props: VirtualListProps<T>) {
  const { items, renderItem, estimateHeight, onNearTop, onAtBottomChange, overscanPx = 800 } = props;
  const containerRef = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<string, number>());
  const [measured, setMeasured] = useState(0);
  const [view, setView] = useState({ top: 0, height: 0 });
  const isAtBottom = useRef(true);
  /** The first item in view and how far its top is above the view's top. */
  const anchor = useRef<{ key: string; offsetPx: number } | null>(null);

  const offsets = useMemo(() => {
    const tops = new Float64Array(items.length + 1);
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      tops[i + 1] = tops[i]! + (heights.current.get(item.key) ?? estimateHeight(item));
    }
    return tops;
    // `measured` changes whenever `heights` does.
  }, [items, estimateHeight, measured]);
  const indexOfKey = useMemo(() => new Map(items.map((item, index) => [item.key, index])), [items]);
  const totalHeight = offsets[items.length]!;

  const observer = useMemo(
    () =>
      typeof ResizeObserver === 'undefined'
        ? null
        : new ResizeObserver((entries) => {
            let isChanged = false;
            for (const entry of entries) {
              const element = entry.target as HTMLElement;
              const key = element.dataset['key'];
              const height = entry.borderBoxSize[0]?.blockSize ?? element.offsetHeight;
              if (key !== undefined && height > 0 && heights.current.get(key) !== height) {
                heights.current.set(key, height);
                isChanged = true;
              }
            }
            if (isChanged) setMeasured((count) => count + 1);
          }),
    [],
  );
  useEffect(() => () => observer?.disconnect(), [observer]);

  const readScroll = useCallback(() => {
    const container = containerRef.current;
    if (container === null) return;
    const { scrollTop, clientHeight, scrollHeight } = container;
    const atBottom = scrollHeight - scrollTop - clientHeight <= AT_BOTTOM_PX;
    if (atBottom !== isAtBottom.current) {
      isAtBottom.current = atBottom;
      onAtBottomChange?.(atBottom);
    }
    // Not the list's first item: it may be a header that stays first as older items arrive above
    // the rest (the day separator of a day whose earlier messages load), and anchoring on it
    // would pull the view to the top and load page after page ([WEB5], [WEB54]).
    const first = Math.max(visibleRange(offsets, scrollTop, 0).start, Math.min(1, items.length - 1));
    const item = items[first];
    anchor.current = item === undefined ? null : { key: item.key, offsetPx: offsets[first]! - scrollTop };
    setView((previous) => (previous.top === scrollTop && previous.height === clientHeight ? previous : { top: scrollTop, height: clientHeight }));
    if (scrollTop < NEAR_TOP_PX) onNearTop?.();
  }, [items, offsets, onNearTop, onAtBottomChange]);

  // After every layout change, put the view back: at the bottom, or with the anchor item where it was.
  useLayoutEffect(() => {
    const container = containerRef.current;
    if (container === null) return;
    let target: number | null = null;
    if (isAtBottom.current) target = container.scrollHeight - container.clientHeight;
    else if (anchor.current !== null) {
      const index = indexOfKey.get(anchor.current.key);
      if (index !== undefined) target = offsets[index]! - anchor.current.offsetPx;
    }
    if (target !== null && Math.abs(container.scrollTop - target) >= 1) container.scrollTop = target;
    readScroll();
  }, [offsets, indexOfKey, readScroll]);

  useEffect(() => {
    if (props.scrollToBottomSignal === undefined || props.scrollToBottomSignal === 0) return;
    const container = containerRef.current;
    if (container === null) return;
    isAtBottom.current = true;
    container.scrollTop = container.scrollHeight;
  }, [props.scrollToBottomSignal]);

  // The container's own size changes (a window resize, the composer growing) keep the bottom in view.
  useEffect(() => {
    const container = containerRef.current;
    if (container === null || typeof ResizeObserver === 'undefined') return;
    const resize = new ResizeObserver(() => {
      if (isAtBottom.current) container.scrollTop = container.scrollHeight;
      readScroll();
    });
    resize.observe(container);
    return () => resize.disconnect();
  }, [readScroll]);

  const viewHeight = view.height || (typeof window === 'undefined' ? 800 : window.innerHeight);
  const { start, end } = visibleRange(offsets, view.top, viewHeight, overscanPx);
  const rendered: ReactNode[] = [];
  for (let index = start; index < end; index++) {
    const item = items[index]!;
    rendered.push(
      <div
        key={item.key}
        data-key={item.key}
        className="virtual-item"
        style={{ transform: `translateY(${offsets[index]}px)` }}
        ref={(element) => {
          if (element === null || observer === null) return;
          observer.observe(element);
          return () => observer.unobserve(element);
        }}
      >
        {renderItem(item)}
      </div>,
    );
  }

  return (
    <div ref={containerRef} className={`virtual-list ${props.className ?? ''}`} role={props.role} aria-label={props['aria-label']} onScroll={readScroll} tabIndex={0}>
      <div className="virtual-spacer" style={{ height: totalHeight }}>
        {rendered}
      </div>
    </div>
  );
}
