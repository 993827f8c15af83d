// The 2013 instruction and program model: Insn2013 parallels engine/isa's Insn, with its own form table.
import type { Dialect } from '../insn';
import { formById2013, type InsnForm2013 } from './table';

/**
 * One 2013 instruction. dst/src are the seed's a_reg/x_reg (same bit positions as today's
 * dst_reg/src_reg); all fields hold the raw encoded values, so encoding is exact even for
 * fields the 2013 code ignores. `form` says what they mean.
 */
export interface Insn2013 {
  readonly form: InsnForm2013;
  readonly code: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
}

export interface Insn2013Fields {
  dst?: number;
  src?: number;
  off?: number;
  imm?: number;
}

/** struct bpf_table: five u32 (type, key_size, elem_size, max_entries, param1). */
export interface Table2013 {
  readonly type: number;
  readonly keySize: number;
  readonly elemSize: number;
  readonly maxEntries: number;
  readonly param1: number;
}

/** A 2013 program: instructions, tables and the string table that CALL immediates index. */
export interface Program2013 {
  readonly dialect: Extract<Dialect, 'ebpf-2013'>;
  readonly insns: readonly Insn2013[];
  readonly tables: readonly Table2013[];
  /** Raw strtab bytes, NUL-separated names; CALL imm is a byte offset into it. */
  readonly strtab: Uint8Array;
}

/** Builds an instruction of a named 2013 form; fixed fields come from the form, others default to 0. */
export function makeInsn2013(formId: string, fields: Insn2013Fields = {}): Insn2013 {
  const form = formById2013(formId);
  const pick = (use: InsnForm2013['dst'], v: number | undefined): number => (typeof use === 'number' ? use : (v ?? 0));
  return { form, code: form.code, dst: pick(form.dst, fields.dst), src: pick(form.src, fields.src), off: pick(form.off, fields.off), imm: pick(form.imm, fields.imm) };
}

/** Jump target index of a 2013 jump at `pc` (target = pc + off + 1), or undefined for non-jumps. */
export function jumpTarget2013(insn: Insn2013, pc: number): number | undefined {
  return insn.form.kind === 'ja' || insn.form.kind === 'jcond' ? pc + 1 + insn.off : undefined;
}

/** The NUL-terminated name at byte offset `off` of a strtab, or undefined when off is outside it or no NUL follows. */
export function strtabName(strtab: Uint8Array, off: number): string | undefined {
  if (!Number.isInteger(off) || off < 0 || off >= strtab.length) return undefined;
  let end = off;
  while (end < strtab.length && strtab[end] !== 0) end++;
  if (end >= strtab.length) return undefined;
  let s = '';
  for (let i = off; i < end; i++) s += String.fromCharCode(strtab[i]);
  return s;
}

/** Offsets of every name in a strtab (each byte that follows a NUL, and byte 0), with the name. */
export function strtabNames(strtab: Uint8Array): Array<{ offset: number; name: string }> {
  const out: Array<{ offset: number; name: string }> = [];
  let start = 0;
  for (let i = 0; i < strtab.length; i++) {
    if (strtab[i] === 0) {
      if (i > start) out.push({ offset: start, name: strtabName(strtab, start) ?? '' });
      start = i + 1;
    }
  }
  return out;
}
