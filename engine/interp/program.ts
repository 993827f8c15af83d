// Predecoding: turns Insn[] into flat typed arrays with one small-integer handler code per slot, ready for the interpreter loop.
//
// Per slot: op (handler code), dst and src as register-file indexes (register n -> 2n, its low
// word; the high word follows), off, imm. Immediate operands are placed in a constant pool that
// sits right after r0..r10 in the machine's register file, so "op dst, imm" and "op dst, src"
// share one handler (src simply indexes the pool). Jump offsets are stored as absolute target
// slots; out-of-range targets point at sentinel slots that fault when reached. lddw constants and
// map/function pseudo sources are resolved here, at load time, like the kernel's verifier does.
import type { Insn, InsnForm } from '../isa';
import { HI, type BpfMap, type Kernel, type RunProgType } from '../kernel';

/** Handler codes beyond the opcode byte, for forms that share an opcode or need a resolved operand. */
export const OP = {
  SDIV64: 0x100, SMOD64: 0x101, SDIV32: 0x102, SMOD32: 0x103,
  MOVSX64_8: 0x108, MOVSX64_16: 0x109, MOVSX64_32: 0x10a, MOVSX32_8: 0x10b, MOVSX32_16: 0x10c, ADDR_SPACE_CAST: 0x10d,
  /** + index in ATOMIC_ORDER; 32-bit forms add 0x10. */
  ATOMIC64: 0x110, ATOMIC32: 0x120,
  CALL_LOCAL: 0x131, CALL_KFUNC: 0x132,
  LE16: 0x156, LE32: 0x157, LE64: 0x158, BE16: 0x159, BE32: 0x15a, BE64: 0x15b,
  /** Stops with the fault recorded for this slot (invalid bytes, unresolved lddw, unsupported form). */
  FAULT: 0x1f0, FELL_OFF: 0x1f1, BAD_JUMP: 0x1f2, LDDW_HI: 0x1f3, BREAK: 0x1ff,
} as const;

/**
 * The handler codes the interpreter's switch has a case for, in case order: slot op = index + 1
 * (0: everything else, handled out of line). Dense small integers let V8 compile the switch to
 * a jump table (it does so only for literal labels spread at most 3x over their count).
 */
export const SWITCH_CODES: readonly number[] = [
  0x7, 0xf, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x97, 0x9f, 0x100, 0x101, 0x47, 0x4f, 0x57, 0x5f, 0xa7, 0xaf, 0x67, 0x6f, 0x77, 0x7f, 0xc7, 0xcf, 0x87, 0xb7, 0xbf, 0x10d, 0x108, 0x109, 0x10a, 0x10b, 0x10c, 0x4, 0xc, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x94, 0x9c, 0x102, 0x103, 0x44, 0x4c, 0x54, 0x5c, 0xa4, 0xac, 0x64, 0x6c, 0x74, 0x7c, 0xc4, 0xcc, 0x84, 0xb4, 0xbc, 0x156, 0x157, 0x158, 0x159, 0x15a, 0x15b, 0x18, 0x71, 0x69, 0x61, 0x79, 0x91, 0x89, 0x81, 0x7b, 0x7a, 0x63, 0x62, 0x6b, 0x6a, 0x73, 0x72, 0x5, 0x6, 0x15, 0x1d, 0x55, 0x5d, 0x45, 0x4d, 0x25, 0x2d, 0x35, 0x3d, 0xa5, 0xad, 0xb5, 0xbd, 0x65, 0x6d, 0x75, 0x7d, 0xc5, 0xcd, 0xd5, 0xdd, 0x16, 0x1e, 0x56, 0x5e, 0x46, 0x4e, 0x26, 0x2e, 0x36, 0x3e, 0xa6, 0xae, 0xb6, 0xbe, 0x66, 0x6e, 0x76, 0x7e, 0xc6, 0xce, 0xd6, 0xde, 0xe5, 0x85, 0x131, 0x8d, 0x95, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x1ff,
];
const DENSE = new Uint16Array(0x200);
SWITCH_CODES.forEach((c, i) => {
  DENSE[c] = i + 1;
});
/** The dense op of a breakpoint trap. */
export const DENSE_BREAK = DENSE[0x1ff];

const ATOMIC_ORDER = ['add', 'or', 'and', 'xor', 'fetch_add', 'fetch_or', 'fetch_and', 'fetch_xor', 'xchg', 'cmpxchg'] as const;

/** Register-file index of the first constant-pool entry (r0..r10 use 0..21). */
export const POOL_BASE = 22;

/** Fake kernel text addresses: program k's slot pc is at 0xffffffff_a0000000 + k * 1 MiB + pc * 8. */
const TEXT_LO = 0xa0000000;
let nextProgramId = 0;

export interface LoadOptions {
  name?: string;
  type?: RunProgType;
  /** Map by fd (lddw map_fd / map_value) */
  mapsByFd?: ReadonlyMap<number, BpfMap>;
  /** Map by index (lddw map_idx / map_idx_value, also used by object-file loaders). */
  mapsByIndex?: readonly BpfMap[];
}

export interface SlotFault {
  code: 'invalid_insn' | 'unresolved_lddw' | 'unsupported';
  message: string;
}

export interface Program {
  readonly id: number;
  readonly name: string;
  readonly type: RunProgType;
  readonly insns: readonly Insn[];
  /** Number of real slots; slot n is the fell-off-the-end sentinel, later slots are bad-jump sentinels. */
  readonly n: number;
  /** Handler code per slot: the opcode byte or an OP.* code. */
  readonly code: Uint16Array;
  /** Dense switch index per slot (DENSE of code; 0 = out-of-line handler). */
  readonly op: Uint16Array;
  readonly dst: Uint8Array;
  readonly src: Uint16Array;
  readonly off: Int32Array;
  readonly imm: Int32Array;
  /**
   * The interpreter's view: 4 words per slot.
   *   word 0: op (bits 0-8) | dst register-file index (bits 9-13) | src register-file index (bits 14-31)
   *   word 1: off, or the absolute target slot of a jump
   *   word 2: imm (lddw: the low word)
   *   word 3: code (the opcode byte or OP.* code, for handlers that need the size bits)
   */
  readonly packed: Int32Array;
  /** Constant pool (lo, hi pairs), copied into the register file after r10. */
  readonly pool: Int32Array;
  /** Instruction index at each slot (-1 for lddw second halves and sentinels). */
  readonly slotInsn: Int32Array;
  /** Slot of each instruction. */
  readonly insnSlot: Int32Array;
  readonly faults: ReadonlyMap<number, SlotFault>;
  /** Low word of the fake text address of slot 0 (high word HI.TEXT). */
  readonly textLo: number;
}

function handlerCode(form: InsnForm): number {
  switch (form.kind) {
    case 'alu':
      if (form.aluOp === 'sdiv') return form.width === 64 ? OP.SDIV64 : OP.SDIV32;
      if (form.aluOp === 'smod') return form.width === 64 ? OP.SMOD64 : OP.SMOD32;
      return form.code;
    case 'movsx':
      if (form.width === 64) return form.signExtendFrom === 8 ? OP.MOVSX64_8 : form.signExtendFrom === 16 ? OP.MOVSX64_16 : OP.MOVSX64_32;
      return form.signExtendFrom === 8 ? OP.MOVSX32_8 : OP.MOVSX32_16;
    case 'addr_space_cast':
      return OP.ADDR_SPACE_CAST;
    case 'atomic': {
      const name = form.atomicOp === 'xchg' || form.atomicOp === 'cmpxchg' ? form.atomicOp : form.fetch ? `fetch_${form.atomicOp}` : form.atomicOp;
      return (form.width === 32 ? OP.ATOMIC32 : OP.ATOMIC64) + ATOMIC_ORDER.indexOf(name as (typeof ATOMIC_ORDER)[number]);
    }
    case 'call':
      return form.id === 'call' ? 0x85 : form.id === 'call_local' ? OP.CALL_LOCAL : OP.CALL_KFUNC;
    case 'end':
    case 'bswap': {
      const bits = form.imm as number;
      const be = form.order !== 'le';
      return bits === 16 ? (be ? OP.BE16 : OP.LE16) : bits === 32 ? (be ? OP.BE32 : OP.LE32) : be ? OP.BE64 : OP.LE64;
    }
    case 'invalid':
      return OP.FAULT;
    default:
      return form.code;
  }
}

/** Predecodes a program; never throws for any instruction sequence (bad parts become faulting slots). */
export function loadProgram(kernel: Kernel, insns: readonly Insn[], opts: LoadOptions = {}): Program {
  const id = nextProgramId++;
  const insnSlot = new Int32Array(insns.length);
  let n = 0;
  insns.forEach((insn, i) => {
    insnSlot[i] = n;
    n += insn.form.kind === 'lddw' ? 2 : 1;
  });
  const jumpTargets: Array<[slot: number, target: number]> = [];
  const slotInsn = new Int32Array(n + 1).fill(-1);
  const faults = new Map<number, SlotFault>();
  const pool: number[] = [];
  const poolIndex = new Map<string, number>();
  const constant = (lo: number, hi: number): number => {
    const key = `${lo}:${hi}`;
    let k = poolIndex.get(key);
    if (k === undefined) {
      k = pool.length;
      pool.push(lo | 0, hi | 0);
      poolIndex.set(key, k);
    }
    return POOL_BASE + k;
  };
  const textLo = TEXT_LO + (id % 512) * 0x100000;
  const ops: number[] = [];
  const dst: number[] = [];
  const src: number[] = [];
  const off: number[] = [];
  const imm: number[] = [];
  const put = (slot: number, o: number, d: number, s: number, f: number, m: number): void => {
    ops[slot] = o;
    dst[slot] = d;
    src[slot] = s;
    off[slot] = f;
    imm[slot] = m;
  };
  insns.forEach((insn, i) => {
    const slot = insnSlot[i];
    slotInsn[slot] = i;
    const f = insn.form;
    let code = handlerCode(f);
    const d = (insn.dst & 15) * 2;
    let s = (insn.src & 15) * 2;
    let o = insn.off;
    let m = insn.imm;
    if (code !== OP.FAULT && (insn.dst > 10 || (f.src === 'reg' && insn.src > 10))) {
      faults.set(slot, { code: 'invalid_insn', message: `invalid register in ${f.id} (dst r${insn.dst}, src r${insn.src})` });
      code = OP.FAULT;
    }
    if (code === OP.FAULT && !faults.has(slot)) faults.set(slot, { code: 'invalid_insn', message: `invalid instruction (opcode 0x${insn.code.toString(16).padStart(2, '0')})` });
    // Immediate operands go to the constant pool, sign-extended to 64 bits.
    if ((f.kind === 'alu' || f.kind === 'mov' || f.kind === 'jcond' || f.kind === 'st') && f.source === 'imm') s = constant(m, m >> 31);
    if (f.kind === 'jcond' || f.kind === 'may_goto' || f.id === 'ja' || f.id === 'call_local') jumpTargets.push([slot, slot + 1 + (f.id === 'call_local' ? m : o)]);
    if (f.id === 'gotol') jumpTargets.push([slot, slot + 1 + m]);
    if (f.kind === 'lddw') {
      const r = resolveLddw(kernel, insn, slot, textLo, opts);
      if ('message' in r) {
        faults.set(slot, r);
        code = OP.FAULT;
      } else {
        m = r.lo;
        o = r.hi;
      }
      put(slot + 1, OP.LDDW_HI, 0, 0, 0, 0);
    }
    if (f.id === 'call_kfunc') faults.set(slot, { code: 'unsupported', message: `kfunc calls are not simulated (btf id ${insn.imm})` });
    put(slot, code, d, s, o, m);
  });
  // Sentinels: slot n (running past the last instruction), then one per bad jump target.
  put(n, OP.FELL_OFF, 0, 0, 0, 0);
  let sentinel = n + 1;
  for (const [slot, target] of jumpTargets) {
    if (target >= 0 && target < n && ops[target] !== OP.LDDW_HI) off[slot] = target;
    else {
      put(sentinel, OP.BAD_JUMP, 0, 0, target, slot);
      off[slot] = sentinel++;
    }
  }
  const packed = new Int32Array(ops.length * 4);
  for (let i = 0; i < ops.length; i++) {
    packed[i * 4] = DENSE[ops[i]] | (dst[i] << 9) | (src[i] << 14);
    packed[i * 4 + 1] = off[i];
    packed[i * 4 + 2] = imm[i];
    packed[i * 4 + 3] = ops[i];
  }
  return {
    id, name: opts.name ?? `prog${id}`, type: opts.type ?? 'raw', insns, n,
    code: Uint16Array.from(ops), op: Uint16Array.from(ops, (c) => DENSE[c]), dst: Uint8Array.from(dst), src: Uint16Array.from(src),
    off: Int32Array.from(off), imm: Int32Array.from(imm), pool: Int32Array.from(pool),
    slotInsn, insnSlot, faults, textLo, packed,
  };
}

function resolveLddw(kernel: Kernel, insn: Insn, slot: number, textLo: number, opts: LoadOptions): { lo: number; hi: number } | SlotFault {
  const imm2 = insn.imm2 ?? 0;
  const split = (v: bigint) => ({ lo: Number(v & 0xffffffffn) | 0, hi: Number(BigInt.asUintN(64, v) >> 32n) | 0 });
  const byFd = (): BpfMap | undefined => opts.mapsByFd?.get(insn.imm) ?? undefined;
  const byIdx = (): BpfMap | undefined => opts.mapsByIndex?.[insn.imm];
  switch (insn.form.id) {
    case 'lddw':
      return { lo: insn.imm | 0, hi: imm2 | 0 };
    case 'lddw_map_fd':
    case 'lddw_map_idx': {
      const m = insn.form.id === 'lddw_map_fd' ? byFd() : byIdx();
      if (!m) return { code: 'unresolved_lddw', message: `${insn.form.id}: no map with ${insn.form.id === 'lddw_map_fd' ? 'fd' : 'index'} ${insn.imm}` };
      return split(m.address);
    }
    case 'lddw_map_value':
    case 'lddw_map_idx_value': {
      const m = insn.form.id === 'lddw_map_value' ? byFd() : byIdx();
      const addr = m ? kernel.mapValueAddress(m, imm2) : undefined;
      if (addr === undefined) return { code: 'unresolved_lddw', message: `${insn.form.id}: no array map with ${insn.form.id === 'lddw_map_value' ? 'fd' : 'index'} ${insn.imm}` };
      return split(addr);
    }
    case 'lddw_func':
      return { lo: (textLo + (slot + 1 + insn.imm) * 8) | 0, hi: HI.TEXT };
    default:
      return { code: 'unsupported', message: `${insn.form.id} (pseudo source ${insn.src}) is not simulated` };
  }
}
