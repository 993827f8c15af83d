// @vitest-environment happy-dom
// Mounted components: the virtualized listing renders only what is visible, panes say plainly what is unavailable.
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, h, nextTick, type App, type Component } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import type { DocumentInfo, ListingLine } from '../../engine/protocol';
import { PAGE_LINES, useDocumentsStore } from '../stores/documents';
import { useEngineStore } from '../stores/engine';
import { useUiStore } from '../stores/ui';
import ProgramListing from './ProgramListing.vue';
import StatePanes from './StatePanes.vue';


let app: App | undefined;
afterEach(() => {
  app?.unmount();
  app = undefined;
  document.body.innerHTML = '';
});

function mount(component: Component): HTMLElement {
  const pinia = createPinia();
  setActivePinia(pinia);
  const el = document.createElement('div');
  el.style.height = '600px';
  document.body.appendChild(el);
  app = createApp({ render: () => h(component) });
  app.use(pinia);
  app.mount(el);
  return el;
}

function bigDocument(lines: number): DocumentInfo {
  return {
    id: 1, name: 'big.bin', format: 'raw', size: lines * 8,
    programs: [{ index: 0, name: 'big.bin', section: 'raw', type: 'unknown', insnCount: lines, slotCount: lines, hasSource: false, lineCount: lines }],
  };
}

function page(start: number): ListingLine[] {
  return Array.from({ length: PAGE_LINES }, (_, k): ListingLine => {
    const n = start + k;
    return n === 0
      ? { kind: 'label', index: 0, pc: 0, label: 'prog' }
      : { kind: 'insn', index: n, pc: n, bytes: '07 00 00 00 01 00 00 00', text: `r0 += 0x1 /* ${n} */`, invalid: false };
  });
}

describe('ProgramListing', () => {
  it('renders a window of a 100k-line listing, not all of it', async () => {
    const el = mount(ProgramListing);
    const docs = useDocumentsStore();
    docs.documents = [bigDocument(100_000)];
    docs.select(1, 0);
    docs.pages.set(0, page(0));
    await nextTick();
    await nextTick();
    const lines = el.querySelectorAll('.line');
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.length).toBeLessThan(100);
    expect(el.textContent).toContain('prog:');
    expect(el.textContent).toContain('r0 += 0x1 /* 1 */');
    const spacer = el.querySelector('.spacer') as HTMLElement;
    expect(spacer.style.height).toBe(`${100_000 * 20}px`);
  });

  it('reveals a stop: no scroll while it is in view, a third from the top when it is not', async () => {
    const el = mount(ProgramListing);
    const docs = useDocumentsStore();
    docs.documents = [bigDocument(100_000)];
    docs.select(1, 0);
    docs.pages.set(0, page(0));
    await nextTick();
    const viewport = el.querySelector('.viewport') as HTMLElement;
    // happy-dom has no layout: the listing takes its default height of 600 px (30 lines).
    const reveal = async (line: number): Promise<number> => {
      docs.revealAt(line);
      await nextTick();
      await nextTick();
      return viewport.scrollTop;
    };
    expect(await reveal(10)).toBe(0);
    expect(await reveal(26)).toBe(0);
    expect(await reveal(27)).toBe(27 * 20 - 200);
    expect(await reveal(40)).toBe(27 * 20 - 200);
    expect(await reveal(50_000)).toBe(50_000 * 20 - 200);
    expect(el.querySelectorAll('.line').length).toBeLessThan(100);
  });

  it('a breakpoint click says breakpoints are not available yet', async () => {
    const el = mount(ProgramListing);
    const docs = useDocumentsStore();
    docs.documents = [bigDocument(1000)];
    docs.select(1, 0);
    docs.pages.set(0, page(0));
    await nextTick();
    await nextTick();
    (el.querySelector('button.gutter') as HTMLButtonElement).click();
    await nextTick();
    expect(useUiStore().notices.map((n) => n.text)).toEqual(['Breakpoints are not available yet: the engine has no interpreter wired in.']);
  });
});

describe('StatePanes', () => {
  it('says plainly what the engine cannot show yet', async () => {
    const el = mount(StatePanes);
    await nextTick();
    expect(el.querySelector('[data-testid=registers]')?.textContent).toContain('Registers are not available yet');
    expect(el.querySelector('[data-testid=stack]')?.textContent).toContain('Stack slots are not available yet');
    useEngineStore().features = new Set(['registers']);
    await nextTick();
    expect(el.querySelector('[data-testid=registers]')?.textContent).toContain('No program is running');
    (el.querySelector('[data-testid=tab-maps]') as HTMLButtonElement).click();
    await nextTick();
    expect(el.querySelector('[data-testid=stack]')).toBeNull();
    expect(el.querySelector('[data-testid=maps]')?.textContent).toContain('Map contents are not available');
    useEngineStore().features = new Set(['registers', 'maps', 'inputs']);
    await nextTick();
    expect(el.querySelector('[data-testid=maps]')?.textContent).toContain('No program is running');
    expect(el.querySelector('[data-testid=inputs]')?.textContent).toContain('appear once it is started');
  });
});
