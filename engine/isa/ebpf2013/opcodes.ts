// Field values of the 2013 "extended BPF" opcode byte (seed 003, include/linux/bpf.h) and its limits.
//
// Same 8-byte slot as modern eBPF (a_reg is the low nibble of byte 1, x_reg the high one), but
// several values mean something else: class 0x04 ALU is 64-bit, 0x06 is RET, mode 0xc0 is REL
// and 0xe0 XADD, ALU ops 0xd0/0xe0 are BSWAP32/BSWAP64, and there is no lddw.
//
//   byte 0      byte 1              bytes 2-3   bytes 4-7
//   +--------+---------+---------+------------+------------------+
//   | code   | x_reg:4 | a_reg:4 | off s16    | imm s32          |
//   +--------+---------+---------+------------+------------------+
//
//   code of ALU/JMP/RET:            code of LDX/ST/STX:
//     7   4 3   2  0                  7  5 4  3 2  0
//     +----+---+----+                 +----+----+----+
//     | op | s | cls|                 |mode|size| cls|
//     +----+---+----+                 +----+----+----+

export const CLASS_2013 = { LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, RET: 0x06 } as const;
export const SIZE_2013 = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;
export const MODE_2013 = { IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, LEN: 0x80, MSH: 0xa0, REL: 0xc0, XADD: 0xe0 } as const;
export const ALU_OP_2013 = {
  ADD: 0x00, SUB: 0x10, MUL: 0x20, DIV: 0x30, OR: 0x40, AND: 0x50, LSH: 0x60, RSH: 0x70,
  NEG: 0x80, MOD: 0x90, XOR: 0xa0, MOV: 0xb0, ARSH: 0xc0, BSWAP32: 0xd0, BSWAP64: 0xe0,
} as const;
export const JMP_OP_2013 = {
  JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40, JNE: 0x50, JSGT: 0x60, JSGE: 0x70, CALL: 0x80,
} as const;
export const SRC_2013 = { K: 0x00, X: 0x08 } as const;

/** Limits of include/linux/bpf.h (MAX_BPF_INSNS, MAX_BPF_TABLES, MAX_BPF_STRTAB_SIZE). */
export const MAX_BPF_INSNS = 4096;
export const MAX_BPF_TABLES = 64;
export const MAX_BPF_STRTAB_SIZE = 1024;
/** R0..R9 plus __fp__ = 10; register fields are 4 bits wide, so 11..15 are encodable but invalid. */
export const MAX_REG_2013 = 10;
export const REG_FP_2013 = 10;
/** sizeof(struct bpf_table): five u32. */
export const BPF_TABLE_SIZE = 20;
/** BPF_HEADER_SIZE of bpf_run.c: "bpf\0" and three int sizes. */
export const BPF_HEADER_SIZE = 16;
export const BPF_TABLE_TYPE = { HASH: 1, LPM: 2 } as const;

/**
 * Every BPF_* / register name the seed's macros use, with its value: the assembler's symbol table.
 * BPF_JA is 0x00 like BPF_ADD; the macro decides which field it lands in.
 */
export const SYMBOLS_2013: Readonly<Record<string, number>> = Object.freeze({
  BPF_LD: 0x00, BPF_LDX: 0x01, BPF_ST: 0x02, BPF_STX: 0x03, BPF_ALU: 0x04, BPF_JMP: 0x05, BPF_RET: 0x06,
  BPF_W: 0x00, BPF_H: 0x08, BPF_B: 0x10, BPF_DW: 0x18,
  BPF_IMM: 0x00, BPF_ABS: 0x20, BPF_IND: 0x40, BPF_MEM: 0x60, BPF_LEN: 0x80, BPF_MSH: 0xa0, BPF_REL: 0xc0, BPF_XADD: 0xe0,
  BPF_ADD: 0x00, BPF_SUB: 0x10, BPF_MUL: 0x20, BPF_DIV: 0x30, BPF_OR: 0x40, BPF_AND: 0x50, BPF_LSH: 0x60,
  BPF_RSH: 0x70, BPF_NEG: 0x80, BPF_MOD: 0x90, BPF_XOR: 0xa0, BPF_MOV: 0xb0, BPF_ARSH: 0xc0,
  BPF_BSWAP32: 0xd0, BPF_BSWAP64: 0xe0,
  BPF_JA: 0x00, BPF_JEQ: 0x10, BPF_JGT: 0x20, BPF_JGE: 0x30, BPF_JSET: 0x40, BPF_JNE: 0x50, BPF_JSGT: 0x60,
  BPF_JSGE: 0x70, BPF_CALL: 0x80,
  BPF_K: 0x00, BPF_X: 0x08,
  R0: 0, R1: 1, R2: 2, R3: 3, R4: 4, R5: 5, R6: 6, R7: 7, R8: 8, R9: 9, __fp__: 10,
  BPF_TABLE_HASH: 1, BPF_TABLE_LPM: 2,
  MAX_BPF_INSNS, MAX_BPF_TABLES, MAX_BPF_STRTAB_SIZE,
});
