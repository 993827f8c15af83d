// @vitest-environment happy-dom
// The Watch and Calls panes over the real engine (EngineService in-process, every message through the protocol validator both ways).
//
// The harness (./harness.ts) connects the app's own stores and adapter to the engine service the
// worker runs, so values and frames are the engine's, not a script's.
import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Request } from '../../engine/protocol';
import { useDebugStore } from '../../renderer/stores/debug';
import { useDocumentsStore } from '../../renderer/stores/documents';
import { useEngineStore } from '../../renderer/stores/engine';
import { useUiStore } from '../../renderer/stores/ui';
import { useWatchesStore } from '../../renderer/stores/watches';
import { useWorkspaceStore } from '../../renderer/stores/workspace';
import WatchesPane from '../../renderer/components/WatchesPane.vue';
import CallStackPane from '../../renderer/components/CallStackPane.vue';
import StatePanes from '../../renderer/components/StatePanes.vue';
import { mount, text, typeInto, until } from './harness';

const EXAMPLES = path.join(__dirname, '..', '..', 'resources', 'examples');
const rowOf = (el: HTMLElement, expr: string): HTMLElement | null => el.querySelector(`tr[data-watch="${CSS.escape(expr)}"]`);

describe('Watch pane', () => {
  it('adds expressions, shows their values at each stop in hex and decimal, marks changes, keeps errors in place, edits and removes', async () => {
    const { el, sent } = await mount(WatchesPane);
    const docs = useDocumentsStore();
    const debug = useDebugStore();
    const ws = useWorkspaceStore();
    const src = ['r1 = -2', 'r2 = 7', '*(u32 *)(r10 - 8) = r2', 'r2 += 1', 'r0 = 0', 'exit', ''].join('\n');
    await docs.openBytes('w.s', new TextEncoder().encode(src));
    expect(text(el)).toContain('No watch expressions');

    // Added before any program runs: listed without values.
    const input = el.querySelector('[data-testid=watch-input]') as HTMLInputElement;
    for (const e of ['r2', '(s64)r1', '*(u32 *)(r10 - 8)', 'r2 +', '*(u64 *)0']) {
      typeInto(input, e);
      (el.querySelector('form.add') as HTMLFormElement).dispatchEvent(new Event('submit'));
      await nextTick();
    }
    expect(ws.watches).toEqual(['r2', '(s64)r1', '*(u32 *)(r10 - 8)', 'r2 +', '*(u64 *)0']);
    expect(text(el)).toContain('Values appear when a program is paused');
    expect(sent.some((r) => r.kind === 'evaluate')).toBe(false);

    await debug.step('into');
    for (let i = 0; i < 3; i++) await debug.step('into');
    await until(() => useWatchesStore().evaluatedAt === debug.state?.pc, 'the values at pc 3');
    await nextTick();
    // One request carries every expression.
    const evals = sent.filter((r): r is Extract<Request, { kind: 'evaluate' }> => r.kind === 'evaluate');
    expect(evals.at(-1)?.expressions).toEqual(ws.watches);
    const reg = (n: number): string => debug.state?.registers[n].value ?? '';
    expect(text(rowOf(el, 'r2'))).toContain(`${reg(2)} ${BigInt(reg(2))}`);
    expect(text(rowOf(el, '(s64)r1'))).toContain(`${reg(1)} ${BigInt.asIntN(64, BigInt(reg(1)))}`);
    expect(text(rowOf(el, '*(u32 *)(r10 - 8)'))).toContain(`${reg(2)} ${BigInt(reg(2))}`);
    expect(rowOf(el, 'r2 +')?.querySelector('[data-testid=watch-error]')?.textContent).toMatch(/column \d+/);
    expect(rowOf(el, '*(u64 *)0')?.querySelector('[data-testid=watch-error]')?.textContent).toContain('cannot read 8 bytes at 0x0');
    const before = reg(2);

    // r2 += 1: only r2 changed since the last stop.
    await debug.step('into');
    await until(() => useWatchesStore().evaluatedAt === debug.state?.pc, 'the values after r2 += 1');
    await nextTick();
    expect(reg(2)).not.toBe(before);
    expect(rowOf(el, 'r2')?.classList.contains('changed')).toBe(true);
    expect(rowOf(el, '(s64)r1')?.classList.contains('changed')).toBe(false);
    expect(rowOf(el, '*(u32 *)(r10 - 8)')?.classList.contains('changed')).toBe(false);

    // Edit in place: double-click, type, Enter. The new expression is evaluated at once (same stop: nothing marked).
    (rowOf(el, 'r2 +')?.querySelector('th') as HTMLElement).dispatchEvent(new Event('dblclick'));
    await nextTick();
    const editor = el.querySelector('input[aria-label="New text of watch r2 +"]') as HTMLInputElement;
    typeInto(editor, 'r2 + 1');
    editor.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await until(() => rowOf(el, 'r2 + 1')?.querySelector('[data-testid=watch-hex]') != null, 'the edited expression');
    expect(text(rowOf(el, 'r2 + 1'))).toContain(`0x${(BigInt(reg(2)) + 1n).toString(16)}`);
    expect(rowOf(el, 'r2 + 1')?.classList.contains('changed')).toBe(false);

    // Remove; a duplicate is refused with a note.
    (el.querySelector('button[aria-label="Remove watch *(u64 *)0"]') as HTMLButtonElement).click();
    await nextTick();
    expect(rowOf(el, '*(u64 *)0')).toBeNull();
    typeInto(input, 'r2');
    (el.querySelector('form.add') as HTMLFormElement).dispatchEvent(new Event('submit'));
    expect(useUiStore().notices.at(-1)?.text).toBe('r2 is already watched.');
    // Saved with the workspace.
    expect((await ws.snapshot()).watches).toEqual(['r2', '(s64)r1', '*(u32 *)(r10 - 8)', 'r2 + 1']);
  });

  it('asks nothing at a stop when there are no expressions', async () => {
    const { sent } = await mount(WatchesPane);
    await useDocumentsStore().openBytes('n.s', new TextEncoder().encode('r0 = 1\nexit\n'));
    const debug = useDebugStore();
    await debug.step('into');
    await debug.step('into');
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.filter((r) => r.kind === 'evaluate')).toEqual([]);
  });
});

describe('Calls pane', () => {
  it('lists the frames of a bpf-to-bpf call with function, pc and source line; a click selects the frame\'s line', async () => {
    const { el } = await mount(CallStackPane);
    const docs = useDocumentsStore();
    const debug = useDebugStore();
    await docs.openBytes('subprog_loop.o', readFileSync(path.join(EXAMPLES, 'subprog_loop.o')));
    const doc = docs.current;
    const keepAll = doc?.programs.find((p) => p.name === 'keep_all');
    if (!doc || !keepAll) throw new Error('keep_all not found');
    docs.select(doc.id, keepAll.index);
    await nextTick();
    expect(text(el)).toContain('No program is running');
    // Stop inside fold16: the first pc of its second source line, found in the engine's listing.
    const r = await useEngineStore().request({ kind: 'listing', document: doc.id, program: keepAll.index, start: 0, count: 1000 });
    if (r.kind !== 'listing') throw new Error(JSON.stringify(r));
    const label = r.lines.findIndex((l) => l.kind === 'label' && l.label === 'fold16');
    const sources = r.lines.map((l, i) => ({ l, i })).filter(({ l, i }) => i > label && l.kind === 'source');
    const stopLine = r.lines[sources[1].i + 1];
    const srcLine = sources[1].l;
    if (stopLine.kind !== 'insn' || srcLine.kind !== 'source') throw new Error('unexpected listing');
    await debug.toggleBreakpoint(stopLine.pc);
    await debug.run();
    expect(debug.state?.pc).toBe(stopLine.pc);
    await nextTick();
    const frames = [...el.querySelectorAll('li.frame')] as HTMLElement[];
    expect(frames).toHaveLength(2);
    expect(text(frames[0])).toContain(`#0 fold16 insn ${stopLine.pc} ${path.basename(srcLine.source.file)}:${srcLine.source.line}`);
    expect(text(frames[0])).toContain(srcLine.source.text.trim());
    const caller = debug.state?.frames[1];
    expect(caller?.function).toBe('keep_all');
    expect(text(frames[1])).toContain(`#1 keep_all insn ${caller?.pc}`);
    // The caller sits at its call instruction.
    const callInsn = r.lines.find((l) => l.kind === 'insn' && l.pc === caller?.pc);
    expect(callInsn?.kind === 'insn' ? callInsn.text : '').toMatch(/^call /);

    frames[1].click();
    await until(() => docs.revealLine !== undefined, 'the reveal');
    expect(debug.selectedPc).toBe(caller?.pc);
    expect(frames[1].classList.contains('picked')).toBe(true);
    const located = await useEngineStore().request({ kind: 'locate', document: doc.id, program: keepAll.index, pc: caller?.pc ?? -1 });
    expect(located).toEqual({ kind: 'located', line: docs.revealLine?.line });
  });

  it('"slots" shows the Stack tab with that frame', async () => {
    const { el } = await mount(StatePanes);
    const docs = useDocumentsStore();
    const debug = useDebugStore();
    await docs.openBytes('subprog_loop.o', readFileSync(path.join(EXAMPLES, 'subprog_loop.o')));
    const doc = docs.current;
    const keepAll = doc?.programs.find((p) => p.name === 'keep_all');
    if (!doc || !keepAll) throw new Error('keep_all not found');
    docs.select(doc.id, keepAll.index);
    await nextTick();
    // Into the call: step until there are two frames.
    for (let i = 0; i < 10 && (debug.state?.frames.length ?? 0) < 2; i++) await debug.step('into');
    expect(debug.state?.frames).toHaveLength(2);
    useWorkspaceStore().showStateTab('calls');
    await nextTick();
    (el.querySelector('button[aria-label="Stack slots of frame 1"]') as HTMLButtonElement).click();
    await nextTick();
    expect(useWorkspaceStore().stateTab).toBe('stack');
    expect(el.querySelector('[data-testid=stack] [data-frame="1"]')?.textContent).toContain('keep_all');
  });
});
