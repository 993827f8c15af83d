// @vitest-environment happy-dom
// The Breakpoints pane over the real engine: conditions edited in place decide where a run stops; a bad condition is refused with the engine's words.
import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import { useBreakpointsStore } from '../../renderer/stores/breakpoints';
import { useDebugStore } from '../../renderer/stores/debug';
import { useDocumentsStore } from '../../renderer/stores/documents';
import { useUiStore } from '../../renderer/stores/ui';
import { useWorkspaceStore } from '../../renderer/stores/workspace';
import BreakpointsPane from '../../renderer/components/BreakpointsPane.vue';
import { mount, text, typeInto, until } from './harness';

// r1 counts 5, 4, ... 1; pc 3 (`r1 -= 1`) runs once per iteration.
const LOOP = ['r0 = 0', 'r1 = 5', 'loop:', 'r0 += r1', 'r1 -= 1', 'if r1 != 0 goto loop', 'exit', ''].join('\n');

const enter = (input: HTMLInputElement): void => void input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));

describe('Breakpoints pane', () => {
  it('adds a conditional breakpoint, edits its condition in place, disables and deletes it', async () => {
    const { el } = await mount(BreakpointsPane);
    const docs = useDocumentsStore();
    const debug = useDebugStore();
    const store = useBreakpointsStore();
    await docs.openBytes('loop.s', new TextEncoder().encode(LOOP));
    expect(text(el)).toContain('No breakpoints');

    // The add form follows the selected instruction.
    debug.selectedPc = 3;
    await nextTick();
    expect((el.querySelector('[data-testid=bp-pc]') as HTMLInputElement).value).toBe('3');
    typeInto(el.querySelector('[data-testid=bp-condition]') as HTMLInputElement, 'r1 == 2');
    (el.querySelector('form.add') as HTMLFormElement).dispatchEvent(new Event('submit'));
    await until(() => store.list.length === 1, 'the new breakpoint');
    await nextTick();
    expect(store.list[0]).toMatchObject({ pc: 3, enabled: true, condition: 'r1 == 2' });
    // The gutter marks it as conditional, the condition in its tooltip.
    expect([...debug.breakpoints].map(([k, m]) => [k, m.kind, m.title.split('\n')[0]])).toEqual([['0:3', 'cond', 'Breakpoint 1 if r1 == 2']]);
    const cond = el.querySelector('input[aria-label="Condition of breakpoint 1"]') as HTMLInputElement;
    expect(cond.value).toBe('r1 == 2');

    // The run stops where the condition holds; the pane (in view) shows the hit.
    useWorkspaceStore().bottomTab = 'breakpoints';
    await debug.run();
    expect(debug.state?.pc).toBe(3);
    expect(debug.state?.registers[1].value).toBe('0x2');
    await until(() => store.list[0]?.hits === 1, 'the hit count');
    await nextTick();
    expect(text(el.querySelector('tr[data-bp="1"] td.hits'))).toBe('1×');

    // Edited in place: now r1 == 1.
    typeInto(cond, 'r1 == 1');
    enter(cond);
    await until(() => store.list[0]?.condition === 'r1 == 1', 'the new condition');
    await debug.run();
    expect(debug.state?.registers[1].value).toBe('0x1');
    await until(() => store.list[0]?.hits === 2, 'the second hit');

    // A condition that does not parse is refused; the breakpoint keeps its old one, the text stays for fixing.
    typeInto(cond, 'r1 ==');
    enter(cond);
    await until(() => useUiStore().notices.some((n) => n.level === 'error'), 'the refusal');
    expect(useUiStore().notices.at(-1)?.text).toMatch(/bad condition/);
    expect(store.list[0].condition).toBe('r1 == 1');
    // ...and under the field that was refused, where the user is typing.
    await nextTick();
    expect(text(el.querySelector('tr[data-bp="1"] .refused'))).toMatch(/bad condition/);
    expect(cond.value).toBe('r1 ==');

    // Disable: the gutter shows it as disabled (still there); delete: gone.
    const box = el.querySelector('input[aria-label="Breakpoint 1 enabled"]') as HTMLInputElement;
    box.checked = false;
    box.dispatchEvent(new Event('change'));
    await until(() => store.list[0]?.enabled === false, 'the disable');
    expect(debug.breakpoints.get('0:3')?.kind).toBe('off');
    (el.querySelector('button[aria-label="Delete breakpoint 1"]') as HTMLButtonElement).click();
    await until(() => store.list.length === 0, 'the delete');
  });

  it('lists breakpoints set from the gutter (F9) and the console too', async () => {
    await mount(BreakpointsPane);
    const docs = useDocumentsStore();
    const debug = useDebugStore();
    const store = useBreakpointsStore();
    await docs.openBytes('loop.s', new TextEncoder().encode(LOOP));
    await debug.toggleBreakpoint(4);
    await debug.consoleLine('break *3 if r0 > 8');
    await until(() => store.list.length === 2, 'both breakpoints');
    expect(store.list.map((b) => [b.pc, b.condition])).toEqual([[4, undefined], [3, 'r0 > 8']]);
  });
});
