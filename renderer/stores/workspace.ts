// Workspaces: gather what the user set up (program, breakpoints, watches, inputs, layout) into a workspace file through the host, and restore one.
//
// The host does the files (Electron: dialogs and atomic writes in main; browser mode: a directory the
// web host controls); this store only builds and applies WorkspaceState. A restore never half-applies:
// the host and the adapter validated the whole file before it gets here, and the program is opened
// first, so a program that fails to open leaves everything as it was. The last state is autosaved
// (debounced) and offered back at startup.
import { defineStore } from 'pinia';
import { computed, nextTick, ref, watch } from 'vue';
import type {
  BreakpointInfo, HostMenuMessage, HostResponse, ListingLine, WorkspaceBreakpoint, WorkspaceState, WorkspaceTailSlot,
} from '../../engine/protocol';
import type { EngineAdapter } from '../adapter/engine-adapter';
import { useDebugStore } from './debug';
import { useDocumentsStore } from './documents';
import { useEngineStore } from './engine';
import { useUiStore } from './ui';

export type BottomTab = NonNullable<WorkspaceState['layout']['bottomTab']>;
export type StateTab = NonNullable<WorkspaceState['layout']['stateTab']>;
/** Areas the View menu can hide: the state column right of the listing, the console area below. */
export type Area = 'state' | 'bottom';

const AUTOSAVE_DELAY_MS = 1500;
const EXPORT_PAGE = 10_000;

export const useWorkspaceStore = defineStore('workspace', () => {
  /** Watch expressions (evaluated at each stop by whoever shows them). */
  const watches = ref<string[]>([]);
  /** Input fields by name, as the inputs pane edits them. */
  const inputs = ref<Record<string, string>>({});
  /** Pane sizes in pixels by pane name. */
  const sizes = ref<Record<string, number>>({});
  /** The bottom area's tab: the one source of truth (App.vue shows it), saved with the layout. */
  const bottomTab = ref<BottomTab>('console');
  /** The state column's tab (stack, call stack, watches, maps, inputs), saved with the layout. */
  const stateTab = ref<StateTab>('stack');
  /** Areas the user hid; the listing always stays. */
  const hidden = ref<ReadonlySet<Area>>(new Set());
  /** The workspace file (Electron: path) or name (browser) last saved or opened. */
  const current = ref<string>();
  /** Browser mode: saved workspace names; Electron: recent workspace files. */
  const known = ref<string[]>([]);
  /** False when the host has no workspace storage (browser mode without --workspaces). */
  const available = ref(true);
  const busy = ref(false);
  let autosaveOn = true;
  let restoring = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function adapter(): EngineAdapter | undefined {
    return useEngineStore().adapter;
  }

  async function host(request: Parameters<EngineAdapter['host']>[0]): Promise<HostResponse> {
    const a = adapter();
    if (!a) return { kind: 'error', code: 'host.not-connected', message: 'not connected' };
    const r = await a.host(request);
    if (r.kind === 'error' && r.code === 'workspace.unavailable') available.value = false;
    return r;
  }

  /**
   * Breakpoints with their conditions, as the engine has them; one in another program of the file (a
   * tail call target) names it, so the file stays readable by older versions when there are none.
   */
  async function breakpointList(): Promise<WorkspaceBreakpoint[]> {
    const debug = useDebugStore();
    const docs = useDocumentsStore();
    if (debug.session === undefined) return [];
    const r = await useEngineStore().request({ kind: 'console', session: debug.session, line: 'info breakpoints' });
    const list: readonly BreakpointInfo[] = r.kind === 'console' ? (r.breakpoints ?? []) : [];
    return list.map((b) => {
      const other = b.program !== undefined && b.program !== debug.ownProgram ? docs.current?.programs[b.program]?.name : undefined;
      return { pc: b.pc, enabled: b.enabled, ...(b.condition ? { condition: b.condition } : {}), ...(other ? { programName: other } : {}) };
    });
  }

  /** The filled prog_array slots of the paused session, by names. */
  function tailSlots(): WorkspaceTailSlot[] {
    const docs = useDocumentsStore();
    const out: WorkspaceTailSlot[] = [];
    for (const m of useDebugStore().state?.maps ?? []) {
      for (const s of m.slots ?? []) {
        const program = docs.current?.programs[s.program]?.name;
        if (program) out.push({ map: m.name, index: s.index, program });
      }
    }
    return out;
  }

  async function snapshot(): Promise<WorkspaceState> {
    const docs = useDocumentsStore();
    const doc = docs.current;
    const source = doc ? docs.sourceOf(doc.id) : undefined;
    const program = doc && source
      ? {
        name: source.name,
        base64: source.base64,
        format: source.format,
        program: docs.programIndex,
        ...(docs.program ? { programName: docs.program.name, type: docs.program.type } : {}),
      }
      : undefined;
    const slots = tailSlots();
    return {
      format: 'bpfdbg-workspace',
      version: 1,
      ...(program ? { program } : {}),
      breakpoints: await breakpointList(),
      ...(slots.length ? { tailSlots: slots } : {}),
      watches: [...watches.value],
      inputs: { ...inputs.value },
      layout: {
        theme: useUiStore().theme, bottomTab: bottomTab.value, stateTab: stateTab.value,
        ...(hidden.value.size ? { hidden: [...hidden.value].sort() } : {}), sizes: { ...sizes.value },
      },
    };
  }

  async function save(to: 'current' | 'new', name?: string): Promise<boolean> {
    const ui = useUiStore();
    busy.value = true;
    try {
      const r = await host({ kind: 'workspace.save', to, ...(name ? { name } : {}), workspace: await snapshot() });
      if (r.kind === 'workspace.saved') {
        current.value = r.name;
        ui.notify('info', `Saved the workspace to ${r.name}.`);
        void refreshList();
        return true;
      }
      if (r.kind === 'error') ui.notify('error', `Could not save the workspace: ${r.message}`);
      return false;
    } finally {
      busy.value = false;
    }
  }

  async function open(from: 'choose' | 'recent' | 'autosave', name?: string): Promise<boolean> {
    const ui = useUiStore();
    busy.value = true;
    try {
      const r = await host({ kind: 'workspace.open', from, ...(name ? { name } : {}) });
      if (r.kind === 'workspace.opened') {
        // The user opened a program while the last session was being fetched: their choice wins.
        if (from === 'autosave' && useDocumentsStore().current) return false;
        const ok = await restore(r.workspace, r.notes);
        if (ok && from !== 'autosave') current.value = r.name;
        return ok;
      }
      if (r.kind === 'error') {
        if (from === 'autosave') {
          if (r.code === 'workspace.missing' || r.code === 'workspace.unavailable') return false;
          // Keep the file as it is (a newer version, or damaged): do not autosave over it this session.
          autosaveOn = false;
          ui.notify('error', `The last session could not be restored: ${r.message} Autosave is off until you save a workspace.`);
        } else ui.notify('error', `Could not open the workspace: ${r.message}`);
      }
      return false;
    } finally {
      busy.value = false;
    }
  }

  /** Applies a validated workspace: the program first (nothing else changes if it fails to open), then the rest. */
  async function restore(w: WorkspaceState, notes: readonly string[]): Promise<boolean> {
    const docs = useDocumentsStore();
    const ui = useUiStore();
    const debug = useDebugStore();
    restoring = true;
    try {
      if (w.program?.base64 !== undefined) {
        const before = new Set(docs.documents.map((d) => d.id));
        await docs.openBase64(w.program.name, w.program.base64, w.program.format);
        // The document this open added (another open may have finished meanwhile and be the current one).
        const doc = docs.documents.find((d) => !before.has(d.id) && d.name === w.program?.name);
        if (!doc) return false;
        const byName = w.program.programName === undefined ? -1 : doc.programs.findIndex((p) => p.name === w.program?.programName);
        const index = byName >= 0 ? byName : Math.min(w.program.program, Math.max(0, doc.programs.length - 1));
        if (docs.currentId !== doc.id || index !== docs.programIndex) docs.select(doc.id, index);
        // The debug store drops its session when the selection changes (a watcher): let that happen first.
        await nextTick();
        // prog_array slots first (by names, as `tail MAP INDEX PROGRAM` takes them); a refusal (the file
        // changed) is said in the notice bar and the rest still restores.
        for (const t of w.tailSlots ?? []) {
          const lines = await debug.consoleLine(`tail ${t.map} ${t.index} ${t.program}`);
          const state = debug.state?.maps.find((m) => m.name === t.map)?.slots?.some((s) => s.index === t.index && doc.programs[s.program]?.name === t.program);
          if (!state) ui.notify('error', `Could not restore ${t.map}[${t.index}] = ${t.program}: ${lines.join(' ')}`);
        }
        // Each breakpoint in its program: `break PROGRAM:*PC` for another program of the file.
        const ids: number[] = [];
        for (const b of w.breakpoints) {
          const before = new Set(debug.breakpointList.map((x) => x.id));
          await debug.consoleLine(`break ${b.programName ? `${b.programName}:` : ''}*${b.pc}${b.condition ? ` if ${b.condition}` : ''}`);
          if (!b.enabled) ids.push(...debug.breakpointList.filter((x) => !before.has(x.id)).map((x) => x.id));
        }
        if (ids.length) await debug.consoleLine(`disable ${ids.join(' ')}`);
      }
      watches.value = [...w.watches];
      inputs.value = { ...w.inputs };
      sizes.value = { ...w.layout.sizes };
      // Files written before the tab was saved have none: the console, as on a fresh start.
      bottomTab.value = w.layout.bottomTab ?? 'console';
      stateTab.value = w.layout.stateTab ?? 'stack';
      hidden.value = new Set(w.layout.hidden ?? []);
      ui.theme = w.layout.theme;
      for (const n of notes) ui.notify('info', n);
      autosaveOn = true;
      return true;
    } finally {
      restoring = false;
    }
  }

  /** Shows or hides an area (View menu); `show` forces one way. */
  function toggleArea(area: Area, show = hidden.value.has(area)): void {
    const next = new Set(hidden.value);
    if (show) next.delete(area);
    else next.add(area);
    hidden.value = next;
  }

  /** Shows a state tab, bringing the state column back if it was hidden. */
  function showStateTab(tab: StateTab): void {
    stateTab.value = tab;
    toggleArea('state', true);
  }

  /** Shows a bottom tab, bringing the console area back if it was hidden. */
  function showBottomTab(tab: BottomTab): void {
    bottomTab.value = tab;
    toggleArea('bottom', true);
  }

  /** Every area shown at its default size, the first tabs selected (the theme is a preference, not layout). */
  function resetLayout(): void {
    hidden.value = new Set();
    sizes.value = {};
    stateTab.value = 'stack';
    bottomTab.value = 'console';
  }

  async function refreshList(): Promise<void> {
    const r = await host({ kind: 'workspace.list' });
    if (r.kind === 'workspace.list') {
      known.value = [...r.names];
      if (r.current) current.value = r.current;
    }
  }

  /** The whole listing of the selected program as text (label, source and instruction lines, as shown). */
  async function listingText(): Promise<string | undefined> {
    const docs = useDocumentsStore();
    const doc = docs.current;
    if (!doc || !docs.program) return undefined;
    const out: string[] = [`; ${doc.name}: ${docs.program.name} (${docs.program.section}, ${docs.program.type})`];
    for (let start = 0; start < docs.lineCount; start += EXPORT_PAGE) {
      const r = await useEngineStore().request({ kind: 'listing', document: doc.id, program: docs.programIndex, start, count: EXPORT_PAGE });
      if (r.kind !== 'listing') return undefined;
      for (const l of r.lines) out.push(lineText(l));
    }
    return out.join('\n') + '\n';
  }

  async function exportListing(): Promise<void> {
    const ui = useUiStore();
    const docs = useDocumentsStore();
    const text = await listingText();
    if (text === undefined) return ui.notify('info', 'Open a program to export its listing.');
    const name = `${docs.program?.name ?? 'listing'}.txt`;
    if (useEngineStore().mode === 'electron') {
      const r = await host({ kind: 'export.save', name, text });
      if (r.kind === 'export.saved') ui.notify('info', `Exported the listing to ${r.name}.`);
      else if (r.kind === 'error') ui.notify('error', `Could not export the listing: ${r.message}`);
      return;
    }
    // Browser mode: the page downloads it; the host writes nothing.
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  function scheduleAutosave(): void {
    if (restoring || !autosaveOn || !available.value || !useDocumentsStore().current) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void snapshot().then((w) => host({ kind: 'workspace.save', to: 'autosave', workspace: w }));
    }, AUTOSAVE_DELAY_MS);
  }

  function onMenu(m: HostMenuMessage): void {
    if (m.command === 'workspace.save') void save('current');
    else if (m.command === 'workspace.save-as') void save('new');
    else if (m.command === 'workspace.open') void open('choose');
    else if (m.command === 'workspace.open-recent') void open('recent', m.name);
    else if (m.command === 'export-listing') void exportListing();
  }

  /** Wires menu commands and autosave, then offers back the last session. Called once the engine answered hello. */
  async function install(a: EngineAdapter): Promise<void> {
    const docs = useDocumentsStore();
    const debug = useDebugStore();
    a.onHostMenu(onMenu);
    // Slots change by the user's hand only (programs never write prog_arrays): one string per state, compared by value.
    const tailSlotsKey = computed(() => JSON.stringify(tailSlots()));
    watch(
      [() => docs.currentId, () => docs.programIndex, () => debug.breakpointList, tailSlotsKey, watches, inputs, sizes, bottomTab, stateTab, hidden, () => useUiStore().theme],
      scheduleAutosave,
      { deep: true },
    );
    await refreshList();
    if (available.value && !docs.current) await open('autosave');
  }

  return {
    watches, inputs, sizes, bottomTab, stateTab, hidden, current, known, available, busy,
    snapshot, save, open, restore, refreshList, exportListing, listingText, install,
    toggleArea, showStateTab, showBottomTab, resetLayout,
  };
});

function lineText(l: ListingLine): string {
  if (l.kind === 'label') return `${l.label}:`;
  if (l.kind === 'source') return `; ${l.source.text.trim()}  [${l.source.file}:${l.source.line}]`;
  return `${String(l.pc).padStart(6)}:  ${l.bytes.padEnd(23)}  ${l.text}`;
}
