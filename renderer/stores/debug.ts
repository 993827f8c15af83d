// Debugging commands (run, step, breakpoints, console): the engine does them, this store asks and keeps the answers.
//
// A debug session is created lazily for the selected program on the first debug command, and
// dropped when the selection changes; stepping commands on a new session stop at its entry first.
import { defineStore } from 'pinia';
import { ref, shallowRef, watch } from 'vue';
import type { Feature, InputsInfo, MapUpdateFlag, ProgramInputs, Request, Response, StateSnapshot, StepMode } from '../../engine/protocol';
import { useDocumentsStore } from './documents';
import { useEngineStore } from './engine';
import { useUiStore } from './ui';

/** Plain words for a command the engine cannot do (the menu and toolbar disable it; keys land here). */
const MISSING: Readonly<Record<string, string>> = {
  run: 'Running programs is not available yet: the engine has no interpreter wired in.',
  step: 'Stepping is not available yet: the engine has no interpreter wired in.',
  'step-back': 'Stepping back is not available yet: the engine does not record execution.',
  breakpoints: 'Breakpoints are not available yet: the engine has no interpreter wired in.',
  console: 'The debugger console is not available yet: the engine has no interpreter wired in.',
  inputs: 'Setting program inputs is not available: this engine does not offer it.',
  edit: 'Editing registers and maps is not available: this engine does not offer it.',
};

/** How long a command runs before the toolbar says so. */
const SLOW_MS = 150;

export interface StopNote {
  readonly seq: number;
  readonly text: string;
}

export const useDebugStore = defineStore('debug', () => {
  const session = ref<number>();
  /** Which document and program the session debugs. */
  let sessionOf: { document: number; program: number } | undefined;
  // Snapshots, inputs and the breakpoint set are replaced whole, never changed in place: shallow refs,
  // so a step's answer (registers, 64 stack slots per frame, maps) is not wrapped in deep proxies and
  // reading it in the panes costs plain property reads.
  const state = shallowRef<StateSnapshot>();
  /** The state before the last command of this session, for changed-since-last-step highlighting. */
  const previous = shallowRef<StateSnapshot>();
  /** pc of the instruction the last single forward step ran (its stack writes are highlighted). */
  const steppedPc = ref<number>();
  /** The session's inputs and ctx layout, fetched when a session starts or restarts. */
  const inputs = shallowRef<InputsInfo>();
  const breakpoints = shallowRef<ReadonlySet<number>>(new Set());
  const busy = ref(false);
  /**
   * A command has run longer than SLOW_MS: only then does the toolbar show Stop and grey out the
   * commands. A step takes a few ms; flipping the toolbar twice per step would cost two re-renders and
   * layouts per step and make it flicker. `busy` still turns away a second command at once.
   */
  const slow = ref(false);
  /** pc the user last selected in the listing: F9 toggles a breakpoint there. */
  const selectedPc = ref<number>();
  /** The last stop's message, for the console. */
  const lastStop = ref<StopNote>();
  let seq = 0;
  let runningId: number | undefined;

  const docs = useDocumentsStore();
  watch([() => docs.currentId, () => docs.programIndex], () => {
    session.value = undefined;
    sessionOf = undefined;
    state.value = undefined;
    previous.value = undefined;
    steppedPc.value = undefined;
    inputs.value = undefined;
    breakpoints.value = new Set();
    selectedPc.value = undefined;
  });

  function available(f: Feature): boolean {
    if (useEngineStore().has(f)) return true;
    useUiStore().notify('info', MISSING[f] ?? `${f} is not available yet.`);
    return false;
  }

  function note(text: string): void {
    if (text.trim()) lastStop.value = { seq: ++seq, text: text.replace(/\n$/, '') };
  }

  /** A session being created: a second command meanwhile (F11 pressed twice) waits for it instead of starting another. */
  let creating: Promise<number | 'new' | undefined> | undefined;

  /** The session for the selected program, created if needed; 'new' when this call created it. */
  function ensureSession(): Promise<number | 'new' | undefined> {
    if (creating) return creating.then((r) => (r === 'new' ? session.value : r));
    const p = ensureSessionOnce();
    creating = p;
    void p.finally(() => {
      if (creating === p) creating = undefined;
    });
    return p;
  }

  async function ensureSessionOnce(): Promise<number | 'new' | undefined> {
    const doc = docs.current;
    if (!doc) {
      useUiStore().notify('info', 'Open a program first.');
      return undefined;
    }
    if (session.value !== undefined && sessionOf?.document === doc.id && sessionOf.program === docs.programIndex) return session.value;
    const r = await useEngineStore().request({ kind: 'session.create', document: doc.id, program: docs.programIndex });
    if (r.kind !== 'session') {
      useUiStore().notify('error', `Could not start ${docs.program?.name ?? doc.name}: ${r.kind === 'error' ? r.message : r.kind}`);
      return undefined;
    }
    session.value = r.session;
    sessionOf = { document: doc.id, program: docs.programIndex };
    breakpoints.value = new Set();
    accept(r.state, undefined, true, r.line);
    note(`Started ${docs.program?.name ?? doc.name} at insn ${r.state.pc}.`);
    void loadInputs();
    return 'new';
  }

  /**
   * Takes a new state; `stepFrom` is the pc a single forward step ran from (undefined for anything else);
   * `line` is the listing line of the pc when the engine sent it (then no 'locate' round trip is needed).
   */
  function accept(s: StateSnapshot, stepFrom: number | undefined = undefined, fresh = false, line?: number): void {
    previous.value = !fresh && state.value && state.value.session === s.session ? state.value : undefined;
    steppedPc.value = stepFrom;
    state.value = s;
    if (line !== undefined) docs.revealAt(line);
    else void docs.reveal(s.pc);
  }

  async function send(req: Request): Promise<Response> {
    busy.value = true;
    const timer = setTimeout(() => (slow.value = true), SLOW_MS);
    try {
      const engine = useEngineStore();
      const pending = engine.request(req);
      // The adapter hands out the id synchronously: remember it so Stop cancels this request and no other.
      runningId = engine.adapter?.lastId;
      const from = state.value?.pc;
      const r = await pending;
      if (r.kind === 'stopped') {
        accept(r.state, req.kind === 'step' && req.mode === 'into' && r.reason === 'step' ? from : undefined, false, r.line);
        note(r.message);
      } else if (r.kind === 'state') {
        accept(r.state, undefined, false, r.line);
        if (r.message) note(r.message);
      }
      else if (r.kind === 'breakpoints') breakpoints.value = new Set(r.breakpoints.filter((b) => b.enabled).map((b) => b.pc));
      else if (r.kind === 'error') useUiStore().notify('error', r.message);
      return r;
    } finally {
      clearTimeout(timer);
      busy.value = false;
      slow.value = false;
      runningId = undefined;
    }
  }

  async function run(): Promise<void> {
    if (!available('run') || busy.value) return;
    const s = await ensureSession();
    if (s !== undefined) await send({ kind: 'run', session: session.value as number });
  }

  async function step(mode: StepMode): Promise<void> {
    if (!available(mode === 'back' ? 'step-back' : 'step') || busy.value) return;
    const s = await ensureSession();
    // A fresh session is already stopped at its entry: that is the first step.
    if (s === undefined || s === 'new') return;
    await send({ kind: 'step', session: s, mode });
  }

  async function toggleBreakpoint(pc = selectedPc.value ?? state.value?.pc): Promise<void> {
    if (!available('breakpoints') || pc === undefined) return;
    const s = await ensureSession();
    if (s !== undefined) await send({ kind: 'breakpoint.toggle', session: session.value as number, pc });
  }

  /** Asks the engine to stop a running command. */
  async function cancel(): Promise<void> {
    const adapter = useEngineStore().adapter;
    if (!adapter || runningId === undefined) return;
    await adapter.request({ kind: 'cancel', target: runningId });
  }

  /** Runs one console line; returns the lines to print. */
  async function consoleLine(line: string): Promise<string[]> {
    if (!useEngineStore().has('console')) return [MISSING.console];
    let id: number | undefined;
    if (docs.current) {
      const s = await ensureSession();
      id = s === undefined ? undefined : (session.value as number);
    }
    const r = await useEngineStore().request({ kind: 'console', line, ...(id !== undefined ? { session: id } : {}) });
    if (r.kind === 'console') {
      if (r.state) accept(r.state, undefined, false, r.line);
      // Console commands (break, delete, disable) change breakpoints too.
      if (r.breakpoints) breakpoints.value = new Set(r.breakpoints.filter((b) => b.enabled).map((b) => b.pc));
      return [...r.lines];
    }
    return [r.kind === 'error' ? r.message : `unexpected answer ${r.kind}`];
  }

  /** Fetches the session's inputs (run type, ctx layout, memory addresses). */
  async function loadInputs(): Promise<void> {
    if (session.value === undefined || !useEngineStore().has('inputs')) return;
    const r = await useEngineStore().request({ kind: 'inputs', session: session.value });
    if (r.kind === 'inputs') inputs.value = r.info;
    else if (r.kind === 'error') useUiStore().notify('error', `Could not read the program's inputs: ${r.message}`);
  }

  /** Starts the program over with these inputs (breakpoints stay); starts a session if there is none. */
  async function applyInputs(next: ProgramInputs): Promise<boolean> {
    if (!available('inputs') || busy.value) return false;
    const doc = docs.current;
    if (!doc) {
      useUiStore().notify('info', 'Open a program first.');
      return false;
    }
    busy.value = true;
    const timer = setTimeout(() => (slow.value = true), SLOW_MS);
    try {
      const engine = useEngineStore();
      const fresh = session.value === undefined || sessionOf?.document !== doc.id || sessionOf.program !== docs.programIndex;
      const r = fresh
        ? await engine.request({ kind: 'session.create', document: doc.id, program: docs.programIndex, inputs: next })
        : await engine.request({ kind: 'session.restart', session: session.value as number, inputs: next });
      if (r.kind !== 'session') {
        useUiStore().notify('error', `Could not start with these inputs: ${r.kind === 'error' ? r.message : r.kind}`);
        return false;
      }
      if (fresh) {
        session.value = r.session;
        sessionOf = { document: doc.id, program: docs.programIndex };
        breakpoints.value = new Set();
      }
      accept(r.state, undefined, true, r.line);
      note(`Restarted ${docs.program?.name ?? doc.name} with new inputs (${next.type}).`);
      await loadInputs();
      return true;
    } finally {
      clearTimeout(timer);
      busy.value = false;
      slow.value = false;
    }
  }

  /** Sets r0-r9 while paused; `value` is the protocol's "0x..." form. */
  async function setRegister(register: number, value: string): Promise<boolean> {
    if (!available('edit') || session.value === undefined || busy.value) return false;
    return (await send({ kind: 'register.set', session: session.value, register, value })).kind === 'state';
  }

  async function updateMap(map: number, key: string, value: string, flag: MapUpdateFlag): Promise<boolean> {
    if (!available('edit') || session.value === undefined || busy.value) return false;
    return (await send({ kind: 'map.update', session: session.value, map, key, value, flag })).kind === 'state';
  }

  async function deleteMapEntry(map: number, key: string): Promise<boolean> {
    if (!available('edit') || session.value === undefined || busy.value) return false;
    return (await send({ kind: 'map.delete', session: session.value, map, key })).kind === 'state';
  }

  return {
    session, state, previous, steppedPc, inputs, breakpoints, busy, slow, selectedPc, lastStop,
    run, step, toggleBreakpoint, cancel, consoleLine, ensureSession, loadInputs, applyInputs, setRegister, updateMap, deleteMapEntry,
  };
});
