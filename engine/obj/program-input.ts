// One loader for "a file a user names": ELF object, assembly text or raw bytecode, and the one program in it.
//
// The CLI commands (run, verify, debug) and the debugger all start from the same question: which
// format is this, and which program does the user mean? Answering it once keeps their format
// detection and their "no program named X" diagnostics identical.
import { parse, type ParseResult } from '../asm';
import { error, hasErrors, type Diagnostic, type Insn } from '../isa';
import { loadImage2013, type Image2013 } from './image-2013';
import { loadObject, type BpfObject, type ObjProgram } from './object';
import { loadRaw } from './raw';

/** image2013: a seed-003 `bpf\0` image (2013 dialect; its instructions mean what that dialect says). */
export type InputFormat = 'elf' | 'asm' | 'raw' | 'image2013';

export const INPUT_FORMATS: readonly InputFormat[] = ['elf', 'asm', 'raw', 'image2013'];

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const IMAGE_2013_MAGIC = [0x62, 0x70, 0x66, 0x00];

/**
 * What the bytes are: ELF by magic; raw bytecode by extension (.bin, .raw, and .o without ELF
 * magic) or by control bytes (bytecode almost always holds NULs, assembly text never does);
 * assembly text otherwise.
 */
export function detectFormat(bytes: Uint8Array, file: string): InputFormat {
  if (ELF_MAGIC.every((b, i) => bytes[i] === b)) return 'elf';
  if (IMAGE_2013_MAGIC.every((b, i) => bytes[i] === b)) return 'image2013';
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
  /**
   * image2013: the loaded image. `insns` is then empty: what runs depends on the kernel that binds
   * the image's helpers and tables (engine/kernel prepare2013), so the caller transcodes it there.
   */
  readonly image2013?: Image2013;
}

export interface ProgramInputOptions {
  readonly file: string;
  /** elf: program name or section (default: the first program). */
  readonly program?: string;
  /** Overrides detection. */
  readonly format?: InputFormat;
  /** Accept 2013 images (callers that can run them); otherwise they are a diagnosed error. */
  readonly allow2013?: boolean;
}

/** Loads one program from a file's bytes; on error, no input and diagnostics saying what and where. */
export function loadProgramInput(bytes: Uint8Array, opts: ProgramInputOptions): { input?: ProgramInput; diagnostics: Diagnostic[] } {
  const format = opts.format ?? detectFormat(bytes, opts.file);
  if (format === 'image2013') {
    if (!opts.allow2013) {
      return { diagnostics: [error('input.image2013', 'this is a 2013 extended-BPF image (seed 003 dialect); this command does not take them (bpfdbg disasm, run and debug do)', { file: opts.file, byteOffset: 0 })] };
    }
    const img = loadImage2013(bytes, { file: opts.file });
    if (!img.image || hasErrors(img.diagnostics)) return { diagnostics: img.diagnostics };
    return { input: { format, insns: [], image2013: img.image }, diagnostics: img.diagnostics };
  }
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
