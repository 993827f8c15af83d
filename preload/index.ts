// The preload: exposes the typed engine API to the sandboxed renderer through contextBridge, and nothing else.
//
// It is the only code with ipcRenderer. It sends requests only on IPC_CHANNELS.request, accepts
// messages only on IPC_CHANNELS.event and IPC_CHANNELS.menu, and validates both before the page
// sees them, so a compromised page still cannot reach any other channel.
import { contextBridge, ipcRenderer } from 'electron';
import {
  checkEngineMessage, checkMenuMessage, checkRequestMessage, IPC_CHANNELS,
  type EngineMessage, type MenuMessage, type RequestMessage,
} from '../engine/protocol';

/** What window.bpfdbg offers the renderer (declared again, as a type, in renderer/adapter). */
export interface PreloadApi {
  /** Sends a request message; answers arrive through onMessage with the same id. */
  send(message: RequestMessage): string | undefined;
  onMessage(listener: (m: EngineMessage) => void): () => void;
  onMenu(listener: (m: MenuMessage) => void): () => void;
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
      if (checked.ok) listener(checked.value);
    };
    ipcRenderer.on(IPC_CHANNELS.menu, handler);
    return () => void ipcRenderer.removeListener(IPC_CHANNELS.menu, handler);
  },
};

contextBridge.exposeInMainWorld('bpfdbg', api);
