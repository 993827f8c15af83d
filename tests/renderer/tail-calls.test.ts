// @vitest-environment happy-dom
// Tail calls in the app over the real engine (tests/fixtures/tail-calls, a clang-built XDP dispatcher): a prog_array slot
// filled from the Maps pane, a breakpoint set in the target program's own listing, the listing following the run into it,
// and the workspace file keeping both.
import { describe, expect, it } from 'vitest';
import { defineComponent, h, nextTick } from 'vue';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hexOf } from '../../renderer/state/format';
import { parseWorkspaceText, printWorkspace } from '../../engine/session/workspace-file';
import { useBreakpointsStore } from '../../renderer/stores/breakpoints';
import { useDebugStore } from '../../renderer/stores/debug';
import { useDocumentsStore } from '../../renderer/stores/documents';
import { useWorkspaceStore } from '../../renderer/stores/workspace';
import ProgramListing from '../../renderer/components/ProgramListing.vue';
import MapsPane from '../../renderer/components/MapsPane.vue';
import BreakpointsPane from '../../renderer/components/BreakpointsPane.vue';
import CallStackPane from '../../renderer/components/CallStackPane.vue';
import { frame } from '../fixtures/tail-calls/fixture';
import { mount, text, typeInto, until } from './harness';

const OBJECT = readFileSync(path.join(__dirname, '..', 'fixtures', 'tail-calls', 'tail_calls.o'));
const Panes = defineComponent({ render: () => h('div', [h(ProgramListing), h(MapsPane), h(BreakpointsPane), h(CallStackPane)]) });
/** parse_ipv4's check of the IPv4 protocol byte (data[23]), as llvm-objdump prints it. */
const PROTO_LOAD = 'r1 = *(u8 *)(r6 + 0x17)';

async function openFixture(): Promise<{ dispatch: number; ipv4: number }> {
  const docs = useDocumentsStore();
  await docs.openBytes('tail_calls.o', new Uint8Array(OBJECT));
  const programs = docs.current?.programs ?? [];
  const dispatch = programs.findIndex((p) => p.name === 'dispatch');
  const ipv4 = programs.findIndex((p) => p.name === 'parse_ipv4');
  expect(dispatch).toBeGreaterThanOrEqual(0);
  expect(ipv4).toBeGreaterThanOrEqual(0);
  docs.select(docs.current?.id as number, dispatch);
  await nextTick();
  return { dispatch, ipv4 };
}

/** The listing row showing an instruction's text, once its page arrived. */
async function row(el: HTMLElement, insn: string): Promise<HTMLElement> {
  let found: HTMLElement | undefined;
  await until(() => {
    found = [...el.querySelectorAll<HTMLElement>('.line.insn')].find((r) => r.querySelector('.text')?.textContent === insn);
    return found !== undefined;
  }, `the listing row "${insn}"`);
  return found as HTMLElement;
}

describe('tail calls in the app', () => {
  it('fills a slot in the Maps pane, sets a breakpoint in the target listing, and the listing follows the run into it', async () => {
    const { el, sent } = await mount(Panes);
    const docs = useDocumentsStore();
    const debug = useDebugStore();
    const { dispatch, ipv4 } = await openFixture();
    // An IPv4/UDP frame: the dispatcher tail-calls slot 0.
    expect(await debug.applyInputs({ type: 'xdp', packet: hexOf(frame(0x0800, 17)), memory: [] })).toBe(true);
    await nextTick();

    // The prog_array lists its slots (none filled) with a picker of the file's programs.
    const table = el.querySelector('[data-map="jmp_table"]') as HTMLElement;
    expect(text(table)).toContain('0 of 4 slots filled');
    typeInto(table.querySelector('input[aria-label="Slot of jmp_table to fill"]') as HTMLInputElement, '0');
    const pick = table.querySelector('select[aria-label="Program for the slot of jmp_table"]') as HTMLSelectElement;
    pick.value = String(ipv4);
    pick.dispatchEvent(new Event('change'));
    (table.querySelector('form.add') as HTMLFormElement).dispatchEvent(new Event('submit'));
    await until(() => debug.state?.maps.find((m) => m.name === 'jmp_table')?.slots?.length === 1, 'the filled slot');
    expect(sent.find((r) => r.kind === 'prog-array.set')).toMatchObject({ index: 0, program: ipv4 });
    await nextTick();
    const slot = el.querySelector('[data-map="jmp_table"] tr[data-slot="0"]') as HTMLElement;
    expect((slot.querySelector('select') as HTMLSelectElement).value).toBe(String(ipv4));

    // "Show" puts parse_ipv4's listing up (the session stays); a gutter click there sets a breakpoint in that program.
    (([...slot.querySelectorAll('button')].find((b) => b.textContent === 'Show')) as HTMLButtonElement).click();
    await nextTick();
    expect(docs.shownIndex).toBe(ipv4);
    expect(docs.programIndex).toBe(dispatch);
    expect(text(el.querySelector('[data-testid=listing-program]'))).toContain('parse_ipv4');
    const session = debug.session;
    const target = await row(el, PROTO_LOAD);
    const pc = Number(target.querySelector('.pc')?.textContent);
    (target.querySelector('button.gutter') as HTMLButtonElement).click();
    await until(() => debug.breakpointList.length === 1, 'the breakpoint');
    expect(sent.filter((r) => r.kind === 'breakpoint.toggle').at(-1)).toMatchObject({ pc, program: ipv4 });
    expect(debug.breakpointList[0]).toMatchObject({ pc, program: ipv4, enabled: true });
    expect(debug.session).toBe(session);
    await nextTick();
    expect(target.querySelector('button.gutter')?.classList.contains('on')).toBe(true);
    // The Breakpoints tab names the program.
    expect(text(el.querySelector('[data-testid=breakpoints] tr[data-bp="1"]'))).toContain(`parse_ipv4 : insn ${pc}`);

    // Back to the dispatcher's listing: no mark at that pc there (it is parse_ipv4's).
    (el.querySelector('[data-testid=listing-back]') as HTMLButtonElement).click();
    await nextTick();
    expect(docs.shownIndex).toBe(dispatch);
    expect(el.querySelector('[data-testid=listing-program]')).toBeNull();

    // Run: the tail call moves into parse_ipv4, which stops at the breakpoint; the listing shows it with the current line.
    await debug.run();
    expect(debug.state).toMatchObject({ pc, program: ipv4, status: 'ready' });
    expect(docs.shownIndex).toBe(ipv4);
    await nextTick();
    const current = await row(el, PROTO_LOAD);
    await until(() => current.classList.contains('current'), 'the current line in parse_ipv4');
    expect(el.querySelectorAll('.line.current')).toHaveLength(1);

    // The dispatcher's listing has no current line (the pc is parse_ipv4's); the call stack's frame brings parse_ipv4 back, selected.
    (el.querySelector('[data-testid=listing-back]') as HTMLButtonElement).click();
    await until(() => docs.shownIndex === dispatch && el.querySelector('.line.insn') !== null, "the dispatcher's listing");
    expect(el.querySelector('.line.current')).toBeNull();
    const frame0 = el.querySelector('[data-testid=callstack] li.frame[data-frame="0"]') as HTMLElement;
    expect(text(frame0)).toContain('parse_ipv4');
    frame0.click();
    await until(() => docs.shownIndex === ipv4 && el.querySelector('.line.selected') !== null, 'parse_ipv4 with the frame selected');
    expect(text(el.querySelector('.line.selected .pc'))).toBe(String(pc));
    expect(debug.selectedProgram).toBe(ipv4);

    // Clear empties the slot while paused (an edit a step back would undo).
    (([...el.querySelectorAll<HTMLButtonElement>('[data-map="jmp_table"] tr[data-slot="0"] button')].find((b) => b.textContent === 'Clear')) as HTMLButtonElement).click();
    await until(() => debug.state?.maps.find((m) => m.name === 'jmp_table')?.slots?.length === 0, 'the emptied slot');
    expect(sent.filter((r) => r.kind === 'prog-array.set').at(-1)).not.toHaveProperty('program');
    // Stepping back over the tail call: the stop is in the dispatcher (at its call 12) and its listing is shown again.
    for (let i = 0; i < 100 && debug.state?.program !== dispatch; i++) await debug.step('back');
    expect(debug.state?.program).toBe(dispatch);
    await until(() => el.querySelector('.line.current') !== null, 'the current line in dispatch');
    expect(text(el.querySelector('.line.current .text'))).toBe('call 0xc'); // helper 12, bpf_tail_call
    expect(docs.shownIndex).toBe(dispatch);
  });

  it('keeps the breakpoint program and the filled slots in the workspace file, and restores them', async () => {
    await mount(Panes);
    const debug = useDebugStore();
    const docs = useDocumentsStore();
    const workspace = useWorkspaceStore();
    const { ipv4 } = await openFixture();
    await debug.step('into');
    const jmp = debug.state?.maps.findIndex((m) => m.name === 'jmp_table') as number;
    expect(await debug.setTailSlot(jmp, 1, ipv4)).toBe(true);
    await debug.toggleBreakpoint(9, ipv4);
    await debug.toggleBreakpoint(2);
    await debug.consoleLine('disable 1');

    const w = await workspace.snapshot();
    expect(w.tailSlots).toEqual([{ map: 'jmp_table', index: 1, program: 'parse_ipv4' }]);
    expect(w.breakpoints).toEqual([{ pc: 9, enabled: false, programName: 'parse_ipv4' }, { pc: 2, enabled: true }]);
    // What the host would write and read back.
    const parsed = parseWorkspaceText(printWorkspace(w));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;

    // Restored (a new document from the embedded copy, a new session): the slot, and each breakpoint in its program.
    expect(await workspace.restore(parsed.workspace, [])).toBe(true);
    expect(docs.documents).toHaveLength(2);
    await until(() => debug.breakpointList.length === 2, 'the restored breakpoints');
    expect(debug.breakpointList.map((b) => [b.pc, b.program ?? debug.ownProgram, b.enabled])).toEqual([[9, ipv4, false], [2, docs.programIndex, true]]);
    expect(debug.state?.maps.find((m) => m.name === 'jmp_table')?.slots).toEqual([{ index: 1, program: ipv4 }]);
    expect(useBreakpointsStore().list).toHaveLength(2);
  });
});
