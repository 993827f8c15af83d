// Raw bytecode files: a flat array of 8-byte little-endian instructions, no headers, no symbols.
import { decode, encode, type Diagnostic, type Insn } from '../isa';

export interface RawProgram {
  readonly insns: Insn[];
  /** Slot index (pc) of each instruction. */
  readonly pcs: number[];
}

export interface RawResult {
  readonly program: RawProgram;
  readonly diagnostics: Diagnostic[];
}

/** Decodes a raw instruction file; diagnostics name `section` (default "raw") and byte offsets. */
export function loadRaw(bytes: Uint8Array, options: { file?: string; section?: string } = {}): RawResult {
  const section = options.section ?? 'raw';
  const dec = decode(bytes, { baseOffset: 0, section });
  const diagnostics = options.file !== undefined ? dec.diagnostics.map((d) => ({ ...d, file: options.file })) : dec.diagnostics;
  return { program: { insns: dec.insns, pcs: dec.pcs }, diagnostics };
}

/** The raw file for a list of instructions (lddw takes two slots). */
export function writeRaw(insns: readonly Insn[]): Uint8Array {
  return encode(insns);
}
