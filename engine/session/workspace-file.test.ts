// Workspace files: round trip, and every way a file from disk can be wrong is refused with a code and a clear message.
import { describe, expect, it } from 'vitest';
import {
  checkWorkspace, emptyWorkspace, MAX_WORKSPACE_TEXT, parseWorkspaceText, printWorkspace,
  WORKSPACE_VERSION, type WorkspaceState,
} from './workspace-file';

const full: WorkspaceState = {
  format: 'bpfdbg-workspace',
  version: WORKSPACE_VERSION,
  program: { name: 'xdp_parse.o', path: '/home/u/xdp_parse.o', format: 'object', program: 1, programName: 'tc_drop_discard', type: 'BPF_PROG_TYPE_SCHED_CLS' },
  breakpoints: [{ pc: 3, enabled: true }, { pc: 12, enabled: false, condition: 'r1 == 0' }],
  watches: ['r1', '*(u64 *)(r10 - 8)'],
  inputs: { 'packet': '00 11 22', 'ctx.ifindex': '1' },
  layout: { theme: 'light', bottomTab: 'diagnostics', stateTab: 'watches', hidden: ['bottom'], sizes: { listing: 900, state: 400, bottom: 230 } },
};

function code(text: string): string {
  const r = parseWorkspaceText(text);
  return r.ok ? 'ok' : r.diagnostic.code;
}

function mutate(f: (w: Record<string, unknown>) => void): string {
  const w = JSON.parse(printWorkspace(full)) as Record<string, unknown>;
  f(w);
  return JSON.stringify(w);
}

describe('workspace file', () => {
  it('round-trips every field and the empty workspace', () => {
    for (const w of [full, emptyWorkspace()]) {
      const r = parseWorkspaceText(printWorkspace(w));
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.workspace).toEqual(w);
    }
    expect(printWorkspace(full).endsWith('}\n')).toBe(true);
  });

  it('keeps every bottom tab the app has, the verifier tab included', () => {
    for (const bottomTab of ['console', 'diagnostics', 'verifier', 'breakpoints'] as const) {
      const w: WorkspaceState = { ...full, layout: { ...full.layout, bottomTab } };
      const r = parseWorkspaceText(printWorkspace(w));
      expect(r.ok ? r.workspace.layout.bottomTab : r.diagnostic.message).toBe(bottomTab);
    }
  });

  it('keeps the state tab and hidden areas, and refuses ones the app does not have', () => {
    for (const stateTab of ['stack', 'calls', 'watches', 'maps', 'inputs'] as const) {
      const r = parseWorkspaceText(printWorkspace({ ...full, layout: { ...full.layout, stateTab, hidden: ['state', 'bottom'] } }));
      expect(r.ok ? [r.workspace.layout.stateTab, r.workspace.layout.hidden] : r.diagnostic.message).toEqual([stateTab, ['state', 'bottom']]);
    }
    expect(code(mutate((w) => ((w.layout as Record<string, unknown>).stateTab = 'registers')))).toBe('workspace.invalid');
    expect(code(mutate((w) => ((w.layout as Record<string, unknown>).hidden = ['listing'])))).toBe('workspace.invalid');
  });

  it('keeps tail-call breakpoints (by program name) and prog_array slots; files without them load as before and print without them', () => {
    const tails: WorkspaceState = {
      ...full,
      breakpoints: [...full.breakpoints, { pc: 4, enabled: true, condition: 'r0 == 1', programName: 'parse_ipv4' }],
      tailSlots: [{ map: 'jmp_table', index: 0, program: 'parse_ipv4' }, { map: 'jmp_table', index: 3, program: 'again' }],
    };
    const r = parseWorkspaceText(printWorkspace(tails));
    expect(r.ok ? r.workspace : r.diagnostic.message).toEqual(tails);
    // A file written before tail calls (no programName, no tailSlots) still loads; an empty slot list is not written.
    const old = `{"format":"bpfdbg-workspace","version":1,"breakpoints":[{"pc":3,"enabled":true}],"watches":[],"inputs":{},"layout":{"theme":"dark","sizes":{}}}`;
    expect(code(old)).toBe('ok');
    expect(printWorkspace({ ...full, tailSlots: [] })).not.toContain('tailSlots');
    expect(code(mutate((w) => (w.tailSlots = [{ map: 'jmp_table', index: -1, program: 'x' }])))).toBe('workspace.invalid');
    expect(code(mutate((w) => (w.tailSlots = [{ map: 'jmp_table', index: 0 }])))).toBe('workspace.invalid');
    expect(code(mutate((w) => (w.breakpoints = [{ pc: 1, enabled: true, programName: '' }])))).toBe('workspace.invalid');
  });

  it('refuses a file from a newer version with a clear message, and an unversioned one', () => {
    const r = parseWorkspaceText(mutate((w) => (w.version = WORKSPACE_VERSION + 1)));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.diagnostic.code).toBe('workspace.future-version');
      expect(r.diagnostic.message).toContain(`format version ${WORKSPACE_VERSION + 1}`);
      expect(r.diagnostic.message).toContain('newer bpfdbg');
    }
    expect(code(mutate((w) => delete w.version))).toBe('workspace.bad-version');
    expect(code(mutate((w) => (w.version = '1')))).toBe('workspace.bad-version');
    expect(code(mutate((w) => (w.version = 0)))).toBe('workspace.bad-version');
    expect(code(mutate((w) => (w.version = 1.5)))).toBe('workspace.bad-version');
  });

  it('refuses hostile and damaged files without throwing', () => {
    const cases: [string, string][] = [
      ['', 'workspace.not-json'],
      [printWorkspace(full).slice(0, 100), 'workspace.not-json'],
      ['['.repeat(200_000) + ']'.repeat(200_000), 'workspace.not-workspace'],
      [`{"format":"bpfdbg-workspace","version":1,"watches":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'workspace.invalid'],
      ['null', 'workspace.not-workspace'],
      ['[]', 'workspace.not-workspace'],
      ['"bpfdbg-workspace"', 'workspace.not-workspace'],
      ['{"format":"something-else","version":1}', 'workspace.not-workspace'],
      [' '.repeat(MAX_WORKSPACE_TEXT + 1), 'workspace.too-large'],
      [mutate((w) => (w.extra = 1)), 'workspace.invalid'],
      [mutate((w) => ((w.program as Record<string, unknown>).path = undefined)), 'workspace.invalid'],
      [mutate((w) => ((w.program as Record<string, unknown>).path = 'a\0b')), 'workspace.invalid'],
      [mutate((w) => ((w.program as Record<string, unknown>).base64 = 'not base64!')), 'workspace.invalid'],
      [mutate((w) => ((w.program as Record<string, unknown>).format = 'exe')), 'workspace.invalid'],
      [mutate((w) => ((w.program as Record<string, unknown>).program = -1)), 'workspace.invalid'],
      [mutate((w) => (w.breakpoints = [{ pc: 1.5, enabled: true }])), 'workspace.invalid'],
      [mutate((w) => (w.breakpoints = [{ pc: 1, enabled: 'yes' }])), 'workspace.invalid'],
      [mutate((w) => (w.breakpoints = Array.from({ length: 10_001 }, (_, pc) => ({ pc, enabled: true })))), 'workspace.invalid'],
      [mutate((w) => (w.watches = [''])), 'workspace.invalid'],
      [mutate((w) => (w.watches = [{}])), 'workspace.invalid'],
      [mutate((w) => (w.inputs = { 'a/b': 'x' })), 'workspace.invalid'],
      [mutate((w) => (w.inputs = { r1: 5 })), 'workspace.invalid'],
      [mutate((w) => ((w.layout as Record<string, unknown>).theme = 'neon')), 'workspace.invalid'],
      [mutate((w) => ((w.layout as Record<string, unknown>).bottomTab = 'output')), 'workspace.invalid'],
      [mutate((w) => ((w.layout as Record<string, unknown>).sizes = { listing: 1e9 })), 'workspace.invalid'],
      [mutate((w) => ((w.layout as Record<string, unknown>).sizes = [])), 'workspace.invalid'],
      ['{"format":"bpfdbg-workspace","version":1,"breakpoints":[],"watches":[],"inputs":{"__proto__":"x"},"layout":{"theme":"dark","sizes":{}}}', 'workspace.invalid'],
      ['{"format":"bpfdbg-workspace","version":1,"breakpoints":[],"watches":[],"inputs":{},"layout":{"theme":"dark","sizes":{"__proto__":{"polluted":1}}}}', 'workspace.invalid'],
    ];
    for (const [text, expected] of cases) expect(code(text), text.slice(0, 80)).toBe(expected);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names the first bad field', () => {
    const r = parseWorkspaceText(mutate((w) => (w.breakpoints = [{ pc: 1, enabled: true }, { pc: 2, enabled: true, condition: 7 }])));
    expect(r.ok ? '' : r.diagnostic.message).toContain('workspace.breakpoints[1].condition must be a string');
  });

  it('is the validator hosts use on workspaces in messages', () => {
    expect(checkWorkspace(full, 'w')).toBeUndefined();
    expect(checkWorkspace({ ...full, version: 2 }, 'w')).toBe('w.version must be 1');
  });
});
