// @vitest-environment happy-dom
// Virtual scrolling arithmetic for the listing.
import { describe, expect, it } from 'vitest';
import { scrollToReveal, visibleRange } from './virtual';

describe('visibleRange', () => {
  it('covers the viewport plus overscan, clamped to the lines that exist', () => {
    expect(visibleRange(0, 200, 20, 100_000, 5)).toEqual({ first: 0, last: 16 });
    expect(visibleRange(20 * 50_000, 200, 20, 100_000, 5)).toEqual({ first: 49_995, last: 50_016 });
    expect(visibleRange(20 * 99_995, 200, 20, 100_000, 5)).toEqual({ first: 99_990, last: 99_999 });
  });

  it('is empty without lines and stays in range past the end', () => {
    expect(visibleRange(0, 200, 20, 0)).toEqual({ first: 0, last: -1 });
    expect(visibleRange(1e9, 200, 20, 3, 0)).toEqual({ first: 2, last: 2 });
  });
});

describe('scrollToReveal', () => {
  it('scrolls only as far as needed', () => {
    expect(scrollToReveal(5, 0, 200, 20)).toBe(0);
    expect(scrollToReveal(20, 0, 200, 20)).toBe(220);
    expect(scrollToReveal(2, 400, 200, 20)).toBe(40);
  });
});
