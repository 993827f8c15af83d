// Virtual scrolling arithmetic: which fixed-height lines a viewport shows, so only those are rendered.

export interface LineRange {
  /** First and last line to render (inclusive), overscan included; last < first when there are no lines. */
  readonly first: number;
  readonly last: number;
}

export function visibleRange(scrollTop: number, viewportHeight: number, lineHeight: number, total: number, overscan = 20): LineRange {
  if (total <= 0 || lineHeight <= 0) return { first: 0, last: -1 };
  const top = Math.max(0, Math.floor(scrollTop / lineHeight));
  const shown = Math.ceil(Math.max(0, viewportHeight) / lineHeight) + 1;
  const first = Math.max(0, Math.min(total - 1, top - overscan));
  const last = Math.min(total - 1, top + shown + overscan);
  return { first, last };
}

/** The scrollTop that brings a line into view (unchanged if it already is). */
export function scrollToReveal(line: number, scrollTop: number, viewportHeight: number, lineHeight: number): number {
  const top = line * lineHeight;
  if (top < scrollTop) return top;
  if (top + lineHeight > scrollTop + viewportHeight) return top + lineHeight - viewportHeight;
  return scrollTop;
}
