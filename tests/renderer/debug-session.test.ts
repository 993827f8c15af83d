// @vitest-environment happy-dom
// Commands pressed before the first session exists share that session (F11 twice in quick succession starts one program, not two).
import { describe, expect, it } from 'vitest';
import { useDebugStore } from '../../renderer/stores/debug';
import { useDocumentsStore } from '../../renderer/stores/documents';
import PaneFrame from '../../renderer/components/PaneFrame.vue';
import { mount } from './harness';

describe('debug store sessions', () => {
  it('two step commands sent before the session answered create one session: entry, then one step', async () => {
    const { sent } = await mount(PaneFrame);
    await useDocumentsStore().openBytes('p.s', new TextEncoder().encode('r1 = 1\nr2 = 2\nr0 = 0\nexit\n'));
    const debug = useDebugStore();
    await Promise.all([debug.step('into'), debug.step('into')]);
    expect(sent.filter((r) => r.kind === 'session.create')).toHaveLength(1);
    expect(debug.state?.pc).toBe(1);
  });
});
