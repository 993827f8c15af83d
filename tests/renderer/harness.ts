// Mounts renderer components over the real engine: the engine service the worker runs, in-process, every message through the protocol validator both ways.
//
// Here in tests/ because renderer/ may not import the engine (its lint rule). The components,
// stores and adapter are the app's own; only the transport differs from the app's (no socket).
import { afterEach } from 'vitest';
import { createApp, h, nextTick, type App, type Component } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import { checkEngineMessage, checkRequestMessage, type EngineMessage, type Request, type RequestMessage } from '../../engine/protocol';
import { EngineService } from '../../engine/host/worker-dispatch';
import { EngineAdapter, type Transport } from '../../renderer/adapter/engine-adapter';
import { useEngineStore } from '../../renderer/stores/engine';
import { useWatchesStore } from '../../renderer/stores/watches';

let app: App | undefined;
afterEach(() => {
  app?.unmount();
  app = undefined;
  document.body.innerHTML = '';
});

/** Mounts `component` with stores connected to an in-process engine; returns the element and the requests sent. */
export async function mount(component: Component): Promise<{ el: HTMLElement; sent: Request[] }> {
  const pinia = createPinia();
  setActivePinia(pinia);
  const sent: Request[] = [];
  const listeners: ((m: EngineMessage) => void)[] = [];
  const service = new EngineService((m) => {
    const checked = checkEngineMessage(JSON.parse(JSON.stringify(m)));
    if (!checked.ok) throw new Error(`the engine sent an invalid message: ${checked.error}`);
    for (const l of listeners) l(checked.value);
  });
  const transport: Transport = {
    kind: 'browser',
    send(m: RequestMessage) {
      const checked = checkRequestMessage(JSON.parse(JSON.stringify(m)));
      if (!checked.ok) return checked.error;
      sent.push(checked.value.request);
      void service.handle(checked.value);
      return undefined;
    },
    onMessage: (l) => void listeners.push(l),
  };
  const el = document.createElement('div');
  document.body.appendChild(el);
  app = createApp({ render: () => h(component) });
  app.use(pinia);
  app.mount(el);
  await useEngineStore().connect(new EngineAdapter(transport));
  // As App.vue does: the watch store lives whichever tab is shown.
  useWatchesStore();
  return { el, sent };
}

/** Waits until `f` holds (engine answers and after-paint evaluation are asynchronous). */
export async function until(f: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (f()) return;
    await new Promise((r) => setTimeout(r, 5));
    await nextTick();
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The element's text nodes joined by spaces (compiled templates put no whitespace between cells). */
export function text(el: Element | null): string {
  if (!el) return '';
  const parts: string[] = [];
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) parts.push(n.textContent ?? '');
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

export function typeInto(input: HTMLInputElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event('input'));
}
