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
  try {
    for (;;) {
      if (lvl2) ctx.log.write(`mark_precise: frame${bt.frame}: last_idx ${lastIdx} first_idx ${firstIdx} subseq_idx ${subseqIdx} \n`);
      let history = st.history.length;
      for (let i = lastIdx; ;) {
        if (skipFirst) {
          skipFirst = false;
        } else {
          const hist = history > 0 && st.history[history - 1].idx === i ? st.history[history - 1] : undefined;
          backtrackInsn(ctx, i, subseqIdx, hist, bt);
        }
        if (bt.empty()) return;
        subseqIdx = i;
        // get_prev_insn_idx
        if (i === firstIdx) {
          if (history === 0) break;
          if (history === 1 && st.history[0].idx === i) break;
        }
        if (history && st.history[history - 1].idx === i) {
          i = st.history[history - 1].prevIdx;
          history--;
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
