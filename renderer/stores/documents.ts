// Opened documents and the listing of the selected program, fetched from the engine one page of lines at a time.
//
// The selected program (`programIndex`) is the one debugged and verified; the listing may show
// another program of the same file (`shownIndex`): a tail call moves execution into it, or the user
// looks at a prog_array slot's program to set breakpoints there. Showing one never drops the session.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import { encodeBase64, type DocumentInfo, type FileFormat, type ListingLine, type ProgramSummary, type WireDiagnostic } from '../../engine/protocol';
import { useEngineStore } from './engine';
import { useUiStore } from './ui';

/** Lines per listing request: small enough to answer fast, large enough that scrolling asks rarely. */
export const PAGE_LINES = 512;

export interface OpenOutcome {
  readonly name: string;
  readonly diagnostics: readonly WireDiagnostic[];
  readonly failed: boolean;
}

export const useDocumentsStore = defineStore('documents', () => {
  const documents = ref<DocumentInfo[]>([]);
  const currentId = ref<number>();
  const programIndex = ref(0);
  /** The program the listing shows: the selected one, or another of the file a tail call ran into. */
  const shownIndex = ref(0);
  /** Diagnostics of the most recent open, shown until the next one. */
  const lastOpen = ref<OpenOutcome>();
  const opening = ref(false);
  /** Listing pages by page number, for the current program only; non-reactive contents, reactive map identity. */
  const pages = shallowRef(new Map<number, readonly ListingLine[]>());
  const inFlight = new Set<number>();
  /** A listing line the view should scroll into sight (seq changes on every request, even for the same line). */
  const revealLine = ref<{ line: number; seq: number }>();
  let revealSeq = 0;
  let generation = 0;
  /** What each document was opened from, so a workspace can embed the program (browser mode cannot re-read uploads). */
  const sources = new Map<number, { readonly name: string; readonly base64: string; readonly format: FileFormat }>();

  const current = computed(() => documents.value.find((d) => d.id === currentId.value));
  const program = computed<ProgramSummary | undefined>(() => current.value?.programs[programIndex.value]);
  const shown = computed<ProgramSummary | undefined>(() => current.value?.programs[shownIndex.value]);
  const lineCount = computed(() => shown.value?.lineCount ?? 0);

  /** Changes whenever the pages are dropped (another document or program shown): the listing view asks for its lines again. */
  const listingSeq = ref(0);

  function resetListing(): void {
    generation++;
    listingSeq.value++;
    pages.value = new Map();
    inFlight.clear();
  }

  async function openBytes(name: string, bytes: Uint8Array, format: FileFormat = 'auto'): Promise<void> {
    return openBase64(name, encodeBase64(bytes), format);
  }

  async function openBase64(name: string, base64: string, format: FileFormat = 'auto'): Promise<void> {
    const engine = useEngineStore();
    const ui = useUiStore();
    opening.value = true;
    try {
      const r = await engine.request({ kind: 'open', name, base64, format });
      if (r.kind === 'opened') {
        const failed = !r.document;
        lastOpen.value = { name, diagnostics: r.diagnostics, failed };
        if (r.document) {
          sources.set(r.document.id, { name, base64, format });
          documents.value = [...documents.value, r.document];
          select(r.document.id, 0);
        } else {
          const first = r.diagnostics.find((d) => d.severity === 'error');
          ui.notify('error', `Could not open ${name}: ${first?.message ?? 'the engine could not read it'}`);
        }
      } else {
        const message = r.kind === 'error' ? r.message : `unexpected answer ${r.kind}`;
        lastOpen.value = { name, diagnostics: [{ code: r.kind === 'error' ? r.code : 'host.unexpected', severity: 'error', message }], failed: true };
        ui.notify('error', `Could not open ${name}: ${message}`);
      }
    } finally {
      opening.value = false;
    }
  }

  async function openFile(file: File, format: FileFormat = 'auto'): Promise<void> {
    const bytes = new Uint8Array(await file.arrayBuffer());
    return openBytes(file.name, bytes, format);
  }

  function select(id: number, program = 0): void {
    currentId.value = id;
    programIndex.value = program;
    shownIndex.value = program;
    resetListing();
  }

  /** Shows another program of the current file in the listing (the selection and its session stay). */
  function showProgram(index: number): void {
    if (index === shownIndex.value || !current.value?.programs[index]) return;
    shownIndex.value = index;
    resetListing();
  }

  async function close(id: number): Promise<void> {
    await useEngineStore().request({ kind: 'close', document: id });
    documents.value = documents.value.filter((d) => d.id !== id);
    sources.delete(id);
    if (currentId.value === id) {
      const next = documents.value[documents.value.length - 1];
      if (next) select(next.id, 0);
      else {
        currentId.value = undefined;
        resetListing();
      }
    }
  }

  function sourceOf(id: number): { readonly name: string; readonly base64: string; readonly format: FileFormat } | undefined {
    return sources.get(id);
  }

  /** The line at a listing position, if its page has arrived. */
  function lineAt(n: number): ListingLine | undefined {
    return pages.value.get(Math.floor(n / PAGE_LINES))?.[n % PAGE_LINES];
  }

  /** Makes sure the pages covering lines [first, last] are loaded or on their way. */
  async function ensureLines(first: number, last: number): Promise<void> {
    const doc = current.value;
    if (!doc || !shown.value) return;
    const gen = generation;
    const wanted: number[] = [];
    for (let p = Math.floor(Math.max(0, first) / PAGE_LINES); p <= Math.floor(Math.max(0, last) / PAGE_LINES); p++) {
      if (p * PAGE_LINES >= lineCount.value) break;
      if (!pages.value.has(p) && !inFlight.has(p)) wanted.push(p);
    }
    await Promise.all(wanted.map(async (p) => {
      inFlight.add(p);
      const r = await useEngineStore().request({ kind: 'listing', document: doc.id, program: shownIndex.value, start: p * PAGE_LINES, count: PAGE_LINES });
      if (gen !== generation) return;
      inFlight.delete(p);
      if (r.kind === 'listing') {
        pages.value.set(p, r.lines);
        triggerRef(pages);
      } else if (r.kind === 'error') {
        useUiStore().notify('error', `Could not load the listing: ${r.message}`);
      }
    }));
  }

  /**
   * Scrolls the listing to a line the engine already located (answers that move execution carry it),
   * in `program`'s listing (default: the one shown), which is shown first.
   */
  function revealAt(line: number, program = shownIndex.value): void {
    showProgram(program);
    if (line >= 0) revealLine.value = { line, seq: ++revealSeq };
  }

  /**
   * Scrolls the listing to the instruction at pc of `program` (default: the selected program, whose pcs
   * diagnostics and the verifier name), asking the engine where it is (for answers without a line).
   */
  async function reveal(pc: number, program = programIndex.value): Promise<void> {
    const doc = current.value;
    if (!doc) return;
    showProgram(program);
    const r = await useEngineStore().request({ kind: 'locate', document: doc.id, program, pc });
    // Another program was shown meanwhile: this line belongs to a listing no longer there.
    if (currentId.value !== doc.id || shownIndex.value !== program) return;
    if (r.kind === 'located' && r.line >= 0) revealLine.value = { line: r.line, seq: ++revealSeq };
  }

  return {
    revealLine, reveal, revealAt,
    documents, currentId, programIndex, shownIndex, listingSeq, lastOpen, opening, current, program, shown, lineCount, pages,
    openBytes, openBase64, openFile, select, showProgram, close, lineAt, ensureLines, sourceOf,
  };
});
