// Turns a file's bytes (ELF object, assembly text or raw bytecode) into what a debug session needs: instructions, line table, function names, maps.
import { parse, slotPcs } from '../../asm';
import { error, hasErrors, type Diagnostic, type Insn } from '../../isa';
import { RUN_PROG_TYPES, type MapDef, type RunProgType } from '../../kernel';
import { loadObject, loadRaw, type ObjProgram } from '../../obj';
import type { LineTable, SourceLine } from './breakpoints';
import type { LaunchMap } from './launch';

export type InputFormat = 'elf' | 'asm' | 'raw';

export interface DebugInput {
  readonly format: InputFormat;
  readonly insns: readonly Insn[];
  readonly name: string;
  readonly lines: LineTable;
  /** Entry pc -> function name (program and subprograms). */
  readonly functions: ReadonlyMap<number, string>;
  readonly maps: readonly LaunchMap[];
  /** The run-time type the program's section implies ('raw' when nothing does). */
  readonly type: RunProgType;
  /** Whole source texts known from the input itself (the assembly file), by line-table file name. */
  readonly sources: ReadonlyMap<string, readonly string[]>;
}

export interface LoadOptions {
  readonly file: string;
  /** ELF: program name or section to debug (default: the first program). */
  readonly program?: string;
  readonly format?: InputFormat;
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/** What the bytes look like: ELF by magic, raw bytecode by extension (.bin, .o without ELF magic is raw too), text otherwise. */
export function detectFormat(bytes: Uint8Array, file: string): InputFormat {
  if (ELF_MAGIC.every((b, i) => bytes[i] === b)) return 'elf';
  if (/\.(bin|raw|o)$/i.test(file)) return 'raw';
  // Bytecode almost always holds NUL bytes; assembly text never does.
  return bytes.includes(0) ? 'raw' : 'asm';
}

/** The simulated run type closest to an object's program type. */
function runTypeOf(prog: ObjProgram): RunProgType {
  const name = prog.type.name;
  if ((RUN_PROG_TYPES as readonly string[]).includes(name)) return name as RunProgType;
  if (name === 'tracepoint' || name === 'raw_tracepoint' || name === 'perf_event') return 'tracing';
  return 'raw';
}

export function loadDebugInput(bytes: Uint8Array, opts: LoadOptions): { input?: DebugInput; diagnostics: Diagnostic[] } {
  const format = opts.format ?? detectFormat(bytes, opts.file);
  const base = opts.file.slice(opts.file.lastIndexOf('/') + 1);
  if (format === 'asm') {
    const text = new TextDecoder().decode(bytes);
    const p = parse(text, { file: opts.file });
    if (hasErrors(p.diagnostics)) return { diagnostics: p.diagnostics };
    const src = text.split('\n');
    const pcs = slotPcs(p.insns);
    const lines = new Map<number, SourceLine>(p.insns.map((_, i) => [pcs[i], { file: base, line: p.lineOfInsn[i], text: src[p.lineOfInsn[i] - 1] ?? '' }]));
    // Labels that calls go to name subprograms; the entry is the program itself.
    const callTargets = new Set(p.insns.flatMap((insn, i) => (insn.form.id === 'call_local' ? [pcs[i] + 1 + insn.imm] : [])));
    const functions = new Map<number, string>([[0, base.replace(/\.[^.]*$/, '')]]);
    for (const [name, pc] of p.labels) if (callTargets.has(pc)) functions.set(pc, name);
    const whole = src[src.length - 1] === '' ? src.slice(0, -1) : src;
    return { input: { format, insns: p.insns, name: base, lines, functions, maps: [], type: 'raw', sources: new Map([[base, whole]]) }, diagnostics: p.diagnostics };
  }
  if (format === 'raw') {
    const r = loadRaw(bytes, { file: opts.file });
    if (hasErrors(r.diagnostics)) return { diagnostics: r.diagnostics };
    return { input: { format, insns: r.program.insns, name: base, lines: new Map(), functions: new Map([[0, base]]), maps: [], type: 'raw', sources: new Map() }, diagnostics: r.diagnostics };
  }
  const o = loadObject(bytes, { file: opts.file });
  if (!o.object) return { diagnostics: o.diagnostics };
  const obj = o.object;
  const prog = opts.program === undefined ? obj.programs[0] : obj.programs.find((p) => p.name === opts.program || p.section === opts.program);
  if (!prog) {
    const known = obj.programs.map((p) => `${p.name} (${p.section})`).join(', ') || 'none';
    return { diagnostics: [...o.diagnostics, error('debug.no-program', opts.program === undefined ? 'the object has no programs' : `no program named ${opts.program} (programs: ${known})`, { file: opts.file })] };
  }
  const lines = new Map<number, SourceLine>();
  prog.source.forEach((s, i) => {
    if (s) lines.set(prog.pcs[i], { file: s.file, line: s.line, column: s.column, text: s.text });
  });
  const functions = new Map<number, string>([[0, prog.name]]);
  for (const s of prog.subprograms) functions.set(s.pc, s.name);
  const maps: LaunchMap[] = obj.maps.map((m) => {
    const def: MapDef = { type: m.type.id, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, name: m.kernelName };
    return { def, ...(m.initialData ? { initialData: m.initialData } : {}) };
  });
  return { input: { format, insns: prog.insns, name: prog.name, lines, functions, maps, type: runTypeOf(prog), sources: new Map() }, diagnostics: o.diagnostics };
}
