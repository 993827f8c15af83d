// Turns a file's bytes (ELF object, assembly text or raw bytecode) into what a debug session needs: instructions, line table, function names, maps.
import { slotPcs } from '../../asm';
import { error, type Diagnostic, type Insn } from '../../isa';
import { Kernel, RUN_PROG_TYPES, prepare2013, type MapDef, type RunProgType } from '../../kernel';
import { loadProgramInput, type InputFormat, type ObjProgram } from '../../obj';
import type { Image2013 } from '../../obj/image-2013';
import type { LineTable, SourceLine } from './breakpoints';
import type { ProgramDebugInfo } from './debugger';
import type { LaunchMap } from './launch';
import type { LaunchProgram } from './programs';

export type { InputFormat } from '../../obj';
export { detectFormat } from '../../obj';

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
  /** A 2013 image: launches prepare it on their own kernel (LaunchSpec.image2013); insns are that preparation's. */
  readonly image2013?: Image2013;
  /** ELF: every program of the object (the debugged one too), which tail calls can reach; empty otherwise. */
  readonly programs: readonly DebugProgram[];
}

/** One program of an object, as a tail call's target needs it: code, type, lines and function names. */
export interface DebugProgram extends LaunchProgram, ProgramDebugInfo {
  readonly section: string;
  readonly functions: ReadonlyMap<number, string>;
}

export interface LoadOptions {
  readonly file: string;
  /** ELF: program name or section to debug (default: the first program). */
  readonly program?: string;
  readonly format?: InputFormat;
}

/** The simulated run type closest to an object's program type. */
function runTypeOf(prog: ObjProgram): RunProgType {
  const name = prog.type.name;
  if ((RUN_PROG_TYPES as readonly string[]).includes(name)) return name as RunProgType;
  if (name === 'raw_tracepoint_writable') return 'raw_tracepoint';
  // perf_event's ctx (bpf_perf_event_data: pt_regs, sample_period, addr) is not modelled as a struct:
  // it runs over the bytes the user gives, like a tracing args array.
  if (name === 'perf_event') return 'tracing';
  return 'raw';
}

export function loadDebugInput(bytes: Uint8Array, opts: LoadOptions): { input?: DebugInput; diagnostics: Diagnostic[] } {
  const { input: loaded, diagnostics } = loadProgramInput(bytes, { ...opts, allow2013: true });
  if (!loaded) return { diagnostics };
  const { format, insns } = loaded;
  const base = opts.file.slice(opts.file.lastIndexOf('/') + 1);
  if (loaded.image2013) {
    // The 2013 helpers get their ids from the kernel that binds them; a fresh kernel hands out the
    // same ids as the fresh kernel of every launch, so these are the instructions that will run.
    const prep = prepare2013(new Kernel(), loaded.image2013);
    if ('error' in prep) return { diagnostics: [...diagnostics, ...prep.diagnostics, error('debug.image2013', prep.error, { file: opts.file })] };
    return {
      input: { format, insns: prep.insns, name: base, lines: new Map(), functions: new Map([[0, base]]), maps: [], type: 'kprobe', sources: new Map(), image2013: loaded.image2013, programs: [] },
      diagnostics: [...diagnostics, ...prep.diagnostics],
    };
  }
  if (loaded.asm) {
    const p = loaded.asm;
    const src = (loaded.text ?? '').split('\n');
    const pcs = slotPcs(p.insns);
    const lines = new Map<number, SourceLine>(p.insns.map((_, i) => [pcs[i], { file: base, line: p.lineOfInsn[i], text: src[p.lineOfInsn[i] - 1] ?? '' }]));
    // Labels that calls go to name subprograms; the entry is the program itself.
    const callTargets = new Set(p.insns.flatMap((insn, i) => (insn.form.id === 'call_local' ? [pcs[i] + 1 + insn.imm] : [])));
    const functions = new Map<number, string>([[0, base.replace(/\.[^.]*$/, '')]]);
    for (const [name, pc] of p.labels) if (callTargets.has(pc)) functions.set(pc, name);
    const whole = src[src.length - 1] === '' ? src.slice(0, -1) : src;
    return { input: { format, insns, name: base, lines, functions, maps: [], type: 'raw', sources: new Map([[base, whole]]), programs: [] }, diagnostics };
  }
  const prog = loaded.program;
  const obj = loaded.object;
  if (!prog || !obj) {
    return { input: { format, insns, name: base, lines: new Map(), functions: new Map([[0, base]]), maps: [], type: 'raw', sources: new Map(), programs: [] }, diagnostics };
  }
  const maps: LaunchMap[] = obj.maps.map((m) => {
    const def: MapDef = { type: m.type.id, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, name: m.kernelName };
    return { def, ...(m.initialData ? { initialData: m.initialData } : {}), ...(m.name !== m.kernelName ? { name: m.name } : {}) };
  });
  const programs = obj.programs.map(debugProgram);
  const self = programs.find((p) => p.name === prog.name) ?? debugProgram(prog);
  return { input: { format, insns, name: prog.name, lines: self.lines, functions: self.functions, maps, type: runTypeOf(prog), sources: new Map(), programs }, diagnostics };
}

/** A linked program's line table (from .BTF.ext) and function names (the program at 0, its subprograms). */
function debugProgram(prog: ObjProgram): DebugProgram {
  const lines = new Map<number, SourceLine>();
  prog.source.forEach((s, i) => {
    if (s) lines.set(prog.pcs[i], { file: s.file, line: s.line, column: s.column, text: s.text });
  });
  const functions = new Map<number, string>([[0, prog.name]]);
  for (const s of prog.subprograms) functions.set(s.pc, s.name);
  return { name: prog.name, section: prog.section, insns: prog.insns, type: runTypeOf(prog), lines, functions };
}
