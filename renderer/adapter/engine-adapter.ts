// The renderer's one door to the engine: request/response with ids over the preload API (Electron) or a WebSocket (browser mode).
import {
  checkEngineMessage, checkHostResponseMessage, checkRequestMessage,
  type EngineMessage, type Event, type HostMenuMessage, type HostRequest, type HostResponse,
  type MenuMessage, type Request, type RequestMessage, type Response,
} from '../../engine/protocol';

/** What preload/index.ts exposes as window.bpfdbg. */
export interface PreloadApi {
  send(message: RequestMessage): string | undefined;
  onMessage(listener: (m: EngineMessage) => void): () => void;
  onMenu(listener: (m: MenuMessage) => void): () => void;
  /** Host requests (workspaces, exports); older preloads lack it. */
  host?(request: HostRequest): Promise<HostResponse>;
}

/** A byte pipe for protocol messages; the adapter does ids, validation and error mapping over it. */
export interface Transport {
  readonly kind: 'electron' | 'browser';
  /** Returns an error text if the message could not be sent. */
  send(message: RequestMessage): string | undefined;
  onMessage(listener: (m: EngineMessage) => void): void;
  onMenu?(listener: (m: MenuMessage) => void): void;
  /** Asks the host itself (not the engine): workspace files, exports. */
  host?(request: HostRequest): Promise<HostResponse>;
  close?(): void;
}

export class EngineAdapter {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: Response) => void>();
  private readonly eventListeners = new Set<(e: Event) => void>();

  constructor(readonly transport: Transport) {
    transport.onMessage((m) => {
      if (m.type === 'event') {
        for (const l of this.eventListeners) l(m.event);
        return;
      }
      const resolve = this.waiting.get(m.id);
      if (resolve) {
        this.waiting.delete(m.id);
        resolve(m.response);
      }
    });
  }

  get kind(): Transport['kind'] {
    return this.transport.kind;
  }

  /** The last request id handed out, so a caller can cancel the request it just made. */
  get lastId(): number {
    return this.nextId - 1;
  }

  /** Sends a request; resolves with its response (an 'error' response rather than a rejection when anything fails). */
  request(request: Request): Promise<Response> {
    const id = this.nextId++;
    const message: RequestMessage = { type: 'request', id, request };
    const checked = checkRequestMessage(message);
    if (!checked.ok) return Promise.resolve({ kind: 'error', code: 'protocol.invalid-request', message: checked.error });
    return new Promise<Response>((resolve) => {
      this.waiting.set(id, resolve);
      const failure = this.transport.send(message);
      if (failure !== undefined) {
        this.waiting.delete(id);
        resolve({ kind: 'error', code: 'host.send-failed', message: failure });
      }
    });
  }

  onEvent(listener: (e: Event) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onMenu(listener: (m: MenuMessage) => void): void {
    this.transport.onMenu?.(listener);
  }

  /** The workspace and export items of the Electron menu (they arrive on the same menu channel). */
  onHostMenu(listener: (m: HostMenuMessage) => void): void {
    this.transport.onMenu?.((m) => {
      const c: string = m.command;
      if (c.startsWith('workspace.') || c === 'export-listing') listener(m as unknown as HostMenuMessage);
    });
  }

  /** A host request; an 'error' response (never a rejection) when the host cannot answer. */
  host(request: HostRequest): Promise<HostResponse> {
    if (!this.transport.host) return Promise.resolve({ kind: 'error', code: 'host.unsupported', message: 'this host cannot save or open workspaces' });
    return this.transport.host(request).catch((e: unknown) => ({ kind: 'error' as const, code: 'host.failed', message: e instanceof Error ? e.message : String(e) }));
  }

  /** Answers every waiting request with an error (the connection is gone). */
  failAll(code: string, message: string): void {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const resolve of all) resolve({ kind: 'error', code, message });
  }
}

export function preloadTransport(api: PreloadApi): Transport {
  return {
    kind: 'electron',
    send: (m) => api.send(m),
    onMessage: (l) => void api.onMessage(l),
    onMenu: (l) => void api.onMenu(l),
    ...(api.host ? { host: (r: HostRequest) => (api.host as (r: HostRequest) => Promise<HostResponse>)(r) } : {}),
  };
}

/**
 * Browser mode: the web host's /engine socket on the page's own origin. Messages sent before the
 * socket opens are queued; a closed socket fails every waiting request and reports the loss.
 */
export function webSocketTransport(url: string, onLost: (reason: string) => void): Transport {
  const ws = new WebSocket(url);
  const queue: string[] = [];
  const listeners: ((m: EngineMessage) => void)[] = [];
  /** Host requests in flight, by their own id sequence (host-response frames never reach the engine adapter). */
  const hostWaiting = new Map<number, (r: HostResponse) => void>();
  let hostId = 1;
  const send = (text: string): string | undefined => {
    if (ws.readyState === WebSocket.CONNECTING) queue.push(text);
    else if (ws.readyState === WebSocket.OPEN) ws.send(text);
    else return 'the connection to the engine is closed; reload the page';
    return undefined;
  };
  ws.addEventListener('open', () => {
    for (const q of queue.splice(0)) ws.send(q);
  });
  ws.addEventListener('message', (e: MessageEvent) => {
    let value: unknown;
    try {
      value = typeof e.data === 'string' ? JSON.parse(e.data) : undefined;
    } catch {
      value = undefined;
    }
    if (typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'host-response') {
      const host = checkHostResponseMessage(value);
      const resolve = host.ok ? hostWaiting.get(host.value.id) : undefined;
      if (host.ok && resolve) {
        hostWaiting.delete(host.value.id);
        resolve(host.value.response);
      }
      return;
    }
    const checked = value === undefined ? { ok: false as const, error: typeof e.data === 'string' ? 'message is not valid JSON' : 'binary frame' } : checkEngineMessage(value);
    const m: EngineMessage = checked.ok
      ? checked.value
      : { type: 'event', event: { kind: 'host-error', code: 'protocol.malformed-from-host', message: `the web host sent a malformed message: ${checked.error}` } };
    for (const l of listeners) l(m);
  });
  ws.addEventListener('close', (e: CloseEvent) => {
    for (const resolve of hostWaiting.values()) resolve({ kind: 'error', code: 'host.disconnected', message: 'the connection to the host closed' });
    hostWaiting.clear();
    onLost(`the connection to the engine closed (code ${e.code})`);
  });
  return {
    kind: 'browser',
    send: (m) => send(JSON.stringify(m)),
    host: (request) => new Promise<HostResponse>((resolve) => {
      const id = hostId++;
      hostWaiting.set(id, resolve);
      const failure = send(JSON.stringify({ type: 'host-request', id, request }));
      if (failure !== undefined) {
        hostWaiting.delete(id);
        resolve({ kind: 'error', code: 'host.send-failed', message: failure });
      }
    }),
    onMessage: (l) => void listeners.push(l),
    close: () => ws.close(),
  };
}

/** Picks the transport for where the renderer runs: the preload API if present, else the web host's socket. */
export function createAdapter(): EngineAdapter {
  const api = (window as unknown as { bpfdbg?: PreloadApi }).bpfdbg;
  if (api) return new EngineAdapter(preloadTransport(api));
  let adapter: EngineAdapter | undefined = undefined;
  const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/engine`;
  const transport = webSocketTransport(url, (reason) => {
    adapter?.failAll('host.disconnected', reason);
    for (const l of lostListeners) l(reason);
  });
  adapter = new EngineAdapter(transport);
  return adapter;
}

const lostListeners = new Set<(reason: string) => void>();

/** Called when browser mode loses its engine connection. */
export function onConnectionLost(listener: (reason: string) => void): void {
  lostListeners.add(listener);
}
