// @vitest-environment happy-dom
// Browser mode's View menu: the same layout actions as Electron's View menu, closing like a native menu.
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, h, nextTick, type App } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import { useWorkspaceStore } from '../stores/workspace';
import ViewMenu from './ViewMenu.vue';
import WorkspaceMenu from './WorkspaceMenu.vue';
import StatePanes from './StatePanes.vue';

let app: App | undefined;
afterEach(() => {
  app?.unmount();
  app = undefined;
  document.body.innerHTML = '';
});

function mount(component: typeof ViewMenu = ViewMenu): HTMLElement {
  const pinia = createPinia();
  setActivePinia(pinia);
  const el = document.createElement('div');
  document.body.appendChild(el);
  app = createApp({ render: () => h(component) });
  app.use(pinia);
  app.mount(el);
  return el;
}

const click = async (el: HTMLElement, testid: string): Promise<void> => {
  (el.querySelector(`[data-testid=${testid}]`) as HTMLButtonElement).click();
  await nextTick();
};

describe('ViewMenu', () => {
  it('toggles the areas with check marks, opens watches and the call stack, resets the layout', async () => {
    const el = mount();
    const ws = useWorkspaceStore();
    await click(el, 'view-menu');
    expect(el.querySelector('[data-testid=view-state]')?.getAttribute('aria-checked')).toBe('true');
    await click(el, 'view-state');
    await click(el, 'view-bottom');
    expect([...ws.hidden].sort()).toEqual(['bottom', 'state']);
    // Checkbox items keep the menu open and show the new state.
    expect(el.querySelector('[data-testid=view-state]')?.getAttribute('aria-checked')).toBe('false');
    await click(el, 'view-calls');
    expect(ws.stateTab).toBe('calls');
    expect([...ws.hidden]).toEqual(['bottom']);
    expect(el.querySelector('[data-testid=view-popover]')).toBeNull();
    ws.sizes = { state: 600, bottom: 100 };
    await click(el, 'view-menu');
    await click(el, 'view-reset');
    expect({ hidden: ws.hidden.size, sizes: ws.sizes, stateTab: ws.stateTab }).toEqual({ hidden: 0, sizes: {}, stateTab: 'stack' });
    await click(el, 'view-menu');
    await click(el, 'view-watches');
    expect(ws.stateTab).toBe('watches');
  });

  it('closes on Escape and on a click elsewhere', async () => {
    const el = mount();
    await click(el, 'view-menu');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await nextTick();
    expect(el.querySelector('[data-testid=view-popover]')).toBeNull();
    await click(el, 'view-menu');
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    await nextTick();
    expect(el.querySelector('[data-testid=view-popover]')).toBeNull();
  });

  it('the Workspace menu closes the same way', async () => {
    const el = mount(WorkspaceMenu);
    await click(el, 'workspace-menu');
    expect(el.querySelector('[data-testid=workspace-popover]')).not.toBeNull();
    // Typing in its name field is not a click elsewhere.
    (el.querySelector('[data-testid=workspace-name]') as HTMLInputElement).dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    await nextTick();
    expect(el.querySelector('[data-testid=workspace-popover]')).not.toBeNull();
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await nextTick();
    expect(el.querySelector('[data-testid=workspace-popover]')).toBeNull();
  });

  it('the state tabs follow the arrow keys and keep the choice in the workspace store', async () => {
    const el = mount(StatePanes);
    const ws = useWorkspaceStore();
    const nav = el.querySelector('nav[role=tablist]') as HTMLElement;
    const key = async (k: string): Promise<void> => {
      nav.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
      await nextTick();
    };
    await key('ArrowRight');
    expect(ws.stateTab).toBe('calls');
    await key('ArrowRight');
    expect(ws.stateTab).toBe('watches');
    expect(el.querySelector('[data-testid=tab-watches]')?.getAttribute('tabindex')).toBe('0');
    await key('End');
    expect(ws.stateTab).toBe('inputs');
    await key('ArrowRight');
    expect(ws.stateTab).toBe('stack');
    await key('ArrowLeft');
    expect(ws.stateTab).toBe('inputs');
  });
});
