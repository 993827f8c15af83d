// The engine connection as state: the adapter, what the engine can do (features), and connection errors.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { type EngineAdapter } from '../adapter/engine-adapter';
import type { Feature, Request, Response } from '../../engine/protocol';
import { useUiStore } from './ui';

export const useEngineStore = defineStore('engine', () => {
  const adapter = shallowRef<EngineAdapter>();
  const features = ref<ReadonlySet<Feature>>(new Set());
  const engineName = ref('');
  const connected = ref(false);
  const connectionError = ref<string>();

  const mode = computed(() => adapter.value?.kind ?? 'browser');

  /** Attaches the adapter and asks the engine what it can do. */
  async function connect(a: EngineAdapter): Promise<void> {
    const ui = useUiStore();
    adapter.value = a;
    a.onEvent((e) => {
      if (e.kind === 'host-error') ui.notify('error', e.message);
      else if (e.kind === 'engine-restarted') ui.notify('error', `The engine was restarted (${e.reason}); open your file again.`);
    });
    const r = await a.request({ kind: 'hello' });
    if (r.kind === 'hello') {
      features.value = new Set(r.features);
      engineName.value = r.engine;
      connected.value = true;
      connectionError.value = undefined;
    } else {
      connectionError.value = r.kind === 'error' ? r.message : `unexpected answer ${r.kind}`;
      ui.notify('error', `Could not reach the engine: ${connectionError.value}`);
    }
  }

  function lost(reason: string): void {
    connected.value = false;
    connectionError.value = reason;
    useUiStore().notify('error', `Lost the engine: ${reason}. Reload the page to reconnect.`);
  }

  function has(f: Feature): boolean {
    return features.value.has(f);
  }

  /** Sends a request; answers an error response when not connected, so callers have one path. */
  async function request(req: Request): Promise<Response> {
    if (!adapter.value) return { kind: 'error', code: 'host.not-connected', message: 'not connected to the engine' };
    return adapter.value.request(req);
  }

  return { adapter, features, engineName, connected, connectionError, mode, connect, lost, has, request };
});
