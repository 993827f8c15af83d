// The preload: exposes the typed engine API to the sandboxed renderer through contextBridge, and nothing else.
//
// It is the only code with ipcRenderer. It sends requests only on IPC_CHANNELS.request, host
// requests (workspaces, exports) only by invoke on IPC_HOST_CHANNEL, accepts messages only on
// IPC_CHANNELS.event and IPC_CHANNELS.menu, and validates everything in both directions before it
// crosses, so a compromised page still cannot reach any other channel or send an unchecked shape.
import { contextBridge, ipcRenderer } from 'electron';
import {
  checkEngineMessage, checkHostMenuMessage, checkHostRequest, checkHostResponse, checkMenuMessage, checkRequestMessage,
  IPC_CHANNELS, IPC_HOST_CHANNEL,
  type EngineMessage, type HostMenuMessage, type HostRequest, type HostResponse, type MenuMessage, type RequestMessage,
} from '../engine/protocol';

/** What window.bpfdbg offers the renderer (declared again, as a type, in renderer/adapter). */
export interface PreloadApi {
  /** Sends a request message; answers arrive through onMessage with the same id. */
  send(message: RequestMessage): string | undefined;
  onMessage(listener: (m: EngineMessage) => void): () => void;
  onMenu(listener: (m: MenuMessage | HostMenuMessage) => void): () => void;
  /** Asks Electron main (not the engine) to save/open a workspace or save an export; resolves with its answer. */
  host(request: HostRequest): Promise<HostResponse>;
}

const api: PreloadApi = {
  send(message) {
    const checked = checkRequestMessage(message);
    if (!checked.ok) return checked.error;
    ipcRenderer.send(IPC_CHANNELS.request, checked.value);
    return undefined;
  },
  onMessage(listener) {
    const handler = (_e: unknown, data: unknown): void => {
      const checked = checkEngineMessage(data);
      if (checked.ok) listener(checked.value);
      else listener({ type: 'event', event: { kind: 'host-error', code: 'protocol.malformed-from-host', message: checked.error } });
    };
    ipcRenderer.on(IPC_CHANNELS.event, handler);
    return () => void ipcRenderer.removeListener(IPC_CHANNELS.event, handler);
  },
  onMenu(listener) {
    const handler = (_e: unknown, data: unknown): void => {
      const checked = checkMenuMessage(data);
      if (checked.ok) return listener(checked.value);
      const host = checkHostMenuMessage(data);
      if (host.ok) listener(host.value);
    };
    ipcRenderer.on(IPC_CHANNELS.menu, handler);
    return () => void ipcRenderer.removeListener(IPC_CHANNELS.menu, handler);
  },
  async host(request) {
    const checked = checkHostRequest(request);
    if (!checked.ok) return { kind: 'error', code: 'protocol.invalid-request', message: checked.error };
    try {
      const answer: unknown = await ipcRenderer.invoke(IPC_HOST_CHANNEL, checked.value);
      const r = checkHostResponse(answer);
      return r.ok ? r.value : { kind: 'error', code: 'protocol.malformed-from-host', message: r.error };
    } catch (e) {
      return { kind: 'error', code: 'host.ipc-failed', message: e instanceof Error ? e.message : String(e) };
    }
  },
};

contextBridge.exposeInMainWorld('bpfdbg', api);
