// @vitest-environment happy-dom
// The listing gutter over the real engine: breakpoints that stop, conditional ones and disabled ones look different,
// a click on a disabled one enables it, and F5 pressed right after Inputs "Apply" runs.
import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { useBreakpointsStore } from '../../renderer/stores/breakpoints';
import { useDebugStore } from '../../renderer/stores/debug';
import { useDocumentsStore } from '../../renderer/stores/documents';
import ProgramListing from '../../renderer/components/ProgramListing.vue';
import InputsPane from '../../renderer/components/InputsPane.vue';
import { mount, until } from './harness';

const LOOP = ['r0 = 0', 'r1 = 5', 'loop:', 'r0 += r1', 'r1 -= 1', 'if r1 != 0 goto loop', 'exit', ''].join('\n');
const EXAMPLES = path.join(__dirname, '..', '..', 'resources', 'examples');

function gutter(el: HTMLElement, pc: number): HTMLButtonElement {
  const row = [...el.querySelectorAll('.line.insn')].find((r) => r.querySelector('.pc')?.textContent === String(pc));
  return row?.querySelector('button.gutter') as HTMLButtonElement;
}

describe('listing gutter', () => {
  it('shows breakpoints, conditional and disabled ones distinctly; a click enables a disabled one and removes an active one', async () => {
    const { el } = await mount(ProgramListing);
    await useDocumentsStore().openBytes('loop.s', new TextEncoder().encode(LOOP));
    const debug = useDebugStore();
    const store = useBreakpointsStore();
    await until(() => gutter(el, 3) !== undefined, 'the listing rows');

    gutter(el, 2).click();
    await until(() => debug.breakpointList.length === 1, 'the breakpoint at 2');
    await debug.consoleLine('break *3 if r1 == 2');
    await nextTick();
    expect([...gutter(el, 2).classList]).toEqual(['gutter', 'on']);
    expect([...gutter(el, 3).classList]).toEqual(['gutter', 'on', 'cond']);
    expect(gutter(el, 3).title).toContain('Breakpoint 2 if r1 == 2');
    expect(gutter(el, 3).getAttribute('aria-label')).toBe('Insn 3: conditional breakpoint');
    expect(gutter(el, 4).className).toBe('gutter');

    // Disabled: still shown (hollow), and the tooltip says a click enables it.
    await store.setEnabled(1, false);
    await nextTick();
    expect([...gutter(el, 2).classList]).toEqual(['gutter', 'off']);
    expect(gutter(el, 2).title).toMatch(/Breakpoint 1 \(disabled\)\nClick to enable/);
    gutter(el, 2).click();
    await until(() => debug.breakpointList.find((b) => b.id === 1)?.enabled === true, 'breakpoint 1 enabled again');
    expect(debug.breakpointList).toHaveLength(2);
    await nextTick();
    expect([...gutter(el, 2).classList]).toEqual(['gutter', 'on']);

    // Active ones (conditional too) go with a click, as in other debuggers.
    gutter(el, 3).click();
    await until(() => debug.breakpointList.length === 1, 'the conditional one removed');
    gutter(el, 2).click();
    await until(() => debug.breakpointList.length === 0, 'all removed');
    await nextTick();
    expect(gutter(el, 2).className).toBe('gutter');
  });

  it('F5 right after Inputs "Apply" runs the program with those inputs (it is not dropped while the restart finishes)', async () => {
    const { el } = await mount(InputsPane);
    const docs = useDocumentsStore();
    const debug = useDebugStore();
    await docs.openBytes('xdp_parse.o', new Uint8Array(readFileSync(path.join(EXAMPLES, 'xdp_parse.o'))));
    await debug.step('into');
    await until(() => debug.inputs !== undefined, 'the inputs');
    await nextTick();
    // Ethernet + IPv4 (UDP) + UDP to port 9: xdp_drop_discard drops it (XDP_DROP = 1).
    const frame = 'ff ff ff ff ff ff 00 00 00 00 00 01 08 00 45 00 00 1c 00 00 00 00 40 11 00 00 7f 00 00 01 7f 00 00 01 00 07 00 09 00 08 00 00';
    const bytes = el.querySelector('[data-testid=input-bytes]') as HTMLTextAreaElement;
    bytes.value = frame;
    bytes.dispatchEvent(new Event('input'));
    (el.querySelector('[data-testid=apply-inputs]') as HTMLButtonElement).click();
    // The key press lands while the restart is on its way.
    expect(debug.busy).toBe(true);
    await debug.run();
    expect(debug.state?.status).toBe('exited');
    expect(debug.state?.message).toBe('exited with r0 = 0x1');
  });
});
