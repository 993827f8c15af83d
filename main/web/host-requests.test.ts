// Browser mode's workspace requests over the real WebSocket: save, list, open, autosave; names only, no paths read, no escape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startWebHost, type WebHost } from './server';
import { checkHostResponseMessage, type HostRequest, type HostResponse } from '../../engine/protocol';
import { emptyWorkspace, printWorkspace, type WorkspaceState } from '../../engine/session/workspace-file';

const WORKER = path.join(__dirname, '..', '..', 'engine', 'host', 'worker.ts');
let dir: string;
let withDir: WebHost;
let withoutDir: WebHost;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bpfdbg-webws-'));
  const root = path.join(dir, 'renderer');
  mkdirSync(root);
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>t</title>');
  const engine = { script: WORKER, execArgv: ['--require', 'tsx/cjs'] };
  withDir = await startWebHost({ root, port: 0, engine, workspaces: path.join(dir, 'ws') });
  withoutDir = await startWebHost({ root, port: 0, engine });
});

afterAll(async () => {
  await withDir?.close();
  await withoutDir?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function client(host: WebHost): Promise<{ ask(r: HostRequest): Promise<HostResponse>; raw(text: string, id: number): Promise<HostResponse>; close(): void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/engine`, { origin: `http://127.0.0.1:${host.port}` });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const waiting = new Map<number, (r: HostResponse) => void>();
  ws.on('message', (data) => {
    const checked = checkHostResponseMessage(JSON.parse(String(data)));
    if (checked.ok) waiting.get(checked.value.id)?.(checked.value.response);
  });
  let next = 1;
  const raw = (text: string, id: number) => new Promise<HostResponse>((resolve) => {
    waiting.set(id, resolve);
    ws.send(text);
  });
  return {
    ask: (request) => {
      const id = next++;
      return raw(JSON.stringify({ type: 'host-request', id, request }), id);
    },
    raw,
    close: () => ws.close(),
  };
}

const ws = (marker: string): WorkspaceState => ({
  ...emptyWorkspace(),
  watches: [marker],
  program: { name: 'p.bin', base64: 'lQAAAAAAAAA=', format: 'raw', program: 0 },
});

describe('web host workspace requests', () => {
  it('save, list, open and autosave by name', async () => {
    const c = await client(withDir);
    expect(await c.ask({ kind: 'workspace.save', to: 'new', name: 'alpha', workspace: ws('a') })).toEqual({ kind: 'workspace.saved', name: 'alpha' });
    expect(await c.ask({ kind: 'workspace.save', to: 'current', workspace: ws('a2') })).toEqual({ kind: 'workspace.saved', name: 'alpha' });
    expect(await c.ask({ kind: 'workspace.save', to: 'autosave', workspace: ws('auto') })).toEqual({ kind: 'workspace.saved', name: 'autosave' });
    expect(await c.ask({ kind: 'workspace.list' })).toEqual({ kind: 'workspace.list', names: ['alpha'], current: 'alpha' });
    const opened = await c.ask({ kind: 'workspace.open', from: 'recent', name: 'alpha' });
    expect(opened).toMatchObject({ kind: 'workspace.opened', name: 'alpha', workspace: { watches: ['a2'] }, notes: [] });
    expect(await c.ask({ kind: 'workspace.open', from: 'autosave' })).toMatchObject({ kind: 'workspace.opened', workspace: { watches: ['auto'] } });
    expect(await c.ask({ kind: 'workspace.save', to: 'new', name: 'autosave', workspace: ws('x') })).toMatchObject({ kind: 'error', code: 'workspace.reserved-name' });
    c.close();
  });

  it('refuses escaping names and never reads a program path', async () => {
    const c = await client(withDir);
    for (const name of ['../x', '/etc/passwd', 'a/b', '.x']) {
      expect(await c.ask({ kind: 'workspace.save', to: 'new', name, workspace: ws('e') }), name).toMatchObject({ kind: 'error', code: 'workspace.save-failed' });
      expect(await c.ask({ kind: 'workspace.open', from: 'recent', name }), name).toMatchObject({ kind: 'error' });
    }
    expect(readdirSync(dir).sort()).toEqual(['renderer', 'ws']);
    // A planted workspace naming a file by path: the web host does not read it.
    const planted: WorkspaceState = { ...emptyWorkspace(), program: { name: 'passwd', path: '/etc/passwd', format: 'raw', program: 0 } };
    writeFileSync(path.join(dir, 'ws', 'planted.bpfdbg.json'), printWorkspace(planted));
    const r = await c.ask({ kind: 'workspace.open', from: 'recent', name: 'planted' });
    if (r.kind !== 'workspace.opened') throw new Error(JSON.stringify(r));
    expect(r.workspace.program).toBeUndefined();
    expect(r.notes.join(' ')).toContain('browser mode does not read');
    c.close();
  });

  it('answers malformed host frames with an error for their id, and bad workspaces are refused', async () => {
    const c = await client(withDir);
    expect(await c.raw(JSON.stringify({ type: 'host-request', id: 77, request: { kind: 'workspace.open', from: 'anywhere' } }), 77))
      .toMatchObject({ kind: 'error', code: 'protocol.malformed' });
    expect(await c.raw(JSON.stringify({ type: 'host-request', id: 78, request: { kind: 'workspace.save', to: 'new', name: 'v', workspace: { ...ws('v'), version: 2 } } }), 78))
      .toMatchObject({ kind: 'error', code: 'protocol.malformed', message: 'message.request.workspace.version must be 1' });
    c.close();
  });

  it('says how to turn workspaces on when the host has no directory', async () => {
    const c = await client(withoutDir);
    expect(await c.ask({ kind: 'workspace.list' })).toMatchObject({ kind: 'error', code: 'workspace.unavailable' });
    expect(await c.ask({ kind: 'workspace.save', to: 'autosave', workspace: ws('a') })).toMatchObject({ kind: 'error', code: 'workspace.unavailable' });
    c.close();
  });
});
