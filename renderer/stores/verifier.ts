// The verifier's view of the selected program: verdict, first error, log, and the abstract states at an instruction.
//
// The engine verifies; this store asks (again when the program, log level or program type
// changes) and keeps the answer. States are fetched per instruction as the selection or the
// paused pc moves, because the whole per-instruction table is too large to ship at once.
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { AbstractState, VerifyReport } from '../../engine/protocol';
import { useDebugStore } from './debug';
import { useDocumentsStore } from './documents';
import { useEngineStore } from './engine';
import { useUiStore } from './ui';

export const useVerifierStore = defineStore('verifier', () => {
  const report = ref<VerifyReport>();
  const logLevel = ref<1 | 2>(1);
  /** The program type to verify as; undefined: the file's own (raw bytecode and assembly: socket_filter). */
  const progType = ref<string>();
  const running = ref(false);
  /** The last verification was stopped by the user before a verdict (the pane says so instead of an empty log). */
  const stopped = ref(false);
  /** Id of the verify request in flight, so Stop cancels it and nothing else. */
  let runningId: number | undefined;
  /** States at an instruction, by pc, for the report shown. */
  const states = ref<ReadonlyMap<number, readonly AbstractState[]>>(new Map());
  let generation = 0;

  const docs = useDocumentsStore();
  const debug = useDebugStore();
  const errorPc = computed(() => report.value?.error?.pc);

  watch([() => docs.currentId, () => docs.programIndex], () => {
    generation++;
    report.value = undefined;
    progType.value = undefined;
    states.value = new Map();
    running.value = false;
    stopped.value = false;
    // Not verified automatically: the verifier runs synchronously in the engine, and a program it
    // takes long over would hold up the listing and every debug command behind it.
  });

  /** Runs the verifier on the selected program. */
  async function verify(): Promise<void> {
    const doc = docs.current;
    if (!doc || !docs.program) return;
    if (!useEngineStore().has('verifier')) {
      useUiStore().notify('info', 'The verifier is not available: this engine does not offer it.');
      return;
    }
    const gen = ++generation;
    running.value = true;
    stopped.value = false;
    try {
      const engine = useEngineStore();
      const pending = engine.request({
        kind: 'verify', document: doc.id, program: docs.programIndex, logLevel: logLevel.value, ...(progType.value ? { progType: progType.value } : {}),
      });
      runningId = engine.adapter?.lastId;
      const r = await pending;
      if (gen !== generation) return;
      if (r.kind === 'verified') {
        report.value = r.report;
        states.value = new Map();
        await Promise.all([selectedHere(), pausedHere()].filter((x): x is number => x !== undefined).map((pc) => loadStates(pc)));
      } else if (r.kind === 'error' && r.code === 'engine.cancelled') {
        // The user pressed Stop: what they asked for, not a failure.
        stopped.value = true;
        useUiStore().notify('info', 'Verification stopped.');
      } else {
        useUiStore().notify('error', `Could not verify ${docs.program?.name ?? doc.name}: ${r.kind === 'error' ? r.message : r.kind}`);
      }
    } finally {
      if (gen === generation) {
        running.value = false;
        runningId = undefined;
      }
    }
  }

  /**
   * Stops a verification that takes too long. The verifier polls the cancel flag and answers
   * engine.cancelled; the worker keeps its documents and sessions (no restart).
   */
  async function cancel(): Promise<void> {
    const adapter = useEngineStore().adapter;
    if (adapter && runningId !== undefined) await adapter.request({ kind: 'cancel', target: runningId });
  }

  /** Verifies the selected program unless there is a report already or one is on its way. */
  function ensure(): void {
    if (!report.value && !running.value && docs.program) void verify();
  }

  /** Fetches the abstract states before the instruction at pc (once per report). */
  async function loadStates(pc: number): Promise<void> {
    const doc = docs.current;
    if (!doc || !report.value || states.value.has(pc)) return;
    const gen = generation;
    const r = await useEngineStore().request({ kind: 'verifier.state', document: doc.id, program: docs.programIndex, pc });
    if (gen !== generation) return;
    if (r.kind === 'verifier-state') states.value = new Map([...states.value, [pc, r.states]]);
    else if (r.kind === 'error') useUiStore().notify('error', `Could not read the verifier state at insn ${pc}: ${r.message}`);
  }

  // Only pcs of the verified program: after a tail call, or with another program's listing shown, the
  // pc belongs to a program this report is not about.
  /** The selected instruction, when it is in the verified program. */
  function selectedHere(): number | undefined {
    return debug.selectedProgram === undefined || debug.selectedProgram === docs.programIndex ? debug.selectedPc : undefined;
  }
  /** The paused pc, when it is in the verified program. */
  function pausedHere(): number | undefined {
    const s = debug.state;
    return s && (s.program === undefined || s.program === docs.programIndex) ? s.pc : undefined;
  }
  watch(selectedHere, (pc) => {
    if (pc !== undefined) void loadStates(pc);
  });
  watch(pausedHere, (pc) => {
    if (pc !== undefined) void loadStates(pc);
  });

  function setLogLevel(level: 1 | 2): void {
    logLevel.value = level;
    void verify();
  }

  function setProgType(t: string | undefined): void {
    progType.value = t;
    void verify();
  }

  /** The instruction whose states the pane shows: the selection, else where the program is paused (in the verified program). */
  const shownPc = computed(() => selectedHere() ?? pausedHere());

  return { report, logLevel, progType, running, stopped, states, errorPc, shownPc, verify, ensure, cancel, loadStates, setLogLevel, setProgType };
});
