// @vitest-environment happy-dom
// The pane splitter: dragging and arrow keys change the controlled pane's size, never below its minimum;
// App.vue keeps the sizes in the workspace store, which saves them as layout.sizes.
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, h, nextTick, ref, type App } from 'vue';
import PaneSplitter from './PaneSplitter.vue';

let app: App | undefined;
afterEach(() => {
  app?.unmount();
  app = undefined;
  document.body.innerHTML = '';
});

function mount(props: { axis: 'columns' | 'rows'; after?: boolean; initial: number; min: number }): { bar: HTMLElement; size: () => number } {
  const size = ref(props.initial);
  const el = document.createElement('div');
  document.body.appendChild(el);
  app = createApp({
    render: () => h(PaneSplitter, {
      axis: props.axis, after: props.after ?? true, size: size.value, min: props.min, otherMin: 100, label: 'Resize',
      'onUpdate:size': (v: number) => (size.value = v),
    }),
  });
  app.mount(el);
  return { bar: el.querySelector('[role="separator"]') as HTMLElement, size: () => size.value };
}

function pointer(type: string, at: { x?: number; y?: number }): PointerEvent {
  return new PointerEvent(type, { bubbles: true, button: 0, pointerId: 1, clientX: at.x ?? 0, clientY: at.y ?? 0 });
}

describe('PaneSplitter', () => {
  it('is a focusable separator that says its orientation and value', () => {
    const { bar } = mount({ axis: 'columns', initial: 400, min: 240 });
    expect(bar.getAttribute('tabindex')).toBe('0');
    expect(bar.getAttribute('aria-orientation')).toBe('vertical');
    expect(bar.getAttribute('aria-valuenow')).toBe('400');
    expect(bar.getAttribute('aria-label')).toBe('Resize');
  });

  it('dragging left widens a pane to its right, and stops at the minimum', async () => {
    const { bar, size } = mount({ axis: 'columns', initial: 400, min: 240 });
    bar.dispatchEvent(pointer('pointerdown', { x: 600 }));
    bar.dispatchEvent(pointer('pointermove', { x: 550 }));
    expect(size()).toBe(450);
    await nextTick();
    bar.dispatchEvent(pointer('pointermove', { x: 900 }));
    expect(size()).toBe(240);
    bar.dispatchEvent(pointer('pointerup', { x: 900 }));
    await nextTick();
    // After the pointer is released, moves do nothing.
    bar.dispatchEvent(pointer('pointermove', { x: 100 }));
    expect(size()).toBe(240);
    expect(bar.getAttribute('aria-valuenow')).toBe('240');
  });

  it('arrow keys move the bar in steps (Shift: larger steps), within the minimum', async () => {
    const { bar, size } = mount({ axis: 'rows', initial: 230, min: 80 });
    const key = async (k: string, shiftKey = false): Promise<void> => {
      bar.dispatchEvent(new KeyboardEvent('keydown', { key: k, shiftKey, bubbles: true }));
      await nextTick();
    };
    await key('ArrowUp');
    expect(size()).toBe(240);
    await key('ArrowDown', true);
    expect(size()).toBe(190);
    for (let i = 0; i < 5; i++) await key('ArrowDown', true);
    expect(size()).toBe(80);
    await key('ArrowLeft');
    expect(size()).toBe(80);
  });

  it('a pane before the bar grows as the bar moves away from it', () => {
    const { bar, size } = mount({ axis: 'columns', after: false, initial: 300, min: 100 });
    bar.dispatchEvent(pointer('pointerdown', { x: 300 }));
    bar.dispatchEvent(pointer('pointermove', { x: 340 }));
    expect(size()).toBe(340);
  });
});
