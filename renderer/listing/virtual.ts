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

/**
 * Which row element (slot) shows which listing line, kept from one range to the next so the listing
 * reuses its row elements. A line that stays in view keeps its slot; a line that arrives takes a slot
 * that a line of the same kind (instruction, source, label) just left, so the row is updated in place
 * (new text, new position) instead of torn down and built again; only when there is none does it take
 * another kind's slot or a new one. Rows come out in slot order, so the order of the row elements never
 * changes (each row is positioned on its own; aria-rowindex carries the line number).
 */
export class RowSlots {
  private slotOf = new Map<number, number>();
  private readonly kindOf = new Map<number, string>();
  private nextSlot = 0;

  assign(lines: readonly { readonly n: number; readonly kind: string }[]): { n: number; slot: number }[] {
    const wanted = new Set(lines.map((l) => l.n));
    const kept = new Map<number, number>();
    const free = new Map<string, number[]>();
    for (const [n, slot] of this.slotOf) {
      if (wanted.has(n)) kept.set(n, slot);
      else {
        const kind = this.kindOf.get(slot) ?? '';
        const list = free.get(kind);
        if (list) list.push(slot);
        else free.set(kind, [slot]);
      }
    }
    const out: { n: number; slot: number }[] = [];
    const waiting: { n: number; kind: string }[] = [];
    for (const l of lines) {
      const slot = kept.get(l.n);
      if (slot !== undefined) out.push({ n: l.n, slot });
      else waiting.push(l);
    }
    // Same kind first, then any freed slot, then a new one.
    const rest: { n: number; kind: string }[] = [];
    for (const l of waiting) {
      const slot = free.get(l.kind)?.pop();
      if (slot !== undefined) out.push({ n: l.n, slot });
      else rest.push(l);
    }
    const leftover = [...free.values()].flat();
    for (const l of rest) out.push({ n: l.n, slot: leftover.pop() ?? this.nextSlot++ });
    this.slotOf = new Map(out.map((r) => [r.n, r.slot]));
    for (const l of lines) this.kindOf.set(this.slotOf.get(l.n) as number, l.kind);
    for (const slot of leftover) this.kindOf.delete(slot);
    return out.sort((a, b) => a.slot - b.slot);
  }
}
