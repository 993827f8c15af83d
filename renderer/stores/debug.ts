// Debugging commands (run, step, breakpoints, console): the engine does them, this store asks and keeps the answers.
//
// A debug session is created lazily for the selected program on the first debug command, and
// dropped when the selection changes; stepping commands on a new session stop at its entry first.
// A stop in another program of the file (after a tail call) shows that program's listing.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type {
  BreakpointInfo, Feature, InputsInfo, MapUpdateFlag, ProgramInputs, Request, Response, StateSnapshot, StepMode,
} from '../../engine/protocol';
import { gutterMarks } from '../state/breakpoint-marks';
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
  const sessionOf = shallowRef<{ readonly document: number; readonly program: number }>();
  /** The session's own program (breakpoints and snapshots that name no program are in it). */
  const sessionProgram = computed(() => sessionOf.value?.program);
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
  /** The engine's breakpoints (ids, programs, conditions, enabled, hits), as its last answer listed them. */
  const breakpointList = shallowRef<readonly BreakpointInfo[]>([]);
  const busy = ref(false);
  /**
   * A command has run longer than SLOW_MS: only then does the toolbar show Stop and grey out the
   * commands. A step takes a few ms; flipping the toolbar twice per step would cost two re-renders and
   * layouts per step and make it flicker. `busy` still turns away a second command at once.
   */
  const slow = ref(false);
  /** pc the user last selected in the listing: F9 toggles a breakpoint there. */
  const selectedPc = ref<number>();
  /** The program of the file selectedPc is in (the listing may show a tail call target); undefined: the selected program. */
  const selectedProgram = ref<number>();
  /** The last stop's message, for the console. */
  const lastStop = ref<StopNote>();
  let seq = 0;
  let runningId: number | undefined;

  const docs = useDocumentsStore();
  watch([() => docs.currentId, () => docs.programIndex], () => {
    session.value = undefined;
    sessionOf.value = undefined;
    state.value = undefined;
    previous.value = undefined;
    steppedPc.value = undefined;
    inputs.value = undefined;
    breakpointList.value = [];
    selectedPc.value = undefined;
    selectedProgram.value = undefined;
  });

  /** The program breakpoints and states without one are in: the session's, else the selected one. */
  const ownProgram = computed(() => sessionProgram.value ?? docs.programIndex);
  /** Gutter marks by program and pc (state/breakpoint-marks). */
  const breakpoints = computed(() => gutterMarks(breakpointList.value, ownProgram.value));
  /** The paused pc when the listing shows the program it is in (each listing row compares itself with it). */
  const currentPc = computed(() => (state.value && (state.value.program ?? ownProgram.value) === docs.shownIndex ? state.value.pc : undefined));
  /** The selected pc when it is in the program the listing shows. */
  const selectedShownPc = computed(() => ((selectedProgram.value ?? docs.programIndex) === docs.shownIndex ? selectedPc.value : undefined));

  /** Selects an instruction of `program` (default: the selected program): F9 toggles there, the verifier shows its states. */
  function select(pc: number | undefined, program?: number): void {
    selectedPc.value = pc;
    selectedProgram.value = program;
  }

  /** A new engine session for the selected program of document `document`: it starts with no breakpoints. */
  function adopt(id: number, document: number): void {
    session.value = id;
    sessionOf.value = { document, program: docs.programIndex };
    breakpointList.value = [];
  }

  function setBreakpoints(list: readonly BreakpointInfo[]): void {
    breakpointList.value = list;
  }

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
    if (session.value !== undefined && sessionOf.value?.document === doc.id && sessionOf.value.program === docs.programIndex) return session.value;
    const r = await useEngineStore().request({ kind: 'session.create', document: doc.id, program: docs.programIndex });
    if (r.kind !== 'session') {
      useUiStore().notify('error', `Could not start ${docs.program?.name ?? doc.name}: ${r.kind === 'error' ? r.message : r.kind}`);
      return undefined;
    }
    adopt(r.session, doc.id);
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
    // The listing shows the program the pc is in: after a tail call, the target's (line is in its listing).
    const program = s.program ?? ownProgram.value;
    if (line !== undefined) docs.revealAt(line, program);
    else void docs.reveal(s.pc, program);
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
      else if (r.kind === 'breakpoints') breakpointList.value = r.breakpoints;
      else if (r.kind === 'error') useUiStore().notify('error', r.message);
      return r;
    } finally {
      clearTimeout(timer);
      busy.value = false;
      slow.value = false;
      runningId = undefined;
    }
  }

  /** A restart with new inputs on its way: commands pressed meanwhile wait for it instead of being dropped. */
  let applying: Promise<boolean> | undefined;

  async function run(): Promise<void> {
    if (applying) await applying;
    if (!available('run') || busy.value) return;
    const s = await ensureSession();
    if (s !== undefined) await send({ kind: 'run', session: session.value as number });
  }

  async function step(mode: StepMode): Promise<void> {
    if (applying) await applying;
    if (!available(mode === 'back' ? 'step-back' : 'step') || busy.value) return;
    const s = await ensureSession();
    // A fresh session is already stopped at its entry: that is the first step.
    if (s === undefined || s === 'new') return;
    await send({ kind: 'step', session: s, mode });
  }

  /**
   * Adds a breakpoint at pc of `program` (default: the session's own), or removes the ones there. The
   * program is sent, so a tail call target's pc is not taken for the session's. (The breakpoints
   * store's toggleAt decides where F9 and the gutter act, and enables a disabled one instead.)
   */
  async function toggleBreakpoint(pc: number, program?: number): Promise<void> {
    if (!available('breakpoints')) return;
    const s = await ensureSession();
    if (s === undefined) return;
    const p = program ?? ownProgram.value;
    await send({ kind: 'breakpoint.toggle', session: session.value as number, pc, program: p });
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
      if (r.breakpoints) breakpointList.value = r.breakpoints;
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
  function applyInputs(next: ProgramInputs): Promise<boolean> {
    if (!available('inputs') || busy.value) return Promise.resolve(false);
    const p = applyInputsNow(next);
    applying = p;
    void p.finally(() => {
      if (applying === p) applying = undefined;
    });
    return p;
  }

  async function applyInputsNow(next: ProgramInputs): Promise<boolean> {
    const doc = docs.current;
    if (!doc) {
      useUiStore().notify('info', 'Open a program first.');
      return false;
    }
    busy.value = true;
    const timer = setTimeout(() => (slow.value = true), SLOW_MS);
    try {
      const engine = useEngineStore();
      const fresh = session.value === undefined || sessionOf.value?.document !== doc.id || sessionOf.value.program !== docs.programIndex;
      const r = fresh
        ? await engine.request({ kind: 'session.create', document: doc.id, program: docs.programIndex, inputs: next })
        : await engine.request({ kind: 'session.restart', session: session.value as number, inputs: next });
      if (r.kind !== 'session') {
        useUiStore().notify('error', `Could not start with these inputs: ${r.kind === 'error' ? r.message : r.kind}`);
        return false;
      }
      if (fresh) {
        adopt(r.session, doc.id);
      }
      accept(r.state, undefined, true, r.line);
      note(`Restarted ${docs.program?.name ?? doc.name} with new inputs (${next.type}).`);
    } finally {
      clearTimeout(timer);
      busy.value = false;
      slow.value = false;
    }
    // Not while busy: the session is ready, and a command pressed now (F5 right after Apply) must run, not be dropped.
    await loadInputs();
    return true;
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

  /**
   * Puts program `program` of the file into slot `index` of prog_array `map` (undefined: empties it),
   * as user space does before attaching; while paused it is an edit a step back undoes. Starts a
   * session (stopped at its entry, before the run) when there is none.
   */
  async function setTailSlot(map: number, index: number, program: number | undefined): Promise<boolean> {
    if (!available('edit') || busy.value) return false;
    const s = await ensureSession();
    if (s === undefined) return false;
    const r = await send({ kind: 'prog-array.set', session: session.value as number, map, index, ...(program !== undefined ? { program } : {}) });
    return r.kind === 'state';
  }

  return {
    session, sessionProgram, ownProgram, state, previous, steppedPc, inputs, breakpointList, breakpoints, busy, slow,
    selectedPc, selectedProgram, selectedShownPc, currentPc, lastStop,
    run, step, select, setBreakpoints, toggleBreakpoint, cancel, consoleLine, ensureSession, loadInputs, applyInputs,
    setRegister, updateMap, deleteMapEntry, setTailSlot,
  };
});
