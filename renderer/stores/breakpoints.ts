// The breakpoint list with conditions, as the engine holds it: shown and edited in the Breakpoints pane through the debugger's own commands.
//
// The debug store keeps only the enabled pcs (what the listing gutter needs). This store asks the
// engine for the whole list (ids, conditions, disabled ones) when that set changes, and edits go
// through the gdb-like commands (`break *PC if COND`, `condition N COND`, `enable`, `disable`,
// `delete`), so the pane, the console and a saved workspace can never disagree. A command the
// engine refuses (a condition that does not parse) comes back as its message in the notice bar.
// These commands do not move execution, so their answers' state is not taken (taking it would
// reset the changed-since-last-step marks and scroll the listing back to the pc).
import { defineStore } from 'pinia';
import { ref, shallowRef, watch } from 'vue';
import type { BreakpointInfo } from '../../engine/protocol';
import { afterPaint } from '../state/after-paint';
import { useDebugStore } from './debug';
import { useEngineStore } from './engine';
import { useUiStore } from './ui';
import { useWorkspaceStore } from './workspace';

export const useBreakpointsStore = defineStore('breakpoints', () => {
  const debug = useDebugStore();
  const engine = useEngineStore();
  const ui = useUiStore();
  const list = shallowRef<readonly BreakpointInfo[]>([]);
  const busy = ref(false);

  async function refresh(): Promise<void> {
    const session = debug.session;
    if (session === undefined) {
      list.value = [];
      return;
    }
    const r = await engine.request({ kind: 'console', session, line: 'info breakpoints' });
    if (r.kind === 'console' && debug.session === session) list.value = r.breakpoints ?? [];
  }

  // The gutter's set is replaced whenever the engine reports breakpoints (toggles, console commands): follow it.
  watch([() => debug.breakpoints, () => debug.session], () => void refresh());
  // Hit counts change when the program runs: while the pane is in view, ask again after a stop is painted.
  const workspace = useWorkspaceStore();
  let scheduled = false;
  watch(() => debug.state, () => {
    if (scheduled || !list.value.length || workspace.bottomTab !== 'breakpoints' || workspace.hidden.has('bottom')) return;
    scheduled = true;
    afterPaint(() => {
      scheduled = false;
      if (!debug.busy) void refresh();
    });
  });

  /** Runs one debugger command; undefined when done, else the engine's words (also put in the notice bar). */
  async function command(line: string, refused: (lines: readonly string[]) => boolean): Promise<string | undefined> {
    if (debug.session === undefined && (await debug.ensureSession()) === undefined) return 'no program to debug';
    const session = debug.session as number;
    busy.value = true;
    try {
      const r = await engine.request({ kind: 'console', session, line });
      if (r.kind !== 'console') {
        const text = `${line}: ${r.kind === 'error' ? r.message : r.kind}`;
        ui.notify('error', text);
        return text;
      }
      const lines = r.lines;
      // The gutter follows (and this store's watcher refreshes the list from the new set).
      if (r.breakpoints) debug.breakpoints = new Set(r.breakpoints.filter((b) => b.enabled).map((b) => b.pc));
      list.value = r.breakpoints ?? list.value;
      if (refused(lines)) {
        const text = lines.join(' ').trim() || `${line}: refused`;
        ui.notify('error', text);
        return text;
      }
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  const failed = (pattern: RegExp) => (lines: readonly string[]): boolean => !lines.some((l) => pattern.test(l));

  /** A breakpoint at `pc`, conditional when `condition` is given. */
  function add(pc: number, condition = ''): Promise<string | undefined> {
    const c = condition.trim();
    return command(`break *${pc}${c ? ` if ${c}` : ''}`, failed(/^(Temporary )?[Bb]reakpoint \d+/));
  }

  /** Sets (or with an empty text removes) breakpoint `id`'s condition. */
  function setCondition(id: number, condition: string): Promise<string | undefined> {
    const c = condition.trim();
    return command(`condition ${id}${c ? ` ${c}` : ''}`, failed(c ? /^Breakpoint \d+ condition:/ : /^Breakpoint \d+ now unconditional/));
  }

  function setEnabled(id: number, enabled: boolean): Promise<string | undefined> {
    return command(`${enabled ? 'enable' : 'disable'} ${id}`, () => false);
  }

  function remove(id: number): Promise<string | undefined> {
    return command(`delete ${id}`, () => false);
  }

  return { list, busy, refresh, add, setCondition, setEnabled, remove };
});
