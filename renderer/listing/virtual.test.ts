// @vitest-environment happy-dom
// Virtual scrolling arithmetic for the listing.
import { describe, expect, it } from 'vitest';
import { RowSlots, scrollToReveal, visibleRange } from './virtual';

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

describe('RowSlots', () => {
  const kinds = (first: number, last: number): { n: number; kind: string }[] =>
    Array.from({ length: last - first + 1 }, (_, i) => ({ n: first + i, kind: (first + i) % 3 === 0 ? 'source' : 'insn' }));

  it('gives every line its own slot and lists them in slot order', () => {
    const slots = new RowSlots();
    const rows = slots.assign(kinds(100, 140));
    expect(rows.map((r) => r.n).sort((a, b) => a - b)).toEqual(kinds(100, 140).map((l) => l.n));
    expect(new Set(rows.map((r) => r.slot)).size).toBe(rows.length);
    expect(rows.map((r) => r.slot)).toEqual([...rows.map((r) => r.slot)].sort((a, b) => a - b));
  });

  it('keeps the slots of lines that stay and hands those of lines that leave to arriving lines of the same kind', () => {
    const slots = new RowSlots();
    const before = new Map(slots.assign(kinds(100, 140)).map((r) => [r.n, r.slot]));
    const kindOfSlot = new Map(kinds(100, 140).map((l) => [before.get(l.n), l.kind]));
    const after = slots.assign(kinds(109, 149));
    for (const r of after) {
      if (before.has(r.n)) expect(r.slot).toBe(before.get(r.n));
      else expect(kindOfSlot.get(r.slot)).toBe(r.n % 3 === 0 ? 'source' : 'insn');
    }
    // No new row elements: the nine that left are reused.
    expect(new Set(after.map((r) => r.slot))).toEqual(new Set(before.values()));
  });

  it('grows and shrinks with the range', () => {
    const slots = new RowSlots();
    expect(slots.assign(kinds(0, 9))).toHaveLength(10);
    const grown = slots.assign(kinds(0, 29));
    expect(new Set(grown.map((r) => r.slot)).size).toBe(30);
    expect(slots.assign(kinds(500, 504))).toHaveLength(5);
    expect(slots.assign([])).toEqual([]);
  });
});
