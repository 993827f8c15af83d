// @vitest-environment happy-dom
// The workspace store is the one owner of the layout: the bottom tab and pane sizes it saves are the ones it restores.
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { WorkspaceState } from '../../engine/protocol';
import { useWorkspaceStore } from './workspace';

beforeEach(() => setActivePinia(createPinia()));

describe('workspace store layout', () => {
  it('saves the bottom tab and pane sizes, and restores them', async () => {
    const ws = useWorkspaceStore();
    expect(ws.bottomTab).toBe('console');
    ws.bottomTab = 'verifier';
    ws.sizes = { state: 420, bottom: 260 };
    const saved = await ws.snapshot();
    expect(saved.layout.bottomTab).toBe('verifier');
    expect(saved.layout.sizes).toEqual({ state: 420, bottom: 260 });

    setActivePinia(createPinia());
    const fresh = useWorkspaceStore();
    expect(await fresh.restore(saved, [])).toBe(true);
    expect(fresh.bottomTab).toBe('verifier');
    expect(fresh.sizes).toEqual({ state: 420, bottom: 260 });
  });

  it('restores an older file without a bottom tab to the console', async () => {
    const ws = useWorkspaceStore();
    ws.bottomTab = 'diagnostics';
    const older: WorkspaceState = { format: 'bpfdbg-workspace', version: 1, breakpoints: [], watches: [], inputs: {}, layout: { theme: 'dark', sizes: {} } };
    expect(await ws.restore(older, [])).toBe(true);
    expect(ws.bottomTab).toBe('console');
  });
});
