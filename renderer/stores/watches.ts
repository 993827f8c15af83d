// Watch expressions' values: evaluated by the engine at every stop, after the stop has been painted, all in one request.
//
// The expressions themselves belong to the workspace store (they are saved with the workspace);
// this store only asks for their values and remembers the previous stop's, for changed-since-
// last-stop highlighting. Stepping latency is measured from the key press to the painted panes, so
// nothing here runs before that paint: a new state schedules one 'evaluate' request for after the
// next frame, and while a command is in flight (the user holding F11) it waits for the state that
// command brings. Each expression answers on its own; an error is shown in place of its value.
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { StateSnapshot, WatchValue } from '../../engine/protocol';
import { afterPaint } from '../state/after-paint';
import { useDebugStore } from './debug';
import { useEngineStore } from './engine';
import { useUiStore } from './ui';
import { useWorkspaceStore } from './workspace';

/** What a value is compared by between stops: its bits, or its error text. */
const keyOf = (v: WatchValue): string => ('value' in v ? v.value : `!${v.error}`);

export const useWatchesStore = defineStore('watches', () => {
  const workspace = useWorkspaceStore();
  const debug = useDebugStore();
  const engine = useEngineStore();
  const ui = useUiStore();
  /** Values by expression text at the state they were evaluated for. */
  const values = ref<ReadonlyMap<string, WatchValue>>(new Map());
  /** Expressions whose value differs from the one at the previous stop. */
  const changed = ref<ReadonlySet<string>>(new Set());
  /** pc the values belong to (they may trail the current state by one request). */
  const evaluatedAt = ref<number>();
  /** The state the values were evaluated for. */
  let evaluatedFor: StateSnapshot | undefined;
  /** Values at the stop before `evaluatedFor` (by expression), for `changed`. */
  let before: ReadonlyMap<string, string> = new Map();
  let scheduled = false;
  let inFlight = false;
  let again = false;

  function clear(): void {
    values.value = new Map();
    changed.value = new Set();
    evaluatedAt.value = undefined;
    evaluatedFor = undefined;
    before = new Map();
  }

  /** Asks for every expression's value in the current state, once the current frame is painted. */
  function schedule(): void {
    // Without expressions a stop costs nothing here: no frame callback, no request.
    if (scheduled || !workspace.watches.length) return;
    scheduled = true;
    afterPaint(() => {
      scheduled = false;
      void refresh();
    });
  }

  async function refresh(): Promise<void> {
    const state = debug.state;
    const session = debug.session;
    const exprs = [...new Set(workspace.watches)];
    if (!state || session === undefined || state.session !== session || !exprs.length || !engine.has('watches')) return;
    // A command is running: its answer brings a new state, which schedules this again.
    if (debug.busy) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      const r = await engine.request({ kind: 'evaluate', session, expressions: exprs });
      if (r.kind === 'values' && debug.session === session) {
        const sameStop = evaluatedFor === state;
        if (!sameStop) {
          // A new stop: what was current becomes the previous stop's values (a new session has none).
          before = evaluatedFor?.session === state.session ? new Map([...values.value].map(([e, v]) => [e, keyOf(v)])) : new Map();
        }
        const next = new Map(exprs.map((e, i) => [e, r.values[i]] as const));
        values.value = next;
        changed.value = new Set(exprs.filter((e) => before.has(e) && before.get(e) !== keyOf(next.get(e) as WatchValue)));
        evaluatedFor = state;
        evaluatedAt.value = r.pc;
      } else if (r.kind === 'error' && r.code !== 'session.no-session') {
        ui.notify('error', `Could not evaluate the watch expressions: ${r.message}`);
      }
    } finally {
      inFlight = false;
    }
    if (again || debug.state !== state) {
      again = false;
      schedule();
    }
  }

  watch(() => debug.state, (s) => {
    if (!s) clear();
    else schedule();
  });
  // A refresh turned away while a command ran: that command may have ended without a new state (an error).
  watch(() => debug.busy, (b) => {
    if (!b && debug.state && debug.state !== evaluatedFor) schedule();
  });
  // An added or edited expression is evaluated at once (no step is waiting to paint).
  watch(() => workspace.watches, () => schedule(), { deep: true });

  function add(text: string): boolean {
    const t = text.trim();
    if (!t) return false;
    if (workspace.watches.includes(t)) {
      ui.notify('info', `${t} is already watched.`);
      return false;
    }
    workspace.watches = [...workspace.watches, t];
    return true;
  }

  /** Replaces expression `index`; an empty text removes it. */
  function edit(index: number, text: string): void {
    const t = text.trim();
    if (!t) return remove(index);
    if (workspace.watches[index] === t) return;
    if (workspace.watches.includes(t)) {
      ui.notify('info', `${t} is already watched.`);
      return;
    }
    workspace.watches = workspace.watches.map((w, i) => (i === index ? t : w));
  }

  function remove(index: number): void {
    workspace.watches = workspace.watches.filter((_, i) => i !== index);
  }

  return { values, changed, evaluatedAt, add, edit, remove, refresh };
});
