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

  it('hides and shows areas, opens state tabs, resets the layout, and saves and restores all of it', async () => {
    const ws = useWorkspaceStore();
    ws.toggleArea('bottom');
    ws.toggleArea('state');
    expect([...ws.hidden].sort()).toEqual(['bottom', 'state']);
    // Opening a state tab brings the state column back; the console area stays hidden.
    ws.showStateTab('watches');
    expect(ws.stateTab).toBe('watches');
    expect([...ws.hidden]).toEqual(['bottom']);
    ws.sizes = { state: 500 };
    const saved = await ws.snapshot();
    expect(saved.layout).toMatchObject({ stateTab: 'watches', hidden: ['bottom'], sizes: { state: 500 } });

    setActivePinia(createPinia());
    const fresh = useWorkspaceStore();
    expect(await fresh.restore(saved, [])).toBe(true);
    expect(fresh.stateTab).toBe('watches');
    expect([...fresh.hidden]).toEqual(['bottom']);
    fresh.showBottomTab('verifier');
    expect(fresh.hidden.size).toBe(0);
    fresh.toggleArea('state');
    fresh.resetLayout();
    expect({ hidden: fresh.hidden.size, sizes: fresh.sizes, stateTab: fresh.stateTab, bottomTab: fresh.bottomTab })
      .toEqual({ hidden: 0, sizes: {}, stateTab: 'stack', bottomTab: 'console' });
    // A layout with nothing hidden writes no `hidden` field (older readers never see it).
    expect((await fresh.snapshot()).layout.hidden).toBeUndefined();
  });
});
