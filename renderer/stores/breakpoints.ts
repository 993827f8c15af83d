// The breakpoint list with conditions, as the engine holds it: shown and edited in the Breakpoints pane through the debugger's own commands.
//
// The debug store keeps the engine's list as its last answer gave it (toggles and console commands
// carry it; the gutter marks come from it). This store asks again for the hit counts after a stop
// while the pane is in view, and edits go through the gdb-like commands (`break *PC if COND`, `condition N COND`, `enable`, `disable`,
// `delete`), so the pane, the console and a saved workspace can never disagree. A command the
// engine refuses (a condition that does not parse) comes back as its message in the notice bar.
// These commands do not move execution, so their answers' state is not taken (taking it would
// reset the changed-since-last-step marks and scroll the listing back to the pc).
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { afterPaint } from '../state/after-paint';
import { markKey } from '../state/breakpoint-marks';
import { useDebugStore } from './debug';
import { useDocumentsStore } from './documents';
import { useEngineStore } from './engine';
import { useUiStore } from './ui';
import { useWorkspaceStore } from './workspace';

export const useBreakpointsStore = defineStore('breakpoints', () => {
  const debug = useDebugStore();
  const docs = useDocumentsStore();
  const engine = useEngineStore();
  const ui = useUiStore();
  const list = computed(() => debug.breakpointList);
  const busy = ref(false);

  async function refresh(): Promise<void> {
    const session = debug.session;
    if (session === undefined) return;
    const r = await engine.request({ kind: 'console', session, line: 'info breakpoints' });
    if (r.kind === 'console' && debug.session === session) debug.setBreakpoints(r.breakpoints ?? []);
  }

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
      // The list and the gutter follow.
      if (r.breakpoints) debug.setBreakpoints(r.breakpoints);
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

  /** A breakpoint at `pc` of program `program` (default: the session's), conditional when `condition` is given. */
  function add(pc: number, condition = '', program?: number): Promise<string | undefined> {
    const c = condition.trim();
    const name = program === undefined || program === debug.ownProgram ? undefined : docs.current?.programs[program]?.name;
    return command(`break ${name ? `${name}:` : ''}*${pc}${c ? ` if ${c}` : ''}`, failed(/^(Temporary )?[Bb]reakpoint \d+/));
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

  /**
   * The gutter click and F9 at an instruction of `program` (default: the selected instruction, else the
   * paused one): adds a breakpoint where there is none and removes an active one (conditional too, as
   * debuggers do); a disabled one is enabled, not deleted unseen (delete it in the pane).
   */
  async function toggleAt(pc?: number, program?: number): Promise<void> {
    if (pc === undefined) {
      pc = debug.selectedPc ?? debug.state?.pc;
      program = debug.selectedPc !== undefined ? debug.selectedProgram : debug.state?.program;
    }
    if (pc === undefined) return;
    const mark = debug.breakpoints.get(markKey(program ?? debug.ownProgram, pc));
    if (mark?.kind === 'off') await command(`enable ${mark.disabledIds.join(' ')}`, () => false);
    else await debug.toggleBreakpoint(pc, program);
  }

  return { list, busy, refresh, add, setCondition, setEnabled, remove, toggleAt };
});
