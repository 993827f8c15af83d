// Precision tracking: the kernel's backtracking (mark_chain_precision / backtrack_insn) over the jump history.
//
// A scalar is "precise" when some safety decision depended on its exact range; only precise scalars must match
// when a state is compared for pruning. Backtracking walks instructions backwards from the point of use, through
// the recorded non-sequential transitions, into parent checkpoints, marking the registers and spilled slots that
// fed the value. The level-2 log lines ("mark_precise: frame0: regs=r2 stack= before 8: ...") follow the kernel.
import type { Insn } from '../isa';
import type { Program } from './cfg';
import type { VerifierState } from './state';

/** One jump-history record (struct bpf_jmp_history_entry). */
export interface HistEntry {
  readonly idx: number;
  readonly prevIdx: number;
  /** Stack access by this instruction: the slot and frame of a spill or fill. */
  stack?: { frameno: number; spi: number };
  /** Registers linked by scalar id at a conditional jump (bt_sync_linked_regs). */
  linked?: Array<{ frameno: number; regno?: number; spi?: number }>;
}

/** A checkpoint as backtracking sees it. */
export interface PrecisionNode {
  readonly state: VerifierState;
  readonly firstIdx: number;
  readonly lastIdx: number;
  readonly history: readonly HistEntry[];
  readonly parent?: PrecisionNode;
}

/**
 * The precision search state: per frame, a register mask and a stack-slot mask. The 64-bit slot mask is kept as
 * two 32-bit halves (lo: slots 0-31, hi: 32-63) because backtracking tests it for every slot of every parent
 * checkpoint, and BigInt bit tests allocate.
 */
class Backtrack {
  regs: number[] = [];
  stackLo: number[] = [];
  stackHi: number[] = [];
  constructor(public frame: number) {
    for (let i = 0; i <= frame; i++) this.pushFrame();
  }
  pushFrame(): void {
    this.regs.push(0);
    this.stackLo.push(0);
    this.stackHi.push(0);
  }
  popFrame(): void {
    this.regs.pop();
    this.stackLo.pop();
    this.stackHi.pop();
  }
  empty(): boolean {
    for (let i = 0; i < this.regs.length; i++) if (this.regs[i] !== 0 || this.stackLo[i] !== 0 || this.stackHi[i] !== 0) return false;
    return true;
  }
  /** The slot mask of frame `f` as the kernel's u64 (for the level-2 log). */
  stackMask(f = this.frame): bigint {
    return (BigInt(this.stackHi[f] >>> 0) << 32n) | BigInt(this.stackLo[f] >>> 0);
  }
  isReg(r: number, f = this.frame): boolean {
    return (this.regs[f] & (1 << r)) !== 0;
  }
  setReg(r: number, f = this.frame): void {
    this.regs[f] |= 1 << r;
  }
  clearReg(r: number, f = this.frame): void {
    this.regs[f] &= ~(1 << r);
  }
  isSlot(spi: number, f = this.frame): boolean {
    return spi < 32 ? (this.stackLo[f] & (1 << spi)) !== 0 : (this.stackHi[f] & (1 << (spi - 32))) !== 0;
  }
  setSlot(spi: number, f = this.frame): void {
    if (spi < 32) this.stackLo[f] |= 1 << spi;
    else this.stackHi[f] |= 1 << (spi - 32);
  }
  clearSlot(spi: number, f = this.frame): void {
    if (spi < 32) this.stackLo[f] &= ~(1 << spi);
    else this.stackHi[f] &= ~(1 << (spi - 32));
  }
}

export function fmtRegMask(mask: number): string {
  const out: string[] = [];
  for (let i = 0; i < 32; i++) if (mask & (1 << i)) out.push(`r${i}`);
  return out.join(',');
}

export function fmtStackMask(mask: bigint): string {
  const out: string[] = [];
  for (let i = 0; i < 64; i++) if (mask & (1n << BigInt(i))) out.push(String(-(i + 1) * 8));
  return out.join(',');
}

class NotSupported {}

// backtrack_insn of the commonest instructions as a precomputed code per slot, applied inline by the backtracking
// loop without a call: a million-insn loop backtracks tens of millions of instructions. Codes fit the register
// mask of the current frame only; anything else (loads, stores, calls, exits, linked registers, level-2 lines) takes
// backtrackInsn.
const BT_SLOW = 0;
/** No effect on the tracked set: ALU with an immediate, neg, byte swaps, jumps with an immediate, ja, lddw's 2nd half. */
const BT_NOP = 1;
/** dst tracked -> src tracked too (ALU with a register source other than r10). */
const BT_ALU_REG = 2;
/** dst tracked -> dst dropped (mov of an immediate, or of r10). */
const BT_MOV_IMM = 3;
/** dst tracked -> dst dropped, src tracked (mov/movsx of a register). */
const BT_MOV_REG = 4;
/** dst or src tracked -> both tracked (conditional jump on two registers). */
const BT_JMP_REG = 5;

const fastCodes = new WeakMap<Program, Int32Array>();

function fastBacktrackCodes(prog: Program): Int32Array {
  let codes = fastCodes.get(prog);
  if (codes) return codes;
  codes = new Int32Array(prog.insnAt.length);
  for (let idx = 0; idx < codes.length; idx++) {
    const at = prog.insnAt[idx];
    if (at < 0) {
      codes[idx] = BT_NOP;
      continue;
    }
    const insn = prog.insns[at];
    const f = insn.form;
    const regSrc = f.source === 'reg' && insn.src !== 10;
    let code = BT_SLOW;
    if (f.kind === 'alu') code = regSrc ? BT_ALU_REG : BT_NOP;
    else if (f.kind === 'neg' || f.kind === 'end' || f.kind === 'bswap' || f.kind === 'ja') code = BT_NOP;
    else if (f.kind === 'mov' || f.kind === 'movsx') code = regSrc ? BT_MOV_REG : BT_MOV_IMM;
    else if (f.kind === 'jcond') code = f.source === 'reg' ? BT_JMP_REG : BT_NOP;
    codes[idx] = code | (insn.dst << 8) | (insn.src << 12);
  }
  fastCodes.set(prog, codes);
  return codes;
}

/** Applies a fast code to the current frame's register mask; the same result as backtrackInsn for these forms. */
function applyFast(op: number, bt: Backtrack): void {
  const d = 1 << ((op >> 8) & 0xf);
  const sBit = 1 << ((op >> 12) & 0xf);
  const f = bt.frame;
  const m = bt.regs[f];
  switch (op & 0xff) {
    case BT_ALU_REG:
      if (m & d) bt.regs[f] = m | sBit;
      break;
    case BT_MOV_IMM:
      if (m & d) bt.regs[f] = m & ~d;
      break;
    case BT_MOV_REG:
      if (m & d) bt.regs[f] = (m & ~d) | sBit;
      break;
    case BT_JMP_REG:
      if (m & (d | sBit)) bt.regs[f] = m | d | sBit;
      break;
    default:
      break;
  }
}

export interface PrecisionContext {
  readonly prog: Program;
  readonly log: { readonly level: number; write(s: string): void };
  readonly printInsn: (insn: Insn) => string;
  readonly printFrameAll: (st: VerifierState, frameno: number) => string;
}

/**
 * __mark_chain_precision from the current path (its state, first instruction, history and parent chain), for
 * register `regno` of the current frame and/or the given stack slots. Marks parent checkpoints, never `cur`.
 */
export function markChainPrecision(
  ctx: PrecisionContext,
  cur: { state: VerifierState; firstIdx: number; lastIdx: number; history: readonly HistEntry[]; parent?: PrecisionNode },
  regno: number,
  preset?: (bt: Backtrack) => void,
): void {
  const bt = new Backtrack(cur.state.curframe);
  if (regno >= 0) {
    const reg = cur.state.frames[cur.state.curframe].regs[regno];
    if (reg.type !== 'SCALAR_VALUE') return;
    bt.setReg(regno);
  }
  preset?.(bt);
  if (bt.empty()) return;
  let st: { state: VerifierState; firstIdx: number; lastIdx: number; history: readonly HistEntry[]; parent?: PrecisionNode } = cur;
  let firstIdx = cur.firstIdx;
  let lastIdx = cur.lastIdx;
  let subseqIdx = -1;
  let skipFirst = true;
  const lvl2 = ctx.log.level >= 2;
  const fast = lvl2 ? undefined : fastBacktrackCodes(ctx.prog);
  try {
    for (;;) {
      if (lvl2) ctx.log.write(`mark_precise: frame${bt.frame}: last_idx ${lastIdx} first_idx ${firstIdx} subseq_idx ${subseqIdx} \n`);
      const hs = st.history;
      let history = hs.length;
      let top = history > 0 ? hs[history - 1] : undefined;
      for (let i = lastIdx; ;) {
        if (skipFirst) {
          skipFirst = false;
        } else {
          const hist = top !== undefined && top.idx === i ? top : undefined;
          const op = fast !== undefined && hist?.linked === undefined ? fast[i] : BT_SLOW;
          const code = op & 0xff;
          if (code === BT_SLOW) {
            backtrackInsn(ctx, i, subseqIdx, hist, bt);
            if (bt.empty()) return;
          } else if (code !== BT_NOP) {
            applyFast(op, bt);
            // Only the movs drop a register; the others add, so the set cannot have become empty.
            if ((code === BT_MOV_IMM || code === BT_MOV_REG) && bt.empty()) return;
          }
        }
        subseqIdx = i;
        // get_prev_insn_idx
        if (i === firstIdx) {
          if (history === 0) break;
          if (history === 1 && hs[0].idx === i) break;
        }
        if (top !== undefined && top.idx === i) {
          i = top.prevIdx;
          history--;
          top = history > 0 ? hs[history - 1] : undefined;
        } else {
          i--;
        }
        if (i < 0) throw new NotSupported();
      }
      const parent = st.parent;
      if (!parent) break;
      st = parent;
      for (let fr = bt.frame; fr >= 0; fr--) {
        const func = parent.state.frames[fr];
        if (!func) continue;
        for (let r = 0; r < 32; r++) {
          if (!bt.isReg(r, fr)) continue;
          const reg = func.regs[r];
          if (!reg || reg.type !== 'SCALAR_VALUE' || reg.precise) bt.clearReg(r, fr);
          else reg.precise = true;
        }
        for (let spi = 0; spi < 64; spi++) {
          if (bt.stackLo[fr] === 0 && bt.stackHi[fr] === 0) break;
          if (!bt.isSlot(spi, fr)) continue;
          const sl = func.stack[spi];
          if (!sl || sl.types[7] !== 'SPILL' || sl.spilled.type !== 'SCALAR_VALUE' || sl.spilled.precise) bt.clearSlot(spi, fr);
          else sl.spilled.precise = true;
        }
        if (lvl2) {
          ctx.log.write(`mark_precise: frame${fr}: parent state regs=${fmtRegMask(bt.regs[fr])} stack=${fmtStackMask(bt.stackMask(fr))}: ${ctx.printFrameAll(parent.state, fr)}\n`);
        }
      }
      if (bt.empty()) return;
      subseqIdx = firstIdx;
      lastIdx = parent.lastIdx;
      firstIdx = parent.firstIdx;
    }
    if (!bt.empty()) markAllScalarsPrecise(cur);
  } catch (e) {
    if (e instanceof NotSupported) {
      markAllScalarsPrecise(cur);
      return;
    }
    throw e;
  }
}

/** mark_all_scalars_precise: the fallback when backtracking cannot follow a value. */
function markAllScalarsPrecise(cur: { parent?: PrecisionNode }): void {
  for (let p = cur.parent; p; p = p.parent) {
    for (const f of p.state.frames) {
      for (const r of f.regs) if (r.type === 'SCALAR_VALUE') r.precise = true;
      for (const sl of f.stack) if (sl.types[7] === 'SPILL' && sl.spilled.type === 'SCALAR_VALUE') sl.spilled.precise = true;
    }
  }
}

function syncLinked(bt: Backtrack, hist: HistEntry | undefined): void {
  if (!hist?.linked) return;
  const isSet = (e: { frameno: number; regno?: number; spi?: number }): boolean =>
    e.regno !== undefined ? bt.isReg(e.regno, e.frameno) : bt.isSlot(e.spi!, e.frameno);
  if (!hist.linked.some(isSet)) return;
  for (const e of hist.linked) {
    if (e.regno !== undefined) bt.setReg(e.regno, e.frameno);
    else bt.setSlot(e.spi!, e.frameno);
  }
}

/** backtrack_insn: what the instruction at `idx` means for the registers and slots still being tracked. */
function backtrackInsn(ctx: PrecisionContext, idx: number, subseqIdx: number, hist: HistEntry | undefined, bt: Backtrack): void {
  const insnIndex = ctx.prog.insnAt[idx];
  if (insnIndex < 0) return; // second half of an lddw: code 0
  const insn = ctx.prog.insns[insnIndex];
  if (ctx.log.level >= 2) {
    ctx.log.write(`mark_precise: frame${bt.frame}: regs=${fmtRegMask(bt.regs[bt.frame])} stack=${fmtStackMask(bt.stackMask())} before ${idx}: ${ctx.printInsn(insn)}\n`);
  }
  syncLinked(bt, hist);
  const f = insn.form;
  const dreg = insn.dst;
  const sreg = insn.src;
  switch (f.kind) {
    case 'alu': case 'neg': case 'mov': case 'movsx': case 'end': case 'bswap': case 'addr_space_cast':
      if (!bt.isReg(dreg)) return;
      if (f.kind === 'end' || f.kind === 'bswap' || f.kind === 'neg') return;
      if (f.kind === 'mov' || f.kind === 'movsx' || f.kind === 'addr_space_cast') {
        bt.clearReg(dreg);
        if (f.source === 'reg' && sreg !== 10) bt.setReg(sreg);
      } else if (f.source === 'reg' && sreg !== 10) {
        bt.setReg(sreg);
      }
      break;
    case 'ldx': case 'ldsx':
      if (!bt.isReg(dreg)) return;
      bt.clearReg(dreg);
      if (!hist?.stack) return;
      bt.setSlot(hist.stack.spi, hist.stack.frameno);
      break;
    case 'atomic':
      if (f.fetch && bt.isReg(f.atomicOp === 'cmpxchg' ? 0 : sreg)) {
        bt.clearReg(f.atomicOp === 'cmpxchg' ? 0 : sreg);
        if (hist?.stack) bt.setSlot(hist.stack.spi, hist.stack.frameno);
        return;
      }
      if (bt.isReg(dreg)) throw new NotSupported();
      break;
    case 'stx': case 'st':
      if (bt.isReg(dreg)) throw new NotSupported();
      if (!hist?.stack) return;
      if (!bt.isSlot(hist.stack.spi, hist.stack.frameno)) return;
      bt.clearSlot(hist.stack.spi, hist.stack.frameno);
      if (f.kind === 'stx') bt.setReg(sreg);
      break;
    case 'call':
      if (f.id === 'call_local') {
        // Leaving the callee backwards: r1-r5 go on in the caller's frame.
        for (let r = 1; r <= 5; r++) {
          if (bt.isReg(r)) {
            bt.clearReg(r);
            bt.setReg(r, bt.frame - 1);
          }
        }
        bt.popFrame();
        bt.frame--;
        return;
      }
      bt.clearReg(0);
      if (bt.regs[bt.frame] & 0b111110) throw new NotSupported();
      break;
    case 'exit': {
      // Entering a callee backwards from its return point.
      const callIdx = subseqIdx - 1 >= 0 ? ctx.prog.insnAt[subseqIdx - 1] : -1;
      const r0 = callIdx >= 0 && ctx.prog.insns[callIdx].form.id === 'call_local' && bt.isReg(0);
      bt.clearReg(0);
      bt.frame++;
      bt.pushFrame();
      if (r0) bt.setReg(0);
      return;
    }
    case 'jcond':
      if (f.source === 'reg') {
        if (!bt.isReg(dreg) && !bt.isReg(sreg)) return;
        bt.setReg(sreg);
        bt.setReg(dreg);
      }
      break;
    case 'lddw':
      if (!bt.isReg(dreg)) return;
      bt.clearReg(dreg);
      break;
    case 'ld_abs': case 'ld_ind':
      if (!bt.isReg(dreg)) return;
      throw new NotSupported();
    default:
      break;
  }
  syncLinked(bt, hist);
}

export { Backtrack };
