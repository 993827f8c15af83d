// @vitest-environment happy-dom
// Browser mode's workspace round trip with nothing faked: the renderer's stores, the web host's answers
// (real WorkspaceDir on disk) and the engine (EngineService), joined by a transport that JSON-copies
// every message as the WebSocket would.
//
// The renderer modules are imported by path at run time: the Node typecheck (tsconfig.json, no DOM
// library) must not compile renderer sources, which vue-tsc checks with the DOM types. The shapes used
// here are declared below.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPinia, setActivePinia } from 'pinia';
import { EngineService } from '../../engine/host/worker-dispatch';
import type { DocumentInfo, EngineMessage, HostRequest, HostResponse, Request, RequestMessage, Response, StateSnapshot } from '../../engine/protocol';
import { answerHostRequest, type WebHostRequestState } from './host-requests';
import { WorkspaceDir } from './workspace-store';

interface Transport {
  kind: 'browser';
  send(m: RequestMessage): string | undefined;
  onMessage(l: (m: EngineMessage) => void): void;
  host(r: HostRequest): Promise<HostResponse>;
}
interface Stores {
  engine: { connect(a: unknown): Promise<void>; request(r: Request): Promise<Response> };
  docs: { current?: DocumentInfo; documents: DocumentInfo[]; openBytes(name: string, bytes: Uint8Array): Promise<void> };
  debug: { session?: number; state?: StateSnapshot; consoleLine(line: string): Promise<string[]>; run(): Promise<void> };
  ui: { theme: 'dark' | 'light'; notices: { text: string }[] };
  ws: { watches: string[]; inputs: Record<string, string>; save(to: 'new', name: string): Promise<boolean>; open(from: 'recent', name: string): Promise<boolean> };
}

const RENDERER = path.join(__dirname, '..', '..', 'renderer');
async function renderer<T>(file: string): Promise<T> {
  return (await import(path.join(RENDERER, file))) as T;
}

let stores: Stores;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bpfdbg-rt-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A fresh renderer (new Pinia) connected to a fresh engine and the web host's answers over `dir`. */
async function app(): Promise<void> {
  setActivePinia(createPinia());
  const { EngineAdapter } = await renderer<{ EngineAdapter: new (t: Transport) => unknown }>('adapter/engine-adapter.ts');
  const use = async <K extends keyof Stores>(file: string, fn: string): Promise<Stores[K]> => (await renderer<Record<string, () => Stores[K]>>(file))[fn]();
  stores = {
    engine: await use<'engine'>('stores/engine.ts', 'useEngineStore'),
    docs: await use<'docs'>('stores/documents.ts', 'useDocumentsStore'),
    debug: await use<'debug'>('stores/debug.ts', 'useDebugStore'),
    ui: await use<'ui'>('stores/ui.ts', 'useUiStore'),
    ws: await use<'ws'>('stores/workspace.ts', 'useWorkspaceStore'),
  };
  const workspaces = await WorkspaceDir.open(dir);
  const hostState: WebHostRequestState = {};
  const listeners: ((m: EngineMessage) => void)[] = [];
  const service = new EngineService((m) => {
    for (const l of listeners) l(wire(m));
  });
  const transport: Transport = {
    kind: 'browser',
    send: (m) => {
      void service.handle(wire(m));
      return undefined;
    },
    onMessage: (l) => void listeners.push(l),
    host: async (r) => wire(await answerHostRequest(workspaces, wire(r), hostState)),
  };
  await stores.engine.connect(new EngineAdapter(transport));
}

async function breakpoints(): Promise<unknown> {
  const r = await stores.engine.request({ kind: 'console', session: stores.debug.session as number, line: 'info breakpoints' });
  return r.kind === 'console' ? r.breakpoints?.map((b) => ({ pc: b.pc, enabled: b.enabled, condition: b.condition })) : r;
}

const SOURCE = ['r1 = 5', 'r2 = 7', 'r1 += r2', 'r0 = r1', 'exit', ''].join('\n');

describe('workspace round trip (browser mode)', () => {
  it('saves and restores the program, conditional and disabled breakpoints, watches, inputs and theme', async () => {
    await app();
    const { docs, debug } = stores;
    await docs.openBytes('p.s', new TextEncoder().encode(SOURCE));
    expect(docs.current?.name).toBe('p.s');
    await debug.consoleLine('break *2 if r1 == 5');
    await debug.consoleLine('break *3');
    await debug.consoleLine('disable 2');
    const { ws } = stores;
    ws.watches = ['r1', '*(u64 *)(r10 - 8)'];
    ws.inputs = { r1: '0x5' };
    stores.ui.theme = 'light';
    const before = await breakpoints();
    expect(before).toEqual([{ pc: 2, enabled: true, condition: 'r1 == 5' }, { pc: 3, enabled: false, condition: undefined }]);
    expect(await ws.save('new', 'mine')).toBe(true);

    // A new page: nothing open until the workspace is restored.
    await app();
    stores.ui.theme = 'dark';
    expect(stores.docs.current).toBeUndefined();
    expect(await stores.ws.open('recent', 'mine')).toBe(true);
    expect(stores.docs.current?.name).toBe('p.s');
    expect(await breakpoints()).toEqual(before);
    expect(stores.ws.watches).toEqual(['r1', '*(u64 *)(r10 - 8)']);
    expect(stores.ws.inputs).toEqual({ r1: '0x5' });
    expect(stores.ui.theme).toBe('light');
    // The restored breakpoint stops the program where it should, with its condition.
    await stores.debug.run();
    expect(stores.debug.state?.pc).toBe(2);
  });

  it('a newer-version or damaged workspace is refused and the current state is untouched', async () => {
    await app();
    const { docs, ws, ui } = stores;
    await docs.openBytes('p.s', new TextEncoder().encode(SOURCE));
    ui.theme = 'dark';
    writeFileSync(path.join(dir, 'future.bpfdbg.json'), JSON.stringify({ format: 'bpfdbg-workspace', version: 2, program: { name: 'x' } }));
    writeFileSync(path.join(dir, 'torn.bpfdbg.json'), '{"format":"bpfdbg-workspace","version":1,"breakp');
    expect(await ws.open('recent', 'future')).toBe(false);
    expect(await ws.open('recent', 'torn')).toBe(false);
    const notices = ui.notices.map((n) => n.text).join('\n');
    expect(notices).toContain('written by a newer bpfdbg (format version 2)');
    expect(notices).toContain('not valid JSON');
    expect(docs.documents.map((d) => d.name)).toEqual(['p.s']);
    expect(ui.theme).toBe('dark');
  });
});
