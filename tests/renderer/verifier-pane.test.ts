// @vitest-environment happy-dom
// The Verifier pane while its tab is hidden (it stays mounted): steps re-render nothing there; shown again, it catches up at once.
import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import { useDebugStore } from '../../renderer/stores/debug';
import { useDocumentsStore } from '../../renderer/stores/documents';
import { useWorkspaceStore } from '../../renderer/stores/workspace';
import VerifierPane from '../../renderer/components/VerifierPane.vue';
import { mount, text } from './harness';

describe('Verifier pane', () => {
  it('skips work while hidden and shows the current instruction when shown', async () => {
    const { el } = await mount(VerifierPane);
    await useDocumentsStore().openBytes('p.s', new TextEncoder().encode('r1 = 1\nr2 = 2\nr3 = 3\nr0 = 0\nexit\n'));
    const debug = useDebugStore();
    const workspace = useWorkspaceStore();
    workspace.bottomTab = 'verifier';
    await debug.step('into');
    await nextTick();
    const states = (): string => text(el.querySelector('[data-testid=verifier-state]'));
    expect(states()).toMatch(/^before insn 0/);

    // Hidden (another bottom tab): three steps leave the pane as it was, concrete column and all.
    workspace.bottomTab = 'console';
    await nextTick();
    const before = el.innerHTML;
    for (let i = 0; i < 3; i++) await debug.step('into');
    await nextTick();
    expect(debug.state?.pc).toBe(3);
    expect(el.innerHTML).toBe(before);

    // Shown again: the state at the paused pc.
    workspace.bottomTab = 'verifier';
    await nextTick();
    expect(states()).toMatch(/^before insn 3/);
    expect(states()).toContain('concrete');
    // The whole bottom area hidden (View menu) counts as hidden too.
    workspace.toggleArea('bottom', false);
    await debug.step('into');
    await nextTick();
    expect(states()).toMatch(/^before insn 3/);
    workspace.toggleArea('bottom', true);
    await nextTick();
    expect(states()).toMatch(/^before insn 4/);
  });
});
