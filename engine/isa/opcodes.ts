// Field values of the eBPF opcode byte (RFC 9669 section 3) and the kernel's pseudo source registers.
//
// The 8-byte instruction slot, little-endian:
//
//   byte 0      byte 1            bytes 2-3   bytes 4-7
//   +--------+--------+--------+------------+------------------+
//   | opcode | src:4  | dst:4  | offset s16 | immediate s32    |
//   +--------+--------+--------+------------+------------------+
//             (high)   (low nibble)
//
// The opcode byte of ALU and JMP classes:        of load/store classes:
//   7   4 3   2  0                                 7  5 4  3 2  0
//   +----+---+----+                                +----+----+----+
//   | op | s | cls|                                |mode|size| cls|
//   +----+---+----+                                +----+----+----+

export const CLASS = { LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, JMP32: 0x06, ALU64: 0x07 } as const;
export const SOURCE = { K: 0x00, X: 0x08 } as const;
export const SIZE = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;
export const MODE = { IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, MEMSX: 0x80, ATOMIC: 0xc0 } as const;

export const ALU_OP = {
  ADD: 0x00, SUB: 0x10, MUL: 0x20, DIV: 0x30, OR: 0x40, AND: 0x50, LSH: 0x60, RSH: 0x70,
  NEG: 0x80, MOD: 0x90, XOR: 0xa0, MOV: 0xb0, ARSH: 0xc0, END: 0xd0,
} as const;

export const JMP_OP = {
  JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40, JNE: 0x50, JSGT: 0x60, JSGE: 0x70,
  CALL: 0x80, EXIT: 0x90, JLT: 0xa0, JLE: 0xb0, JSLT: 0xc0, JSLE: 0xd0, JCOND: 0xe0,
} as const;

/** imm of BPF_STX|BPF_ATOMIC instructions. */
export const ATOMIC_OP = { ADD: 0x00, OR: 0x40, AND: 0x50, XOR: 0xa0, FETCH: 0x01, XCHG: 0xe0 | 0x01, CMPXCHG: 0xf0 | 0x01 } as const;

/** src_reg of ld_imm64 (include/uapi/linux/bpf.h BPF_PSEUDO_*). */
export const LD_IMM64_PSEUDO = {
  NONE: 0, MAP_FD: 1, MAP_VALUE: 2, BTF_ID: 3, FUNC: 4, MAP_IDX: 5, MAP_IDX_VALUE: 6,
} as const;

/** src_reg of call: helper by id, bpf-to-bpf call by relative offset, kfunc by BTF id. */
export const CALL_PSEUDO = { HELPER: 0, CALL: 1, KFUNC_CALL: 2 } as const;

export const MAX_REG = 10;
export const REG_FP = 10;
export const INSN_SIZE = 8;

export function insnClass(code: number): number {
  return code & 0x07;
}
