// @vitest-environment happy-dom
// The state and verifier panes: what they show for a snapshot, and the requests their edits send (through the adapter, validated).
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, h, nextTick, type App, type Component } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import { checkRequestMessage, type Request, type RequestMessage, type Response, type StateSnapshot } from '../../engine/protocol';
import { EngineAdapter, type Transport } from '../adapter/engine-adapter';
import { useDebugStore } from '../stores/debug';
import { useDocumentsStore } from '../stores/documents';
import { useEngineStore } from '../stores/engine';
import { useUiStore } from '../stores/ui';
import { useVerifierStore } from '../stores/verifier';
import RegistersPane from './RegistersPane.vue';
import StackPane from './StackPane.vue';
import MapsPane from './MapsPane.vue';
import InputsPane from './InputsPane.vue';
import VerifierPane from './VerifierPane.vue';
import { useWorkspaceStore } from '../stores/workspace';

let app: App | undefined;
afterEach(() => {
  app?.unmount();
  app = undefined;
  document.body.innerHTML = '';
});

/**
 * Mounts a component with a connected engine store whose transport records each request (after the
 * protocol validator accepted it) and answers with `answer`.
 */
function mount(component: Component, answer: (r: Request) => Response = () => ({ kind: 'error', code: 'test.no-engine', message: 'no engine in this test' })): { el: HTMLElement; sent: Request[] } {
  const pinia = createPinia();
  setActivePinia(pinia);
  const sent: Request[] = [];
  let listener: ((m: { type: 'response'; id: number; response: Response }) => void) | undefined;
  const transport: Transport = {
    kind: 'browser',
    send(m: RequestMessage) {
      const checked = checkRequestMessage(JSON.parse(JSON.stringify(m)));
      if (!checked.ok) return checked.error;
      sent.push(m.request);
      queueMicrotask(() => listener?.({ type: 'response', id: m.id, response: answer(m.request) }));
      return undefined;
    },
    onMessage: (l) => {
      listener = l as typeof listener;
    },
  };
  const engine = useEngineStore();
  engine.adapter = new EngineAdapter(transport);
  engine.features = new Set(['registers', 'stack', 'maps', 'inputs', 'edit', 'verifier', 'step', 'run']);
  const el = document.createElement('div');
  document.body.appendChild(el);
  app = createApp({ render: () => h(component) });
  app.use(pinia);
  app.mount(el);
  return { el, sent };
}

const regs = (values: Record<string, string>) => Array.from({ length: 11 }, (_, n) => ({ name: `r${n}`, value: values[`r${n}`] ?? '0x0' }));

function snapshot(over: Partial<StateSnapshot> = {}): StateSnapshot {
  return { session: 1, pc: 3, status: 'ready', registers: regs({ r1: '0xfffffffffffffffe', r10: '0xffffc90000010200' }), frames: [], maps: [], ...over };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await nextTick();
};

describe('RegistersPane', () => {
  it('shows hex, unsigned and signed; marks what the last command changed', async () => {
    const { el } = mount(RegistersPane);
    const debug = useDebugStore();
    debug.previous = snapshot({ registers: regs({ r1: '0x5', r10: '0xffffc90000010200' }) });
    debug.state = snapshot();
    await settle();
    const r1 = el.querySelector('tr[data-reg="r1"]') as HTMLElement;
    expect(r1.textContent).toContain('0xfffffffffffffffe');
    expect(r1.classList.contains('changed')).toBe(true);
    expect(el.querySelector('tr[data-reg="r10"]')?.classList.contains('changed')).toBe(false);
    (el.querySelector('[data-testid=format-signed]') as HTMLButtonElement).click();
    await settle();
    expect(r1.textContent).toContain('-2');
    (el.querySelector('[data-testid=format-unsigned]') as HTMLButtonElement).click();
    await settle();
    expect(r1.textContent).toContain('18446744073709551614');
  });

  it('edits a register: the typed value goes to the engine as register.set, a bad one to the notice bar', async () => {
    const { el, sent } = mount(RegistersPane, (r) => (r.kind === 'register.set' ? { kind: 'state', state: snapshot({ registers: regs({ r2: r.value }) }), message: 'r2 = -1' } : { kind: 'error', code: 'x', message: 'x' }));
    const debug = useDebugStore();
    debug.session = 1;
    debug.state = snapshot();
    await settle();
    (el.querySelector('tr[data-reg="r2"] td.value') as HTMLElement).dispatchEvent(new Event('dblclick'));
    await settle();
    const input = el.querySelector('tr[data-reg="r2"] input') as HTMLInputElement;
    input.value = '-1';
    input.dispatchEvent(new Event('input'));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await settle();
    expect(sent).toEqual([{ kind: 'register.set', session: 1, register: 2, value: '0xffffffffffffffff' }]);
    expect(el.querySelector('tr[data-reg="r2"]')?.textContent).toContain('0xffffffffffffffff');
    (el.querySelector('tr[data-reg="r3"] td.value') as HTMLElement).dispatchEvent(new Event('dblclick'));
    await settle();
    const bad = el.querySelector('tr[data-reg="r3"] input') as HTMLInputElement;
    bad.value = 'r1';
    bad.dispatchEvent(new Event('input'));
    bad.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await settle();
    expect(useUiStore().notices.map((n) => n.text)).toContain('r3: "r1" is not a number (use 0x1f, 31 or -1)');
    expect(sent).toHaveLength(1);
  });
});

describe('StackPane', () => {
  it('interprets slots and highlights what the last step wrote', async () => {
    const { el } = mount(StackPane);
    const debug = useDebugStore();
    const slots = [
      { offset: -8, bytes: '00 02 01 00 00 c9 ff ff', origin: 'spilled r10 at pc 1', originKind: 'spill' as const, originPc: 1, pointsTo: 'stack frame 0 +512 (end)' },
      { offset: -16, bytes: '07 00 00 00 00 00 00 00', origin: '8-byte store of r2 at pc 2', originKind: 'store' as const, originPc: 2 },
      { offset: -24, bytes: '00 00 00 00 00 00 00 00', origin: 'uninitialized', originKind: 'uninit' as const },
    ];
    debug.previous = snapshot({ frames: [{ index: 0, pc: 2, slots: slots.map((s) => (s.offset === -16 ? { ...s, bytes: '00 00 00 00 00 00 00 00', originKind: 'uninit' as const, origin: 'uninitialized' } : s)) }] });
    debug.state = snapshot({ frames: [{ index: 0, pc: 3, function: 'prog', slots }] });
    await settle();
    const fp8 = el.querySelector('[data-slot="fp-8"]') as HTMLElement;
    expect(fp8.textContent).toContain('spilled ptr → stack frame 0 +512 (end)');
    expect(fp8.classList.contains('written')).toBe(false);
    const fp16 = el.querySelector('[data-slot="fp-16"]') as HTMLElement;
    expect(fp16.textContent).toContain('scalar');
    expect(fp16.classList.contains('written')).toBe(true);
    expect(el.querySelector('[data-slot="fp-24"]')).toBeNull();
    expect(el.textContent).toContain('1 of 3 slots uninitialized');
    (el.querySelector('[data-testid=stack-all]') as HTMLInputElement).click();
    await settle();
    expect(el.querySelector('[data-slot="fp-24"]')?.textContent).toContain('uninit');
  });
});

describe('MapsPane', () => {
  const map = { index: 0, name: 'counts', type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16, total: 1, editing: 'entries' as const, entries: [{ key: '2a 00 00 00', value: '07 00 00 00 00 00 00 00' }] };

  it('lists maps with decoded keys and values, and says when a program has none', async () => {
    const { el } = mount(MapsPane);
    const debug = useDebugStore();
    debug.state = snapshot({ maps: [] });
    await settle();
    expect(el.textContent).toContain('The program has no maps.');
    debug.state = snapshot({ maps: [map, { ...map, index: 1, name: 'ring', type: 'ringbuf', keySize: 0, valueSize: 0, total: 0, entries: [], editing: 'none' }] });
    await settle();
    const counts = el.querySelector('[data-map=counts]') as HTMLElement;
    expect(counts.textContent).toContain('hash · key 4 B · value 8 B · max 16');
    expect(counts.textContent).toContain('2a 00 00 00 = 42');
    expect(counts.textContent).toContain('07 00 00 00 00 00 00 00 = u64 7');
    expect(el.querySelector('[data-map=ring]')?.textContent).toContain('ringbuf maps are shown, not edited, here.');
  });

  it('adds, edits and deletes entries through map requests', async () => {
    const { el, sent } = mount(MapsPane, () => ({ kind: 'state', state: snapshot({ maps: [map] }) }));
    const debug = useDebugStore();
    debug.session = 1;
    debug.state = snapshot({ maps: [map] });
    await settle();
    const set = (label: string, value: string): void => {
      const i = el.querySelector(`input[aria-label="${label}"]`) as HTMLInputElement;
      i.value = value;
      i.dispatchEvent(new Event('input'));
    };
    set('New key for counts', '5');
    set('New value for counts', '0x100');
    (el.querySelector('form.add') as HTMLFormElement).dispatchEvent(new Event('submit'));
    await settle();
    expect(sent[0]).toEqual({ kind: 'map.update', session: 1, map: 0, key: '05 00 00 00', value: '00 01 00 00 00 00 00 00', flag: 'noexist' });
    const buttons = () => [...el.querySelectorAll('tr.entry button')] as HTMLButtonElement[];
    buttons().find((b) => b.textContent?.trim() === 'Edit')!.click();
    await settle();
    set('New value for key 2a 00 00 00 of counts', '08 00 00 00 00 00 00 00');
    (el.querySelector('tr.entry form') as HTMLFormElement).dispatchEvent(new Event('submit'));
    await settle();
    expect(sent[1]).toEqual({ kind: 'map.update', session: 1, map: 0, key: '2a 00 00 00', value: '08 00 00 00 00 00 00 00', flag: 'exist' });
    buttons().find((b) => b.textContent?.trim() === 'Delete')!.click();
    await settle();
    expect(sent[2]).toEqual({ kind: 'map.delete', session: 1, map: 0, key: '2a 00 00 00' });
    set('New key for counts', '1 2');
    (el.querySelector('form.add') as HTMLFormElement).dispatchEvent(new Event('submit'));
    await settle();
    expect(useUiStore().notices.at(-1)?.text).toBe('counts key: "1 2" is neither hex bytes nor a number');
    expect(sent).toHaveLength(3);
  });
});

describe('InputsPane', () => {
  it('shows pt_regs fields for a kprobe and applies them as a session.restart', async () => {
    const fields = ['r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss'].map((name, i) => ({ name, offset: 8 * i, size: 8 }));
    const info = { inputs: { type: 'kprobe' as const, memory: [] }, ctxStruct: 'struct pt_regs', ctxSize: 168, fields, memoryAddresses: [] };
    const { el, sent } = mount(InputsPane, (r) => (r.kind === 'inputs' ? { kind: 'inputs', info } : { kind: 'session', session: 1, state: snapshot({ pc: 0 }), diagnostics: [] }));
    const debug = useDebugStore();
    const docs = useDocumentsStore();
    docs.documents = [{ id: 1, name: 'k.o', format: 'object', size: 1, programs: [{ index: 0, name: 'k', section: 'kprobe/x', type: 'kprobe', insnCount: 2, slotCount: 2, hasSource: false, lineCount: 3 }] }];
    docs.select(1, 0);
    await settle();
    expect(el.textContent).toContain('appear once it is started');
    await debug.ensureSession();
    // ensureSession asked session.create; the answer above is a 'session'.
    await settle();
    expect(el.textContent).toContain('struct pt_regs (168 bytes)');
    const si = el.querySelector('input[data-field="si"]') as HTMLInputElement;
    si.value = '0xffff888200100000';
    si.dispatchEvent(new Event('input'));
    (el.querySelector('[data-testid=add-memory]') as HTMLButtonElement).click();
    await settle();
    const content = el.querySelector('input[aria-label="Content of memory 0"]') as HTMLInputElement;
    content.value = 'ab';
    content.dispatchEvent(new Event('input'));
    (el.querySelector('form.form') as HTMLFormElement).dispatchEvent(new Event('submit'));
    await settle();
    const restart = sent.find((r) => r.kind === 'session.restart');
    if (restart?.kind !== 'session.restart') throw new Error(JSON.stringify(sent));
    expect(restart.inputs.type).toBe('kprobe');
    const ctx = restart.inputs.ctx!.split(' ');
    expect(ctx).toHaveLength(168);
    expect(ctx.slice(13 * 8, 14 * 8).join(' ')).toBe('00 00 10 00 82 88 ff ff');
    expect(restart.inputs.memory).toEqual([{ bytes: '61 62 00', user: false }]);
  });
});

describe('VerifierPane', () => {
  it('shows the verdict, the first error as a link that selects its instruction, and the state there', async () => {
    const report = { verdict: 'reject' as const, error: { pc: 1, message: 'R2 !read_ok', code: 'reg.uninit' }, processed: 2, logLevel: 1 as const, log: '0: (b7) r1 = 1\nR2 !read_ok\n', progType: 'socket_filter', unsupported: false, progTypes: ['socket_filter', 'xdp'] };
    const { el, sent } = mount(VerifierPane, (r) => (r.kind === 'verify' ? { kind: 'verified', report }
      : r.kind === 'verifier.state' ? { kind: 'verifier-state', pc: r.pc, states: [{ frame: 0, registers: [{ name: 'R1', value: '1' }, { name: 'R10', value: 'fp0' }], stack: [] }] }
        : { kind: 'located', line: 3 }));
    const docs = useDocumentsStore();
    docs.documents = [{ id: 1, name: 'bad.s', format: 'asm', size: 1, programs: [{ index: 0, name: 'bad.s', section: 'asm', type: 'unknown', insnCount: 3, slotCount: 3, hasSource: true, lineCount: 6 }] }];
    docs.select(1, 0);
    // In view: the pane follows the selection only while its tab is shown.
    useWorkspaceStore().bottomTab = 'verifier';
    await settle();
    await useVerifierStore().verify();
    await settle();
    expect(el.querySelector('[data-testid=verdict]')?.textContent).toContain('rejected as socket_filter');
    expect(el.querySelector('[data-testid=verifier-log]')?.textContent).toContain('R2 !read_ok');
    (el.querySelector('[data-testid=verifier-error] button') as HTMLButtonElement).click();
    await settle();
    expect(useDebugStore().selectedPc).toBe(1);
    expect(sent).toContainEqual({ kind: 'verifier.state', document: 1, program: 0, pc: 1 });
    expect(el.querySelector('[data-testid=verifier-state]')?.textContent).toContain('before insn 1: 1 state');
    expect(el.querySelector('[data-testid=verifier-state]')?.textContent).toContain('fp0');
    const level = el.querySelector('[data-testid=log-level]') as HTMLSelectElement;
    level.value = '2';
    level.dispatchEvent(new Event('change'));
    await settle();
    expect(sent.filter((r) => r.kind === 'verify').at(-1)).toEqual({ kind: 'verify', document: 1, program: 0, logLevel: 2 });
  });
});
