// Host requests are validated like engine messages: a renderer cannot smuggle paths, unknown fields or bad workspaces.
import { describe, expect, it } from 'vitest';
import { emptyWorkspace } from '../session/workspace-file';
import { checkHostMenuMessage, checkHostRequestMessage, checkHostResponseMessage } from './host-messages';

describe('host messages', () => {
  it('accepts the documented shapes', () => {
    const ws = emptyWorkspace();
    for (const request of [
      { kind: 'workspace.save', to: 'autosave', workspace: ws },
      { kind: 'workspace.save', to: 'new', name: 'mine', workspace: ws },
      { kind: 'workspace.open', from: 'recent', name: 'mine' },
      { kind: 'workspace.list' },
      { kind: 'export.save', name: 'p.txt', text: 'listing' },
    ]) expect(checkHostRequestMessage({ type: 'host-request', id: 1, request }).ok, request.kind).toBe(true);
    expect(checkHostResponseMessage({ type: 'host-response', id: 1, response: { kind: 'workspace.opened', name: 'a', workspace: ws, notes: [] } }).ok).toBe(true);
    expect(checkHostMenuMessage({ command: 'workspace.open-recent', name: '/home/u/a.bpfdbg.json' }).ok).toBe(true);
  });

  it('refuses bad ones with the first bad field named', () => {
    const bad: [unknown, string][] = [
      [{ type: 'request', id: 1, request: { kind: 'workspace.list' } }, 'message.type must be "host-request"'],
      [{ type: 'host-request', id: -1, request: { kind: 'workspace.list' } }, 'message.id must be a non-negative integer'],
      [{ type: 'host-request', id: 1, request: { kind: 'workspace.list', path: '/etc' } }, 'message.request.path is not a known field'],
      [{ type: 'host-request', id: 1, request: { kind: 'workspace.save', to: 'disk', workspace: emptyWorkspace() } }, 'message.request.to must be one of'],
      [{ type: 'host-request', id: 1, request: { kind: 'workspace.save', to: 'new', workspace: { ...emptyWorkspace(), version: 9 } } }, 'message.request.workspace.version must be 1'],
      [{ type: 'host-request', id: 1, request: { kind: 'read-file', file: '/etc/passwd' } }, 'message.request.kind must be one of'],
    ];
    for (const [m, text] of bad) {
      const r = checkHostRequestMessage(m);
      expect(r.ok ? '' : r.error).toContain(text);
    }
    expect(checkHostMenuMessage({ command: 'run' }).ok).toBe(false);
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('boom'); } });
    expect(checkHostRequestMessage(hostile)).toEqual({ ok: false, error: 'message could not be inspected' });
  });
});
