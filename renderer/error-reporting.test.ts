// @vitest-environment happy-dom
// Errors nobody caught reach the notice bar's store instead of disappearing into the console.
import { describe, expect, it, vi } from 'vitest';
import { createApp, defineComponent, h, nextTick } from 'vue';
import { installErrorReporting } from './error-reporting';

describe('installErrorReporting', () => {
  it('reports a throwing event handler and an unhandled rejection', async () => {
    const seen: string[] = [];
    const Broken = defineComponent({ setup: () => () => h('button', { onClick: () => { throw new Error('boom'); } }, 'x') });
    const app = createApp(Broken);
    installErrorReporting(app, window, (t) => seen.push(t));
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const el = document.createElement('div');
    document.body.appendChild(el);
    app.mount(el);
    el.querySelector('button')!.click();
    await nextTick();
    const rejection = new Event('unhandledrejection') as PromiseRejectionEvent;
    Object.defineProperty(rejection, 'reason', { value: new Error('lost promise') });
    window.dispatchEvent(rejection);
    quiet.mockRestore();
    app.unmount();
    expect(seen[0]).toMatch(/^Internal error in the user interface \(.+\): boom$/);
    expect(seen[1]).toBe('Internal error in the user interface: lost promise');
  });
});
