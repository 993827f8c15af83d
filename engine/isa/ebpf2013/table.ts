// The one table of 2013 "extended BPF" instruction forms (seed 003): decoder, encoder, printer,
// assembler and transcoder read it. Unlike modern eBPF, each opcode byte has at most one form.
import { ALU_OP_2013, CLASS_2013, JMP_OP_2013, MODE_2013, SIZE_2013, SRC_2013 } from './opcodes';

export type AluOp2013 = 'add' | 'sub' | 'mul' | 'div' | 'or' | 'and' | 'lsh' | 'rsh' | 'mod' | 'xor' | 'arsh';
export type JmpCond2013 = 'eq' | 'gt' | 'ge' | 'set' | 'ne' | 'sgt' | 'sge';

export type FormKind2013 =
  | 'alu' // a op= x / imm, 64-bit
  | 'mov' // a = x / imm (imm sign-extended)
  | 'neg' // a = -a (X form only)
  | 'bswap' // bswap32 (low 4 bytes, zero-extended) / bswap64 of a (X form only)
  | 'ldx' // a = *(size *)(x + off), mode REL
  | 'st' // *(size *)(a + off) = imm, mode REL
  | 'stx' // *(size *)(a + off) = x, mode REL
  | 'xadd' // lock *(size *)(a + off) += x, mode XADD
  | 'ja' // goto pc + off (code 0x0d: the X bit is required)
  | 'jcond' // if a cond x / imm goto pc + off
  | 'call' // call strtab + imm (the helper's NAME)
  | 'ret' // return (no value); exactly one, last
  | 'invalid';

/**
 * What a field holds. 'ignored': the 2013 code never reads it (any value is accepted, kept for
 * round trips, warned about because modern eBPF requires such fields to be 0); a number: fixed.
 */
export type FieldUse2013 = 'reg' | 'value' | 'ignored' | number;

export interface InsnForm2013 {
  /** Stable name: "add_imm", "mov_reg", "neg", "bswap32", "ldxdw", "stw", "stxdw", "xadddw", "ja", "jeq_imm", "call", "ret". */
  readonly id: string;
  readonly code: number;
  readonly kind: FormKind2013;
  readonly source: 'imm' | 'reg' | 'none';
  readonly aluOp?: AluOp2013;
  readonly cond?: JmpCond2013;
  /** Memory access size in bytes. */
  readonly size?: 1 | 2 | 4 | 8;
  /** bswap: how many low bytes are swapped, in bits. */
  readonly swapBits?: 32 | 64;
  /** The seed macro that produces this form (ISA-13), for the assembler and the docs. */
  readonly macro: string;
  /** a_reg, x_reg, off, imm. */
  readonly dst: FieldUse2013;
  readonly src: FieldUse2013;
  readonly off: FieldUse2013;
  readonly imm: FieldUse2013;
}

const ALU_OPS: ReadonlyArray<readonly [AluOp2013, number]> = [
  ['add', ALU_OP_2013.ADD], ['sub', ALU_OP_2013.SUB], ['mul', ALU_OP_2013.MUL], ['div', ALU_OP_2013.DIV],
  ['or', ALU_OP_2013.OR], ['and', ALU_OP_2013.AND], ['lsh', ALU_OP_2013.LSH], ['rsh', ALU_OP_2013.RSH],
  ['mod', ALU_OP_2013.MOD], ['xor', ALU_OP_2013.XOR], ['arsh', ALU_OP_2013.ARSH],
];

const JMP_CONDS: ReadonlyArray<readonly [JmpCond2013, number]> = [
  ['eq', JMP_OP_2013.JEQ], ['gt', JMP_OP_2013.JGT], ['ge', JMP_OP_2013.JGE], ['set', JMP_OP_2013.JSET],
  ['ne', JMP_OP_2013.JNE], ['sgt', JMP_OP_2013.JSGT], ['sge', JMP_OP_2013.JSGE],
];

const SIZES: ReadonlyArray<readonly [number, 1 | 2 | 4 | 8, string]> = [
  [SIZE_2013.W, 4, 'w'], [SIZE_2013.H, 2, 'h'], [SIZE_2013.B, 1, 'b'], [SIZE_2013.DW, 8, 'dw'],
];

function buildForms(): InsnForm2013[] {
  const forms: InsnForm2013[] = [];
  const alu = CLASS_2013.ALU;
  for (const [op, bits] of ALU_OPS) {
    forms.push({ id: `${op}_imm`, code: alu | bits | SRC_2013.K, kind: 'alu', source: 'imm', aluOp: op, macro: 'BPF_INSN_ALU_IMM', dst: 'reg', src: 'ignored', off: 'ignored', imm: 'value' });
    forms.push({ id: `${op}_reg`, code: alu | bits | SRC_2013.X, kind: 'alu', source: 'reg', aluOp: op, macro: 'BPF_INSN_ALU', dst: 'reg', src: 'reg', off: 'ignored', imm: 'ignored' });
  }
  forms.push({ id: 'mov_imm', code: alu | ALU_OP_2013.MOV | SRC_2013.K, kind: 'mov', source: 'imm', macro: 'BPF_INSN_ALU_IMM', dst: 'reg', src: 'ignored', off: 'ignored', imm: 'value' });
  forms.push({ id: 'mov_reg', code: alu | ALU_OP_2013.MOV | SRC_2013.X, kind: 'mov', source: 'reg', macro: 'BPF_INSN_ALU', dst: 'reg', src: 'reg', off: 'ignored', imm: 'ignored' });
  // Single-operand ops: check_alu_op requires BPF_X and reads only a_reg.
  forms.push({ id: 'neg', code: alu | ALU_OP_2013.NEG | SRC_2013.X, kind: 'neg', source: 'none', macro: 'BPF_INSN_ALU', dst: 'reg', src: 'ignored', off: 'ignored', imm: 'ignored' });
  forms.push({ id: 'bswap32', code: alu | ALU_OP_2013.BSWAP32 | SRC_2013.X, kind: 'bswap', source: 'none', swapBits: 32, macro: 'BPF_INSN_ALU', dst: 'reg', src: 'ignored', off: 'ignored', imm: 'ignored' });
  forms.push({ id: 'bswap64', code: alu | ALU_OP_2013.BSWAP64 | SRC_2013.X, kind: 'bswap', source: 'none', swapBits: 64, macro: 'BPF_INSN_ALU', dst: 'reg', src: 'ignored', off: 'ignored', imm: 'ignored' });

  for (const [sz, bytes, sfx] of SIZES) {
    forms.push({ id: `ldx${sfx}`, code: CLASS_2013.LDX | MODE_2013.REL | sz, kind: 'ldx', source: 'reg', size: bytes, macro: 'BPF_INSN_LD', dst: 'reg', src: 'reg', off: 'value', imm: 'ignored' });
    forms.push({ id: `st${sfx}`, code: CLASS_2013.ST | MODE_2013.REL | sz, kind: 'st', source: 'imm', size: bytes, macro: 'BPF_INSN_ST_IMM', dst: 'reg', src: 'ignored', off: 'value', imm: 'value' });
    forms.push({ id: `stx${sfx}`, code: CLASS_2013.STX | MODE_2013.REL | sz, kind: 'stx', source: 'reg', size: bytes, macro: 'BPF_INSN_ST', dst: 'reg', src: 'reg', off: 'value', imm: 'ignored' });
    forms.push({ id: `xadd${sfx}`, code: CLASS_2013.STX | MODE_2013.XADD | sz, kind: 'xadd', source: 'reg', size: bytes, macro: 'BPF_INSN_XADD', dst: 'reg', src: 'reg', off: 'value', imm: 'ignored' });
  }

  const jmp = CLASS_2013.JMP;
  forms.push({ id: 'ja', code: jmp | JMP_OP_2013.JA | SRC_2013.X, kind: 'ja', source: 'none', macro: 'BPF_INSN_JUMP', dst: 'ignored', src: 'ignored', off: 'value', imm: 'ignored' });
  for (const [cond, bits] of JMP_CONDS) {
    forms.push({ id: `j${cond}_imm`, code: jmp | bits | SRC_2013.K, kind: 'jcond', source: 'imm', cond, macro: 'BPF_INSN_JUMP_IMM', dst: 'reg', src: 'ignored', off: 'value', imm: 'value' });
    forms.push({ id: `j${cond}_reg`, code: jmp | bits | SRC_2013.X, kind: 'jcond', source: 'reg', cond, macro: 'BPF_INSN_JUMP', dst: 'reg', src: 'reg', off: 'value', imm: 'ignored' });
  }
  forms.push({ id: 'call', code: jmp | JMP_OP_2013.CALL | SRC_2013.K, kind: 'call', source: 'imm', macro: 'BPF_INSN_CALL', dst: 'ignored', src: 'ignored', off: 'ignored', imm: 'value' });
  forms.push({ id: 'ret', code: CLASS_2013.RET | SRC_2013.K, kind: 'ret', source: 'none', macro: 'BPF_INSN_RET', dst: 'ignored', src: 'ignored', off: 'ignored', imm: 'ignored' });
  return forms;
}

/** Every valid 2013 form, in a stable order. */
export const FORMS_2013: readonly InsnForm2013[] = Object.freeze(buildForms());

/** Bytes that match no form keep this form, so listings stay aligned with the bytes. */
export const INVALID_FORM_2013: InsnForm2013 = Object.freeze({
  id: 'invalid', code: -1, kind: 'invalid', source: 'none', macro: '', dst: 'value', src: 'value', off: 'value', imm: 'value',
});

const byId = new Map(FORMS_2013.map((f) => [f.id, f]));
const byCode = new Map(FORMS_2013.map((f) => [f.code, f]));

/** The form of a name; throws RangeError for a name not in the table (a programming error, not user input). */
export function formById2013(id: string): InsnForm2013 {
  const f = byId.get(id);
  if (!f) throw new RangeError(`no 2013 instruction form named ${id}`);
  return f;
}

export function formWithCode2013(code: number): InsnForm2013 | undefined {
  return byCode.get(code);
}

const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/** Why an opcode byte has no 2013 form, in the terms of the seed code (bpf_check.c / bpf_run.c). */
export function explainInvalidCode2013(code: number): string {
  const cls = code & 0x07;
  switch (cls) {
    case CLASS_2013.LD:
      return `opcode ${hex2(code)}: class ld (0x00) is a classic-BPF leftover; bpf_check never checks it and bpf_run stops on it`;
    case CLASS_2013.LDX:
      return `opcode ${hex2(code)}: ldx mode ${hex2(code & 0xe0)} is not REL (0xc0); bpf_check returns -EINVAL`;
    case CLASS_2013.ST:
      return `opcode ${hex2(code)}: st mode ${hex2(code & 0xe0)} is not REL (0xc0); bpf_check returns -EINVAL`;
    case CLASS_2013.STX:
      return `opcode ${hex2(code)}: stx mode ${hex2(code & 0xe0)} is neither REL (0xc0) nor XADD (0xe0); bpf_check does not check it and bpf_run stops on it`;
    case CLASS_2013.ALU: {
      const op = code & 0xf0;
      if (op === 0xf0) return `opcode ${hex2(code)}: alu op 0xf0 is undefined ("BUG" in bpf_alu_string)`;
      const name = op === ALU_OP_2013.NEG ? 'neg' : op === ALU_OP_2013.BSWAP32 ? 'bswap32' : 'bswap64';
      return `opcode ${hex2(code)}: ${name} must use the X form (${hex2(code | SRC_2013.X)}); bpf_check returns -EINVAL for the K form`;
    }
    case CLASS_2013.JMP: {
      const op = code & 0xf0;
      if (op === JMP_OP_2013.JA) return `opcode ${hex2(code)}: ja must have the X bit (0x0d); bpf_check returns -EINVAL`;
      if (op === JMP_OP_2013.CALL) return `opcode ${hex2(code)}: call has no X form; bpf_run only executes 0x85`;
      return `opcode ${hex2(code)}: jmp op ${hex2(op)} is undefined in the 2013 ISA (bpf_jmp_string has 9 entries)`;
    }
    case CLASS_2013.RET:
      return `opcode ${hex2(code)}: the only ret is 0x06 (BPF_RET|BPF_K); check_cfg requires exactly that code`;
    default:
      return `opcode ${hex2(code)}: class misc (0x07) has no instructions in the 2013 ISA`;
  }
}
