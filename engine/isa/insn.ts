// The instruction model: one decoded eBPF instruction, whatever its encoding quirks.
import { formById, type InsnForm } from './table';

/** Which instruction set a program is written in. Always explicit: the same bytes mean different things. */
export type Dialect = 'ebpf' | 'ebpf-2013';

/**
 * One instruction. Fields hold the raw encoded values (dst/src register numbers, s16 offset,
 * s32 immediate); `form` says what they mean. lddw is one Insn covering two slots, with the
 * second slot's immediate in `imm2`.
 */
export interface Insn {
  readonly form: InsnForm;
  readonly code: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
  /** lddw only: the immediate of the second slot (the high 32 bits of the constant), as s32. */
  readonly imm2?: number;
}

export interface InsnFields {
  dst?: number;
  src?: number;
  off?: number;
  imm?: number;
  imm2?: number;
}

/** Builds an instruction of a named form; fixed discriminator fields are filled from the form. */
export function makeInsn(formId: string, fields: InsnFields = {}): Insn {
  const form = formById(formId);
  const pick = (use: InsnForm['dst'], v: number | undefined): number => (typeof use === 'number' ? use : (v ?? 0));
  const insn: Insn = {
    form,
    code: form.code,
    dst: pick(form.dst, fields.dst),
    src: pick(form.src, fields.src),
    off: pick(form.off, fields.off),
    imm: pick(form.imm, fields.imm),
    ...(form.kind === 'lddw' ? { imm2: fields.imm2 ?? 0 } : {}),
  };
  return insn;
}

/** lddw with a full 64-bit constant (any bigint is reduced modulo 2^64). */
export function makeLdImm64(formId: string, dst: number, value: bigint): Insn {
  const v = BigInt.asUintN(64, value);
  return makeInsn(formId, { dst, imm: Number(BigInt.asIntN(32, v)), imm2: Number(BigInt.asIntN(32, v >> 32n)) });
}

/** Number of 8-byte slots the instruction occupies. */
export function insnSlots(insn: Insn): 1 | 2 {
  return insn.form.kind === 'lddw' ? 2 : 1;
}

/** The 64-bit constant of an lddw, unsigned. */
export function ldImm64Value(insn: Insn): bigint {
  return (BigInt((insn.imm2 ?? 0) >>> 0) << 32n) | BigInt(insn.imm >>> 0);
}

/** Jump target pc of a jump at `pc`, or undefined for non-jumps. Targets are relative to the next slot. */
export function jumpTarget(insn: Insn, pc: number): number | undefined {
  switch (insn.form.kind) {
    case 'ja':
      return pc + 1 + (insn.form.id === 'gotol' ? insn.imm : insn.off);
    case 'jcond':
    case 'may_goto':
      return pc + 1 + insn.off;
    case 'call':
      return insn.form.id === 'call_local' ? pc + 1 + insn.imm : undefined;
    default:
      return undefined;
  }
}

/** Replaces fields of an instruction, keeping its form. */
export function withFields(insn: Insn, fields: InsnFields): Insn {
  return { ...insn, ...fields };
}
