// The engine facade for hosts: opened documents (objects, raw bytecode, assembly) and their program listings.
//
// A thin layer over engine/obj (loadObject), engine/isa (decode) and engine/asm (parse, printInsn):
// it keeps what was opened, and prints listing rows on demand so a 100k-instruction program costs
// only the rows a UI actually shows. Results carry diagnostics; nothing here throws for bad input.
import { parse, printInsn, type Syntax } from '../asm';
import { decode, encode, error, jumpTarget, type Diagnostic, type Insn } from '../isa';
import { loadObject } from '../obj/object';

export type OpenFormat = 'auto' | 'object' | 'raw' | 'asm' | 'image2013';
export type DocumentFormat = Exclude<OpenFormat, 'auto'>;

export interface SourceLineRef {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

/** One program of a document, ready to list. */
export interface WorkspaceProgram {
  readonly name: string;
  readonly section: string;
  readonly type: string;
  readonly insns: readonly Insn[];
  readonly pcs: readonly number[];
  readonly source: readonly (SourceLineRef | undefined)[];
  /** pc -> function name for the first instruction of each function. */
  readonly labels: ReadonlyMap<number, string>;
  /** Syntax the listing prints in (assembly documents keep the syntax they were written in). */
  readonly syntax: Syntax;
}

export interface WorkspaceDocument {
  readonly id: number;
  readonly name: string;
  readonly format: DocumentFormat;
  readonly size: number;
  readonly programs: readonly WorkspaceProgram[];
  /** The file as opened, for loaders that need it again (debug sessions). */
  readonly bytes: Uint8Array;
}

/** A listing line: label and source lines come before the instruction they introduce. */
export type ProgramListingLine =
  | { readonly kind: 'label'; readonly index: number; readonly pc: number; readonly label: string }
  | { readonly kind: 'source'; readonly index: number; readonly source: SourceLineRef }
  | { readonly kind: 'insn'; readonly index: number; readonly pc: number; readonly bytes: string; readonly text: string; readonly invalid: boolean };

export type OpenResult = { readonly document?: WorkspaceDocument; readonly diagnostics: Diagnostic[] };

export type ListingResult =
  | { readonly ok: true; readonly total: number; readonly lines: ProgramListingLine[] }
  | { readonly ok: false; readonly diagnostic: Diagnostic };

const LINE_LABEL = 0;
const LINE_SOURCE = 1;
const LINE_INSN = 2;

/** Line layout of a program: for each listing line, its kind and instruction index. */
interface LineIndex {
  readonly kind: Uint8Array;
  readonly insn: Int32Array;
  /** Instruction index -> its instruction line. */
  readonly lineOfInsn: Int32Array;
}

/** Whether instruction i starts a new source line (so the line is shown once, before its first instruction). */
function startsSource(p: WorkspaceProgram, i: number): boolean {
  const src = p.source[i];
  if (src === undefined) return false;
  const prev = i > 0 ? p.source[i - 1] : undefined;
  return prev === undefined || prev.line !== src.line || prev.file !== src.file;
}

function buildLineIndex(p: WorkspaceProgram): LineIndex {
  let n = 0;
  for (let i = 0; i < p.insns.length; i++) n += 1 + (p.labels.has(p.pcs[i]) ? 1 : 0) + (startsSource(p, i) ? 1 : 0);
  const kind = new Uint8Array(n);
  const insn = new Int32Array(n);
  const lineOfInsn = new Int32Array(p.insns.length);
  let at = 0;
  for (let i = 0; i < p.insns.length; i++) {
    const put = (k: number): void => {
      kind[at] = k;
      insn[at++] = i;
    };
    if (p.labels.has(p.pcs[i])) put(LINE_LABEL);
    if (startsSource(p, i)) put(LINE_SOURCE);
    lineOfInsn[i] = at;
    put(LINE_INSN);
  }
  return { kind, insn, lineOfInsn };
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ELF_MAGIC.every((b, i) => bytes[i] === b);
}

/** Text files are assembly: valid UTF-8 with no NUL and no control bytes besides tab, CR, LF, FF. */
function asText(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return undefined;
  for (const b of bytes) if (b === 0 || (b < 0x20 && b !== 9 && b !== 10 && b !== 13 && b !== 12) || b === 0x7f) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function hexBytes(insn: Insn): string {
  return Array.from(encode([insn]), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Conformance-syntax files use %r registers; everything else is llvm syntax. */
function sniffSyntax(text: string): Syntax {
  return /%r\d/.test(text) ? 'conformance' : 'llvm';
}

export class Workspace {
  private readonly documents = new Map<number, WorkspaceDocument>();
  private nextId = 1;
  private readonly lineIndexes = new WeakMap<WorkspaceProgram, LineIndex>();

  /** Loaders the engine has today; hosts advertise these as features. */
  static readonly formats: readonly DocumentFormat[] = ['object', 'raw', 'asm'];

  open(name: string, bytes: Uint8Array, format: OpenFormat = 'auto'): OpenResult {
    const kind: DocumentFormat = format !== 'auto' ? format : isElf(bytes) ? 'object' : asText(bytes) !== undefined ? 'asm' : 'raw';
    const loaded = this.load(name, bytes, kind);
    if (!loaded.programs) return { diagnostics: loaded.diagnostics };
    const document: WorkspaceDocument = { id: this.nextId++, name, format: kind, size: bytes.length, programs: loaded.programs, bytes };
    this.documents.set(document.id, document);
    return { document, diagnostics: loaded.diagnostics };
  }

  close(id: number): boolean {
    return this.documents.delete(id);
  }

  document(id: number): WorkspaceDocument | undefined {
    return this.documents.get(id);
  }

  listing(documentId: number, programIndex: number, start: number, count: number): ListingResult {
    const doc = this.documents.get(documentId);
    if (!doc) return { ok: false, diagnostic: error('session.no-document', `no open document ${documentId}`) };
    const prog = doc.programs[programIndex];
    if (!prog) return { ok: false, diagnostic: error('session.no-program', `document ${doc.name} has no program ${programIndex}`) };
    const index = this.lineIndex(prog);
    const total = index.kind.length;
    const end = Math.min(total, start + count);
    const lines: ProgramListingLine[] = [];
    const labelAt = (pc: number) => prog.labels.get(pc);
    for (let l = start; l < end; l++) {
      const i = index.insn[l];
      const pc = prog.pcs[i];
      const kind = index.kind[l];
      if (kind === LINE_LABEL) {
        lines.push({ kind: 'label', index: i, pc, label: prog.labels.get(pc) ?? '' });
      } else if (kind === LINE_SOURCE) {
        lines.push({ kind: 'source', index: i, source: prog.source[i] as SourceLineRef });
      } else {
        const insn = prog.insns[i];
        const target = jumpTarget(insn, pc);
        const text = printInsn(insn, {
          syntax: prog.syntax,
          pc,
          labelAt,
          ...(target !== undefined ? { targetNote: (t: number) => `<insn ${t}>` } : {}),
        });
        lines.push({ kind: 'insn', index: i, pc, bytes: hexBytes(insn), text, invalid: insn.form.kind === 'invalid' });
      }
    }
    return { ok: true, total, lines };
  }

  /** The listing line of the instruction starting at slot pc, or -1. */
  locate(documentId: number, programIndex: number, pc: number): number {
    const prog = this.documents.get(documentId)?.programs[programIndex];
    if (!prog) return -1;
    let lo = 0;
    let hi = prog.pcs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (prog.pcs[mid] === pc) return this.lineIndex(prog).lineOfInsn[mid];
      if (prog.pcs[mid] < pc) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Number of listing lines of a program. */
  lineCount(prog: WorkspaceProgram): number {
    return this.lineIndex(prog).kind.length;
  }

  private lineIndex(prog: WorkspaceProgram): LineIndex {
    let index = this.lineIndexes.get(prog);
    if (!index) {
      index = buildLineIndex(prog);
      this.lineIndexes.set(prog, index);
    }
    return index;
  }

  private load(name: string, bytes: Uint8Array, kind: DocumentFormat): { programs?: WorkspaceProgram[]; diagnostics: Diagnostic[] } {
    switch (kind) {
      case 'object':
        return this.loadElf(name, bytes);
      case 'raw': {
        const d = decode(bytes);
        if (bytes.length === 0) return { diagnostics: [error('session.empty-file', `${name} is empty`, { file: name })] };
        return {
          programs: [{ name, section: 'raw', type: 'unknown', insns: d.insns, pcs: d.pcs, source: [], labels: new Map(), syntax: 'llvm' }],
          diagnostics: d.diagnostics.map((x) => ({ ...x, file: name })),
        };
      }
      case 'asm': {
        const text = asText(bytes);
        if (text === undefined) return { diagnostics: [error('session.not-text', `${name} is not a text file, so it cannot be assembly`, { file: name })] };
        const syntax = sniffSyntax(text);
        const r = parse(text, { syntax, file: name });
        if (r.insns.length === 0) {
          return { diagnostics: [...r.diagnostics, error('session.no-instructions', `${name} contains no instructions`, { file: name })] };
        }
        const lines = text.split(/\r?\n/);
        const labels = new Map<number, string>();
        for (const [label, pc] of r.labels) if (!labels.has(pc)) labels.set(pc, label);
        const pcs: number[] = [];
        let pc = 0;
        for (const insn of r.insns) {
          pcs.push(pc);
          pc += insn.form.kind === 'lddw' ? 2 : 1;
        }
        const source = r.lineOfInsn.map((line) => ({ file: name, line, column: 1, text: lines[line - 1] ?? '' }));
        return {
          programs: [{ name, section: syntax === 'llvm' ? 'assembly (llvm syntax)' : 'assembly (conformance syntax)', type: 'unknown', insns: r.insns, pcs, source, labels, syntax }],
          diagnostics: r.diagnostics,
        };
      }
      case 'image2013':
        return { diagnostics: [error('session.format-unavailable', 'Opening 2013-dialect images is not available yet: the engine has no loader for them', { file: name })] };
    }
  }

  private loadElf(name: string, bytes: Uint8Array): { programs?: WorkspaceProgram[]; diagnostics: Diagnostic[] } {
    const r = loadObject(bytes, { file: name });
    if (!r.object) return { diagnostics: r.diagnostics };
    const programs = r.object.programs.map((p): WorkspaceProgram => {
      const labels = new Map<number, string>([[0, p.name]]);
      for (const s of p.subprograms) labels.set(s.pc, s.name);
      return {
        name: p.name,
        section: p.section,
        type: p.type.name,
        insns: p.insns,
        pcs: p.pcs,
        source: p.source,
        labels,
        syntax: 'llvm',
      };
    });
    if (programs.length === 0 && !r.diagnostics.some((d) => d.severity === 'error')) {
      r.diagnostics.push(error('session.no-programs', `${name} has no BPF programs (no executable section other than .text)`, { file: name }));
    }
    return { programs, diagnostics: r.diagnostics };
  }
}
