// @vitest-environment happy-dom
// The listing's per-step work: a step moves the current-line mark between two rows and leaves the others
// alone, and scrolling reuses row elements for the lines that arrive instead of building new ones.
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, h, nextTick, type App } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import type { DocumentInfo, ListingLine, StateSnapshot } from '../../engine/protocol';
import { PAGE_LINES, useDocumentsStore } from '../stores/documents';
import { useDebugStore } from '../stores/debug';
import ProgramListing from '../components/ProgramListing.vue';

let app: App | undefined;
afterEach(() => {
  app?.unmount();
  app = undefined;
  document.body.innerHTML = '';
});

function mountListing(lines: number): HTMLElement {
  setActivePinia(createPinia());
  const el = document.createElement('div');
  el.style.height = '600px';
  document.body.appendChild(el);
  app = createApp({ render: () => h(ProgramListing) });
  app.use(createPinia());
  app.mount(el);
  const docs = useDocumentsStore();
  const doc: DocumentInfo = {
    id: 1, name: 'big.bin', format: 'raw', size: lines * 8,
    programs: [{ index: 0, name: 'big.bin', section: 'raw', type: 'unknown', insnCount: lines, slotCount: lines, hasSource: false, lineCount: lines }],
  };
  docs.documents = [doc];
  docs.select(1, 0);
  // Instructions with a source line before every third one, so rows of two kinds scroll past.
  for (let p = 0; p * PAGE_LINES < lines; p++) {
    docs.pages.set(p, Array.from({ length: PAGE_LINES }, (_, k): ListingLine => {
      const n = p * PAGE_LINES + k;
      return n % 3 === 0
        ? { kind: 'source', index: n, source: { file: 'p.c', line: n, column: 0, text: `line ${n}` } } as ListingLine
        : { kind: 'insn', index: n, pc: n, bytes: '07 00 00 00 01 00 00 00', text: `r0 += 0x1 /* ${n} */`, invalid: false };
    }));
  }
  return el;
}

function snapshot(pc: number): StateSnapshot {
  return { session: 1, pc, status: 'ready', registers: [], frames: [], maps: [] } as unknown as StateSnapshot;
}

describe('listing rows per step', () => {
  it('moves the current mark from one row to the next and touches no other row', async () => {
    const el = mountListing(2000);
    const debug = useDebugStore();
    await nextTick();
    await nextTick();
    debug.state = snapshot(4);
    await nextTick();
    expect(el.querySelector('.line.current .pc')?.textContent).toBe('4');
    const classes = new Map([...el.querySelectorAll('.line')].map((r) => [r, r.className]));
    debug.state = snapshot(5);
    await nextTick();
    expect(el.querySelector('.line.current .pc')?.textContent).toBe('5');
    const changed = [...classes].filter(([r, c]) => r.className !== c).map(([r]) => r.querySelector('.pc')?.textContent);
    expect(changed.sort()).toEqual(['4', '5']);
  });

  it('keeps its row elements when a stop far away scrolls the listing', async () => {
    const el = mountListing(2000);
    await nextTick();
    await nextTick();
    const before = new Set(el.querySelectorAll('.line'));
    useDocumentsStore().revealAt(1000);
    await nextTick();
    await nextTick();
    const after = [...el.querySelectorAll('.line')];
    // At the top the range has no lines above it, so it grows by the overscan; every row it had is reused.
    expect(after.length).toBeGreaterThanOrEqual(before.size);
    expect([...before].every((r) => r.isConnected)).toBe(true);
    // The rows now show the lines around 1000, each at its own position.
    const shown = after.map((r) => Number(r.getAttribute('aria-rowindex')) - 1).sort((a, b) => a - b);
    expect(shown[0]).toBeLessThanOrEqual(1000);
    expect(shown[shown.length - 1]).toBeGreaterThan(1000);
    for (const r of after) {
      const n = Number(r.getAttribute('aria-rowindex')) - 1;
      expect((r as HTMLElement).style.transform).toBe(`translateY(${n * 20}px)`);
      if (n % 3 === 0) expect(r.classList.contains('source')).toBe(true);
      else expect(r.querySelector('.pc')?.textContent).toBe(String(n));
    }
  });
});
