// The one table of modern eBPF instruction forms (RFC 9669 plus the kernel's later additions).
// Decoder, encoder, both assembly syntaxes, the interpreter and the generated tests all read it;
// nothing else in the engine knows which opcode byte means what.
import { ALU_OP, ATOMIC_OP, CALL_PSEUDO, CLASS, JMP_OP, LD_IMM64_PSEUDO, MODE, SIZE, SOURCE } from './opcodes';

/** RFC 9669 conformance groups; "ext" marks kernel additions after the RFC (may_goto, addr_space_cast). */
export type Group = 'base32' | 'base64' | 'atomic32' | 'atomic64' | 'divmul32' | 'divmul64' | 'packet' | 'callx' | 'ext';

export type AluOp = 'add' | 'sub' | 'mul' | 'div' | 'sdiv' | 'or' | 'and' | 'lsh' | 'rsh' | 'mod' | 'smod' | 'xor' | 'arsh';
export type JmpCond = 'eq' | 'gt' | 'ge' | 'set' | 'ne' | 'sgt' | 'sge' | 'lt' | 'le' | 'slt' | 'sle';
export type AtomicOp = 'add' | 'or' | 'and' | 'xor' | 'xchg' | 'cmpxchg';

export type FormKind =
  | 'alu' // dst = dst op src/imm
  | 'neg' // dst = -dst
  | 'mov' // dst = src/imm
  | 'movsx' // dst = (s8/s16/s32) src
  | 'addr_space_cast' // dst = addr_space_cast(src, imm>>16, imm&0xffff)
  | 'end' // to_le / to_be (ALU class), width in imm
  | 'bswap' // unconditional byte swap (ALU64 class, cpu v4), width in imm
  | 'lddw' // 16-byte 64-bit immediate load, src selects pseudo form
  | 'ld_abs' // legacy packet load at constant offset
  | 'ld_ind' // legacy packet load at src + constant
  | 'ldx' // dst = *(size *)(src + off)
  | 'ldsx' // dst = *(s-size *)(src + off)
  | 'st' // *(size *)(dst + off) = imm
  | 'stx' // *(size *)(dst + off) = src
  | 'atomic' // atomic read-modify-write on *(size *)(dst + off)
  | 'ja' // goto +off (JMP) or gotol +imm (JMP32)
  | 'jcond' // if dst cond src/imm goto +off
  | 'call' // helper / bpf-to-bpf / kfunc call (src selects)
  | 'callx' // call by register
  | 'exit'
  | 'may_goto' // BPF_JMP|BPF_JCOND: bounded-loop escape hatch (kernel 6.9+)
  | 'invalid'; // no form: kept so that listings stay aligned with the bytes

/**
 * What each field of a form holds. "zero": reserved, must be 0 (decode rejects otherwise);
 * a number: fixed discriminator value; "reg"/"value": free operand.
 */
export type FieldUse = 'reg' | 'value' | 'zero' | number;

export interface InsnForm {
  /** Unique, stable name: "add64_imm", "ldxdw", "atomic64_fetch_add", "jeq32_reg", "lddw_map_fd". */
  readonly id: string;
  readonly code: number;
  readonly kind: FormKind;
  readonly group: Group;
  /** Lowest LLVM -mcpu (v1..v4) that can express the form; 0 for legacy packet and invalid. */
  readonly cpu: 0 | 1 | 2 | 3 | 4;
  /** 64 for ALU64/JMP classes, 32 for ALU/JMP32; for memory forms the access width in bits. */
  readonly width: 8 | 16 | 32 | 64;
  readonly source: 'imm' | 'reg' | 'none';
  readonly aluOp?: AluOp;
  readonly cond?: JmpCond;
  readonly atomicOp?: AtomicOp;
  /** atomic: the old value is returned in src (FETCH, XCHG) or r0 (CMPXCHG). */
  readonly fetch?: boolean;
  /** Memory access size in bytes (ldx/ldsx/st/stx/atomic/ld_abs/ld_ind). */
  readonly size?: 1 | 2 | 4 | 8;
  /** movsx/ldsx: source width in bits that gets sign-extended. */
  readonly signExtendFrom?: 8 | 16 | 32;
  /** end/bswap: byte order for end ('le'/'be'), 'swap' for bswap; width in bits is immFixed. */
  readonly order?: 'le' | 'be' | 'swap';
  readonly dst: FieldUse;
  readonly src: FieldUse;
  readonly off: FieldUse;
  readonly imm: FieldUse;
}

const SIZES: ReadonlyArray<readonly [number, 1 | 2 | 4 | 8, string, string]> = [
  [SIZE.W, 4, 'w', 'u32'], [SIZE.H, 2, 'h', 'u16'], [SIZE.B, 1, 'b', 'u8'], [SIZE.DW, 8, 'dw', 'u64'],
];

const ALU_OPS: ReadonlyArray<readonly [AluOp, number, number]> = [
  // [op, opcode bits, offset discriminator]
  ['add', ALU_OP.ADD, 0], ['sub', ALU_OP.SUB, 0], ['mul', ALU_OP.MUL, 0], ['div', ALU_OP.DIV, 0],
  ['sdiv', ALU_OP.DIV, 1], ['or', ALU_OP.OR, 0], ['and', ALU_OP.AND, 0], ['lsh', ALU_OP.LSH, 0],
  ['rsh', ALU_OP.RSH, 0], ['mod', ALU_OP.MOD, 0], ['smod', ALU_OP.MOD, 1], ['xor', ALU_OP.XOR, 0],
  ['arsh', ALU_OP.ARSH, 0],
];

const JMP_CONDS: ReadonlyArray<readonly [JmpCond, number, 1 | 2]> = [
  ['eq', JMP_OP.JEQ, 1], ['gt', JMP_OP.JGT, 1], ['ge', JMP_OP.JGE, 1], ['set', JMP_OP.JSET, 1],
  ['ne', JMP_OP.JNE, 1], ['sgt', JMP_OP.JSGT, 1], ['sge', JMP_OP.JSGE, 1], ['lt', JMP_OP.JLT, 2],
  ['le', JMP_OP.JLE, 2], ['slt', JMP_OP.JSLT, 2], ['sle', JMP_OP.JSLE, 2],
];

const ATOMICS: ReadonlyArray<readonly [AtomicOp, number, boolean, 3 | 1]> = [
  ['add', ATOMIC_OP.ADD, false, 1], ['or', ATOMIC_OP.OR, false, 3], ['and', ATOMIC_OP.AND, false, 3],
  ['xor', ATOMIC_OP.XOR, false, 3],
  ['add', ATOMIC_OP.ADD | ATOMIC_OP.FETCH, true, 3], ['or', ATOMIC_OP.OR | ATOMIC_OP.FETCH, true, 3],
  ['and', ATOMIC_OP.AND | ATOMIC_OP.FETCH, true, 3], ['xor', ATOMIC_OP.XOR | ATOMIC_OP.FETCH, true, 3],
  ['xchg', ATOMIC_OP.XCHG, true, 3], ['cmpxchg', ATOMIC_OP.CMPXCHG, true, 3],
];

const LDDW_PSEUDOS: ReadonlyArray<readonly [string, number]> = [
  ['lddw', LD_IMM64_PSEUDO.NONE], ['lddw_map_fd', LD_IMM64_PSEUDO.MAP_FD],
  ['lddw_map_value', LD_IMM64_PSEUDO.MAP_VALUE], ['lddw_btf_id', LD_IMM64_PSEUDO.BTF_ID],
  ['lddw_func', LD_IMM64_PSEUDO.FUNC], ['lddw_map_idx', LD_IMM64_PSEUDO.MAP_IDX],
  ['lddw_map_idx_value', LD_IMM64_PSEUDO.MAP_IDX_VALUE],
];

function buildForms(): InsnForm[] {
  const forms: InsnForm[] = [];
  const add = (f: InsnForm): void => {
    forms.push(f);
  };

  for (const [cls, width, w] of [[CLASS.ALU64, 64, '64'], [CLASS.ALU, 32, '32']] as const) {
    const base = width === 64 ? 'base64' : 'base32';
    const divmul = width === 64 ? 'divmul64' : 'divmul32';
    for (const [op, bits, offv] of ALU_OPS) {
      const group = op === 'mul' || op === 'div' || op === 'sdiv' || op === 'mod' || op === 'smod' ? divmul : base;
      const cpu = offv === 1 ? 4 : 1;
      add({ id: `${op}${w}_imm`, code: cls | bits | SOURCE.K, kind: 'alu', group, cpu, width, source: 'imm', aluOp: op, dst: 'reg', src: 'zero', off: offv, imm: 'value' });
      add({ id: `${op}${w}_reg`, code: cls | bits | SOURCE.X, kind: 'alu', group, cpu, width, source: 'reg', aluOp: op, dst: 'reg', src: 'reg', off: offv, imm: 'zero' });
    }
    add({ id: `neg${w}`, code: cls | ALU_OP.NEG | SOURCE.K, kind: 'neg', group: base, cpu: 1, width, source: 'none', dst: 'reg', src: 'zero', off: 'zero', imm: 'zero' });
    add({ id: `mov${w}_imm`, code: cls | ALU_OP.MOV | SOURCE.K, kind: 'mov', group: base, cpu: 1, width, source: 'imm', dst: 'reg', src: 'zero', off: 0, imm: 'value' });
    add({ id: `mov${w}_reg`, code: cls | ALU_OP.MOV | SOURCE.X, kind: 'mov', group: base, cpu: 1, width, source: 'reg', dst: 'reg', src: 'reg', off: 0, imm: 'zero' });
    const sxWidths: Array<8 | 16 | 32> = width === 64 ? [8, 16, 32] : [8, 16];
    for (const from of sxWidths) {
      add({ id: `movsx${w}_${from}`, code: cls | ALU_OP.MOV | SOURCE.X, kind: 'movsx', group: base, cpu: 4, width, source: 'reg', signExtendFrom: from, dst: 'reg', src: 'reg', off: from, imm: 'zero' });
    }
    for (const bits of [16, 32, 64] as const) {
      const g = bits === 64 ? 'base64' : 'base32';
      if (width === 32) {
        add({ id: `le${bits}`, code: cls | ALU_OP.END | SOURCE.K, kind: 'end', group: g, cpu: 1, width, source: 'none', order: 'le', dst: 'reg', src: 'zero', off: 'zero', imm: bits });
        add({ id: `be${bits}`, code: cls | ALU_OP.END | SOURCE.X, kind: 'end', group: g, cpu: 1, width, source: 'none', order: 'be', dst: 'reg', src: 'zero', off: 'zero', imm: bits });
      } else {
        add({ id: `bswap${bits}`, code: cls | ALU_OP.END | SOURCE.K, kind: 'bswap', group: g, cpu: 4, width, source: 'none', order: 'swap', dst: 'reg', src: 'zero', off: 'zero', imm: bits });
      }
    }
  }
  // BPF_ADDR_SPACE_CAST: ALU64 MOV X with off=1; imm = dst_addr_space << 16 | src_addr_space.
  add({ id: 'addr_space_cast', code: CLASS.ALU64 | ALU_OP.MOV | SOURCE.X, kind: 'addr_space_cast', group: 'ext', cpu: 4, width: 64, source: 'reg', dst: 'reg', src: 'reg', off: 1, imm: 'value' });

  for (const [cls, width, w] of [[CLASS.JMP, 64, ''], [CLASS.JMP32, 32, '32']] as const) {
    const base = width === 64 ? 'base64' : 'base32';
    for (const [cond, bits, cpu] of JMP_CONDS) {
      const c = width === 32 ? 3 : cpu;
      add({ id: `j${cond}${w}_imm`, code: cls | bits | SOURCE.K, kind: 'jcond', group: base, cpu: c, width, source: 'imm', cond, dst: 'reg', src: 'zero', off: 'value', imm: 'value' });
      add({ id: `j${cond}${w}_reg`, code: cls | bits | SOURCE.X, kind: 'jcond', group: base, cpu: c, width, source: 'reg', cond, dst: 'reg', src: 'reg', off: 'value', imm: 'zero' });
    }
  }
  add({ id: 'ja', code: CLASS.JMP | JMP_OP.JA, kind: 'ja', group: 'base32', cpu: 1, width: 64, source: 'none', dst: 'zero', src: 'zero', off: 'value', imm: 'zero' });
  add({ id: 'gotol', code: CLASS.JMP32 | JMP_OP.JA, kind: 'ja', group: 'base32', cpu: 4, width: 32, source: 'none', dst: 'zero', src: 'zero', off: 'zero', imm: 'value' });
  add({ id: 'call', code: CLASS.JMP | JMP_OP.CALL, kind: 'call', group: 'base32', cpu: 1, width: 64, source: 'imm', dst: 'zero', src: CALL_PSEUDO.HELPER, off: 'zero', imm: 'value' });
  add({ id: 'call_local', code: CLASS.JMP | JMP_OP.CALL, kind: 'call', group: 'base32', cpu: 1, width: 64, source: 'imm', dst: 'zero', src: CALL_PSEUDO.CALL, off: 'zero', imm: 'value' });
  // kfunc calls: off selects the module BTF (0 = vmlinux), imm is the BTF id.
  add({ id: 'call_kfunc', code: CLASS.JMP | JMP_OP.CALL, kind: 'call', group: 'base32', cpu: 1, width: 64, source: 'imm', dst: 'zero', src: CALL_PSEUDO.KFUNC_CALL, off: 'value', imm: 'value' });
  // callx: the register holding the target is dst_reg (the kernel's and LLVM's encoding).
  add({ id: 'callx', code: CLASS.JMP | JMP_OP.CALL | SOURCE.X, kind: 'callx', group: 'callx', cpu: 1, width: 64, source: 'reg', dst: 'reg', src: 'zero', off: 'zero', imm: 'zero' });
  add({ id: 'exit', code: CLASS.JMP | JMP_OP.EXIT, kind: 'exit', group: 'base32', cpu: 1, width: 64, source: 'none', dst: 'zero', src: 'zero', off: 'zero', imm: 'zero' });
  add({ id: 'may_goto', code: CLASS.JMP | JMP_OP.JCOND, kind: 'may_goto', group: 'ext', cpu: 1, width: 64, source: 'none', dst: 'zero', src: 'zero', off: 'value', imm: 'zero' });

  for (const [id, pseudo] of LDDW_PSEUDOS) {
    add({ id, code: CLASS.LD | MODE.IMM | SIZE.DW, kind: 'lddw', group: 'base64', cpu: 1, width: 64, source: 'imm', dst: 'reg', src: pseudo, off: 'zero', imm: 'value' });
  }

  for (const [sz, bytes, sfx] of SIZES) {
    const width = (bytes * 8) as 8 | 16 | 32 | 64;
    const g = bytes === 8 ? 'base64' : 'base32';
    if (bytes !== 8) {
      add({ id: `ldabs${sfx}`, code: CLASS.LD | MODE.ABS | sz, kind: 'ld_abs', group: 'packet', cpu: 0, width, size: bytes, source: 'imm', dst: 'zero', src: 'zero', off: 'zero', imm: 'value' });
      add({ id: `ldind${sfx}`, code: CLASS.LD | MODE.IND | sz, kind: 'ld_ind', group: 'packet', cpu: 0, width, size: bytes, source: 'reg', dst: 'zero', src: 'reg', off: 'zero', imm: 'value' });
    }
    add({ id: `ldx${sfx}`, code: CLASS.LDX | MODE.MEM | sz, kind: 'ldx', group: g, cpu: 1, width, size: bytes, source: 'reg', dst: 'reg', src: 'reg', off: 'value', imm: 'zero' });
    if (bytes !== 8) {
      add({ id: `ldxs${sfx}`, code: CLASS.LDX | MODE.MEMSX | sz, kind: 'ldsx', group: bytes === 4 ? 'base64' : 'base32', cpu: 4, width, size: bytes, signExtendFrom: width as 8 | 16 | 32, source: 'reg', dst: 'reg', src: 'reg', off: 'value', imm: 'zero' });
    }
    add({ id: `st${sfx}`, code: CLASS.ST | MODE.MEM | sz, kind: 'st', group: g, cpu: 1, width, size: bytes, source: 'imm', dst: 'reg', src: 'zero', off: 'value', imm: 'value' });
    add({ id: `stx${sfx}`, code: CLASS.STX | MODE.MEM | sz, kind: 'stx', group: g, cpu: 1, width, size: bytes, source: 'reg', dst: 'reg', src: 'reg', off: 'value', imm: 'zero' });
    if (bytes === 4 || bytes === 8) {
      const ag = bytes === 8 ? 'atomic64' : 'atomic32';
      for (const [op, immv, fetch, cpu] of ATOMICS) {
        const name = op === 'xchg' || op === 'cmpxchg' ? op : fetch ? `fetch_${op}` : op;
        add({ id: `atomic${width}_${name}`, code: CLASS.STX | MODE.ATOMIC | sz, kind: 'atomic', group: ag, cpu, width, size: bytes, source: 'reg', atomicOp: op, fetch, dst: 'reg', src: 'reg', off: 'value', imm: immv });
      }
    }
  }
  return forms;
}

/** Every valid instruction form, in a stable order. */
export const FORMS: readonly InsnForm[] = Object.freeze(buildForms());

/** The form of bytes that match no entry: listings keep them, the verifier rejects them. */
export const INVALID_FORM: InsnForm = Object.freeze({
  id: 'invalid', code: -1, kind: 'invalid', group: 'ext', cpu: 0, width: 64, source: 'none',
  dst: 'value', src: 'value', off: 'value', imm: 'value',
});

const byId = new Map(FORMS.map((f) => [f.id, f]));
const byCode = new Map<number, InsnForm[]>();
for (const f of FORMS) {
  const list = byCode.get(f.code) ?? [];
  list.push(f);
  byCode.set(f.code, list);
}

export function formById(id: string): InsnForm {
  const f = byId.get(id);
  if (!f) throw new RangeError(`no instruction form named ${id}`);
  return f;
}

/** Forms sharing an opcode byte; empty for an unknown opcode. */
export function formsWithCode(code: number): readonly InsnForm[] {
  return byCode.get(code) ?? [];
}

/** True where a field use is a fixed discriminator rather than an operand. */
export function isFixed(use: FieldUse): use is number {
  return typeof use === 'number';
}
