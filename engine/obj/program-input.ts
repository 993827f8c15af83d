// One loader for "a file a user names": ELF object, assembly text or raw bytecode, and the one program in it.
//
// The CLI commands (run, verify, debug) and the debugger all start from the same question: which
// format is this, and which program does the user mean? Answering it once keeps their format
// detection and their "no program named X" diagnostics identical.
import { parse, type ParseResult } from '../asm';
import { error, hasErrors, type Diagnostic, type Insn } from '../isa';
import { loadObject, type BpfObject, type ObjProgram } from './object';
import { loadRaw } from './raw';

export type InputFormat = 'elf' | 'asm' | 'raw';

export const INPUT_FORMATS: readonly InputFormat[] = ['elf', 'asm', 'raw'];

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/**
 * What the bytes are: ELF by magic; raw bytecode by extension (.bin, .raw, and .o without ELF
 * magic) or by control bytes (bytecode almost always holds NULs, assembly text never does);
 * assembly text otherwise.
 */
export function detectFormat(bytes: Uint8Array, file: string): InputFormat {
  if (ELF_MAGIC.every((b, i) => bytes[i] === b)) return 'elf';
  if (/\.(bin|raw|o)$/i.test(file)) return 'raw';
  const n = Math.min(bytes.length, 4096);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)) return 'raw';
  }
  return 'asm';
}

/** The program a user named (function or SEC() name), or the first; a diagnostic listing the choices otherwise. */
export function selectProgram(obj: BpfObject, wanted: string | undefined, file?: string): { program?: ObjProgram; diagnostic?: Diagnostic } {
  const program = wanted === undefined ? obj.programs[0] : obj.programs.find((p) => p.name === wanted || p.section === wanted);
  if (program) return { program };
  const known = obj.programs.map((p) => `${p.name} (${p.section})`).join(', ') || 'none';
  const message = wanted === undefined ? 'the object has no programs' : `no program named ${wanted} (programs: ${known})`;
  return { diagnostic: error('input.no-program', message, file !== undefined ? { file } : {}) };
}

export interface ProgramInput {
  readonly format: InputFormat;
  readonly insns: readonly Insn[];
  /** elf: the object and the chosen program. */
  readonly object?: BpfObject;
  readonly program?: ObjProgram;
  /** asm: the parse (labels, line of each instruction) and the text it came from. */
  readonly asm?: ParseResult;
  readonly text?: string;
}

export interface ProgramInputOptions {
  readonly file: string;
  /** elf: program name or section (default: the first program). */
  readonly program?: string;
  /** Overrides detection. */
  readonly format?: InputFormat;
}

/** Loads one program from a file's bytes; on error, no input and diagnostics saying what and where. */
export function loadProgramInput(bytes: Uint8Array, opts: ProgramInputOptions): { input?: ProgramInput; diagnostics: Diagnostic[] } {
  const format = opts.format ?? detectFormat(bytes, opts.file);
  if (format === 'asm') {
    const text = new TextDecoder().decode(bytes);
    const asm = parse(text, { file: opts.file });
    if (hasErrors(asm.diagnostics)) return { diagnostics: asm.diagnostics };
    return { input: { format, insns: asm.insns, asm, text }, diagnostics: asm.diagnostics };
  }
  if (format === 'raw') {
    const r = loadRaw(bytes, { file: opts.file });
    if (hasErrors(r.diagnostics)) return { diagnostics: r.diagnostics };
    return { input: { format, insns: r.program.insns }, diagnostics: r.diagnostics };
  }
  const o = loadObject(bytes, { file: opts.file });
  if (!o.object || hasErrors(o.diagnostics)) return { diagnostics: o.diagnostics };
  const { program, diagnostic } = selectProgram(o.object, opts.program, opts.file);
  if (!program) return { diagnostics: [...o.diagnostics, diagnostic!] };
  return { input: { format, insns: program.insns, object: o.object, program }, diagnostics: o.diagnostics };
}
