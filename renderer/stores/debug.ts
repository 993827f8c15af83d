// Debugging commands (run, step, breakpoints, console): the engine does them, this store asks and keeps the answers.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Feature, Request, StateSnapshot, StepMode } from '../../engine/protocol';
import { useEngineStore } from './engine';
import { useUiStore } from './ui';

/** Plain words for a command the engine cannot do yet (the menu and toolbar disable it, keys land here). */
const MISSING: Readonly<Record<string, string>> = {
  run: 'Running programs is not available yet: the engine has no interpreter wired in.',
  step: 'Stepping is not available yet: the engine has no interpreter wired in.',
  'step-back': 'Stepping back is not available yet: the engine has no interpreter wired in.',
  breakpoints: 'Breakpoints are not available yet: the engine has no interpreter wired in.',
  console: 'The debugger console is not available yet: the engine has no interpreter wired in.',
};

export const useDebugStore = defineStore('debug', () => {
  const session = ref<number>();
  const state = ref<StateSnapshot>();
  const breakpoints = ref<ReadonlySet<number>>(new Set());
  const busy = ref(false);
  /** pc the user last selected in the listing: F9 toggles a breakpoint there. */
  const selectedPc = ref<number>();

  function available(f: Feature): boolean {
    if (useEngineStore().has(f)) return true;
    useUiStore().notify('info', MISSING[f] ?? `${f} is not available yet.`);
    return false;
  }

  async function send(req: Request): Promise<void> {
    busy.value = true;
    try {
      const r = await useEngineStore().request(req);
      if (r.kind === 'stopped' || r.kind === 'state') state.value = r.state;
      else if (r.kind === 'session') {
        session.value = r.session;
        state.value = r.state;
      } else if (r.kind === 'breakpoints') breakpoints.value = new Set(r.breakpoints.filter((b) => b.enabled).map((b) => b.pc));
      else if (r.kind === 'error') useUiStore().notify('error', r.message);
    } finally {
      busy.value = false;
    }
  }

  async function run(): Promise<void> {
    if (!available('run') || session.value === undefined) return;
    await send({ kind: 'run', session: session.value });
  }

  async function step(mode: StepMode): Promise<void> {
    if (!available(mode === 'back' ? 'step-back' : 'step') || session.value === undefined) return;
    await send({ kind: 'step', session: session.value, mode });
  }

  async function toggleBreakpoint(pc = selectedPc.value): Promise<void> {
    if (!available('breakpoints') || session.value === undefined || pc === undefined) return;
    await send({ kind: 'breakpoint.toggle', session: session.value, pc });
  }

  /** Runs one console line; returns the lines to print. */
  async function consoleLine(line: string): Promise<string[]> {
    if (!useEngineStore().has('console')) return [MISSING.console];
    const r = await useEngineStore().request({ kind: 'console', line, ...(session.value !== undefined ? { session: session.value } : {}) });
    if (r.kind === 'console') return [...r.lines];
    return [r.kind === 'error' ? r.message : `unexpected answer ${r.kind}`];
  }

  return { session, state, breakpoints, busy, selectedPc, run, step, toggleBreakpoint, consoleLine };
});
